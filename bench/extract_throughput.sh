#!/usr/bin/env bash
# Throughput of `echotrace extract`, whole process, on every development HTML page together
# (extraction-body, extraction-snippets, dates, extraction-readability: about 500 pages), one
# thread and all cores, best of 3. With a second binary (say, one built from the previous
# commit), both are timed in the same run, alternating.
# Prints a table: binary, threads, pages, seconds (best of 3), pages/s.
# Usage: bench/extract_throughput.sh [DATASETS_DIR] [BASELINE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
baseline=${2:-}
[ -d "$data/extraction-body/html" ] || { echo "no pages at $data (pass the datasets directory)" >&2; exit 1; }
cargo build --release -q
bin=target/release/echotrace
pages=$(mktemp -d)
trap 'rm -rf "$pages"' EXIT
# Copies, not links: a directory walk does not follow symbolic links.
for f in "$data"/extraction-body/html/*.gz; do cp "$f" "$pages/body-$(basename "$f")"; done
for f in "$data"/extraction-snippets/html/*.gz; do cp "$f" "$pages/snippets-$(basename "$f")"; done
for f in "$data"/dates/html/*.gz; do cp "$f" "$pages/dates-$(basename "$f")"; done
for d in "$data"/extraction-readability/*/; do cp "$d/source.html.gz" "$pages/readability-$(basename "$d").html.gz"; done
n=$(ls "$pages" | wc -l)
cores=$(nproc)
bins=("$bin")
[ -n "$baseline" ] && bins+=("$baseline")
printf '%-40s %7s %6s %9s %9s\n' binary threads pages seconds pages/s
for t in 1 "$cores"; do
  declare -A best=()
  for _ in 1 2 3; do
    for b in "${bins[@]}"; do
      s=$(date +%s.%N)
      "$b" extract -q --threads "$t" "$pages" >/dev/null 2>&1 || [ $? -eq 3 ]
      e=$(date +%s.%N)
      secs=$(awk "BEGIN{print $e - $s}")
      if [ -z "${best[$b]:-}" ] || awk "BEGIN{exit !($secs < ${best[$b]})}"; then best[$b]=$secs; fi
    done
  done
  for b in "${bins[@]}"; do
    printf '%-40s %7s %6d %9.2f %9.1f\n' "$b" "$t" "$n" "${best[$b]}" "$(awk "BEGIN{print $n / ${best[$b]}}")"
  done
  unset best
done
