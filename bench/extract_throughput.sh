#!/usr/bin/env bash
# Throughput of `echotrace extract` on the extraction-body pages, one thread and all cores.
# Prints a table: threads, pages, seconds (best of 3), pages/s. Usage: bench/extract_throughput.sh [DATASETS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
pages="$data/extraction-body/html"
[ -d "$pages" ] || { echo "no pages at $pages (pass the datasets directory)" >&2; exit 1; }
cargo build --release -q
bin=target/release/echotrace
n=$(ls "$pages" | wc -l)
cores=$(nproc)
printf '%-8s %6s %9s %9s\n' threads pages seconds pages/s
for t in 1 "$cores"; do
  best=
  for _ in 1 2 3; do
    s=$(date +%s.%N)
    "$bin" extract --threads "$t" "$pages" >/dev/null 2>&1 || [ $? -eq 3 ]
    e=$(date +%s.%N)
    secs=$(awk "BEGIN{print $e - $s}")
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
  done
  printf '%-8s %6d %9.2f %9.1f\n' "$t" "$n" "$best" "$(awk "BEGIN{print $n / $best}")"
done
