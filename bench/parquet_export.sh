#!/usr/bin/env bash
# `echotrace export --format parquet` on the generated news crawls (bench/collection_scale.sh makes
# them in target/bench-crawls/): seconds and peak memory beside `analyze` on the same pages, the
# size of each table, and what a distributed n-gram join over the signatures table would move
# and how many of the single node's candidate pairs it finds (crates/columnar/examples/join_stats.rs).
# Usage: bench/parquet_export.sh [SIZES...]   (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${*:-10000 100000}
cargo build --release -q -p echotrace --features parquet
cargo build --release -q -p echotrace-columnar --example join_stats
cargo build --release -q -p echotrace-eval --bin gen_crawl
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| corpus | analyze s | analyze peak MiB | export parquet s | export peak MiB | Parquet MiB | pages.jsonl MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for n in $sizes; do
  pages=target/bench-crawls/news-$n/pages.jsonl
  [ -s "$pages" ] || { mkdir -p "target/bench-crawls/news-$n"; target/release/gen_crawl "$n" ../shared/datasets "target/bench-crawls/news-$n" 2>/dev/null; }
  /usr/bin/time -f "%e %M" -o "$out/a" target/release/echotrace analyze "$pages" --out "$out/report-$n" --quiet 2>/dev/null || true
  /usr/bin/time -f "%e %M" -o "$out/e" target/release/echotrace export --format parquet --out "$out/tables-$n" "$pages" 2>"$out/log-$n"
  read -r as ak <"$out/a"; read -r es ek <"$out/e"
  printf "| news-%s | %.1f | %d | %.1f | %d | %.1f | %.1f |\n" "$n" "$as" $((ak / 1024)) "$es" $((ek / 1024)) \
    "$(du -sk "$out/tables-$n" | awk '{print $1 / 1024}')" "$(du -sk "$pages" | awk '{print $1 / 1024}')"
  rm -rf "$out/report-$n"
done
echo
echo "| corpus | table | rows | MiB |"
echo "| --- | --- | --- | --- |"
for n in $sizes; do
  tail -1 "$out/log-$n" | grep -o '[0-9]* [a-z_]*' | while read -r rows table; do
    f="$out/tables-$n/$table.parquet"
    if [ -f "$f" ]; then
      printf "| news-%s | %s | %s | %.2f |\n" "$n" "$table" "$rows" "$(du -k "$f" | awk '{print $1 / 1024}')"
    fi
  done
done
echo
echo "the n-gram self-join and star join over signatures.parquet (df cut-off 200, at least 3 shared; ReuseParams::default()), beside the single node's pairs"
for n in $sizes; do
  echo "news-$n: $(target/release/examples/join_stats "$out/tables-$n/signatures.parquet" 200 3 "$out/tables-$n/candidate_pairs.parquet")"
  echo "news-$n: echo-aware candidate pairs (single node): $(tail -1 "$out/log-$n" | grep -o '[0-9]* candidate_pairs')"
done
