#!/usr/bin/env bash
# Stories of a grown collection against one analysis of the same pages: a
# generated news crawl of N articles (crates/eval/src/crawl.rs) analysed at
# once by `echotrace analyze`, and ingested into a store in PARTS ingests of
# consecutive pages (new articles placed in the stories they touch, large
# stories sampled). Prints the pairwise F1 of the store's story partition
# against the analysis' and the seconds of each.
# Usage: bench/story_agreement.sh [DATASETS_DIR] [N] [PARTS]   (defaults: ../shared/datasets 10000 10)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
n=${2:-10000}
parts=${3:-10}
. bench/common.sh
build_bench_tools
cargo build --release -q -p echotrace-eval --bin story_agreement
pages=$(crawl "news-$n" "$n")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
target/release/echotrace analyze "$pages" --out "$work/once" --quiet 2>/dev/null
analyze_s=$(echo "$(date +%s.%N) - $start" | bc)
target/release/echotrace export --format jsonl-articles --report "$work/once/report.json" --out "$work/once.jsonl"
split -n "l/$parts" -d "$pages" "$work/part-"
start=$(date +%s.%N)
for p in "$work"/part-*; do
  mv "$p" "$p.jsonl"
  target/release/echotrace ingest "$p.jsonl" --db "$work/grown.db" --quiet 2>/dev/null
done
ingest_s=$(echo "$(date +%s.%N) - $start" | bc)
target/release/echotrace export --format jsonl-articles --db "$work/grown.db" --out "$work/grown.jsonl"
echo "| articles | ingests | analyze s | ingests s | stories (analyze) | stories (store) | pairwise F1 | precision | recall |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
target/release/story_agreement "$work/once.jsonl" "$work/grown.jsonl" | python3 -c "
import json, sys
r = json.load(sys.stdin)
print(f\"| {r['articles']} | $parts | {float('$analyze_s'):.1f} | {float('$ingest_s'):.1f} | {r['stories_a']} | {r['stories_b']} | {r['pairwise_f1']} | {r['precision']} | {r['recall']} |\")"
