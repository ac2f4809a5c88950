#!/usr/bin/env bash
# Speed and peak memory of the stories and provenance stages by corpus size,
# on the planted-reuse corpus of bench/reuse_scale.sh. One process per size.
# Usage: bench/stories_scale.sh DATASETS_DIR [SIZES...]   (default sizes: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
datasets=${1:-../shared/datasets}
shift || true
sizes=${*:-1000 10000}
cargo build --release -q -p echotrace-eval --bin stories_bench
echo "| articles | passages | stories | edges | reuse s | stories s | provenance s | peak MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for n in $sizes; do
  target/release/stories_bench "$n" "$datasets" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("| {articles} | {passages} | {stories} | {edges} | {seconds_reuse:.2f} | {seconds_stories:.2f} | {seconds_provenance:.2f} | {peak_rss_mib:.0f} |".format(**r))'
done
