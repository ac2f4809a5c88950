#!/usr/bin/env bash
# Search and trace latency (median, p99) on N generated articles (default 10000).
# Usage: bench/search_latency.sh DATASETS_DIR [N] [QUERIES] [TRACES]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p echotrace-eval --features search --bin search_bench
target/release/search_bench "${2:-10000}" "${1:-../shared/datasets}" "${3:-200}" "${4:-50}"
