#!/usr/bin/env bash
# Search and trace latency through the HTTP API on a store of N generated articles
# (default 10000): generates the corpus (bench/search_latency.sh's generator) as JSONL,
# ingests it into a fresh store, starts `echotrace serve`, and times Q search requests
# and T trace requests one by one from a Python client on loopback (connection included).
# Usage: bench/serve_latency.sh DATASETS_DIR [N] [QUERIES] [TRACES]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}; n=${2:-10000}; q=${3:-200}; t=${4:-50}
cargo build --release -q -p echotrace-eval --features search --bin search_bench
cargo build --release -q -p echotrace
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
ECHOTRACE_BENCH_JSONL=$work/pages.jsonl target/release/search_bench "$n" "$data"
start=$(date +%s.%N)
target/release/echotrace ingest "$work/pages.jsonl" --db "$work/s.db" 2>&1 | tail -1
echo "ingest: $(echo "$(date +%s.%N) - $start" | bc) s"
bench/store_latency.sh "$work/s.db" "$work/pages.jsonl" "$q" "$t"
