#!/usr/bin/env bash
# Incremental ingest: 1,000 new articles into stores of several sizes, each
# store grown by `echotrace ingest` from a generated news crawl
# (crates/eval/src/crawl.rs). The work per batch should not grow with the
# store: the table prints seconds for the 1,000 and the ratio to the first
# size, then, since the echo index merges its levels now and then (see
# crates/store/src/postings.rs), ten more ingests of 1,000 each: their mean,
# their slowest, and the ratio of means.
# Usage: bench/ingest_growth.sh [DATASETS_DIR] [SIZES...]   (default sizes: 10000 100000)
# Stores are kept in target/bench-stores/ and reused (copied before each run).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
shift || true
sizes=${*:-10000 100000}
. bench/common.sh
build_bench_tools
new=$(crawl new-1000 1000 --seed 7)
more=$(crawl new-10000 10000 --seed 11)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
split -n l/10 -d "$more" "$work/more-"
echo "| store articles | build s | store MiB | ingest 1,000 s | peak MiB | ratio to first | 10 more x 1,000: mean s | slowest s | ratio of means |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
first=""
first_mean=""
for n in $sizes; do
  pages=$(crawl "news-$n" "$n")
  db="$stores/news-$n.db"
  build="cached"
  if [ ! -s "$db" ]; then
    rm -rf "$db" "$db.search" "$db-wal" "$db-shm"
    start=$(date +%s.%N)
    target/release/echotrace ingest "$pages" --db "$db" --quiet 2>/dev/null
    build=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
  fi
  cp "$db" "$work/s.db"; rm -rf "$work/s.db.search"; cp -r "$db.search" "$work/s.db.search"
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/echotrace ingest "$new" --db "$work/s.db" --quiet 2>/dev/null
  read -r secs kb <"$work/time"
  first=${first:-$secs}
  runs=""
  for part in "$work"/more-*; do
    cp "$part" "$work/part.jsonl"
    /usr/bin/time -f "%e" -o "$work/time" target/release/echotrace ingest "$work/part.jsonl" --db "$work/s.db" --quiet 2>/dev/null
    runs="$runs $(cat "$work/time")"
  done
  mean=$(python3 -c "import sys; v=[float(x) for x in sys.argv[1:]]; print(f'{sum(v)/len(v):.2f}')" $runs)
  slowest=$(python3 -c "import sys; print(max(float(x) for x in sys.argv[1:]))" $runs)
  first_mean=${first_mean:-$mean}
  python3 -c "print(f'| $n | $build | {$(du -k "$db" | cut -f1) / 1024:.0f} | $secs | {$kb / 1024:.0f} | {$secs / $first:.2f} | $mean | $slowest | {$mean / $first_mean:.2f} |')"
done
