#!/usr/bin/env bash
# Memory of `echotrace serve` on a store: seconds until it listens, resident memory once it
# listens, its peak so far, then the same after one request of each kind (an article, the largest
# story, a search, a trace, the jsonl-articles export read to the end).
# Usage: bench/serve_memory.sh STORE
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1
[ -s "$db" ] || { echo "serve_memory: no store at $db"; exit 1; }
cargo build --release -q --bin echotrace
work=$(mktemp -d); server=""
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
. bench/common.sh
start_server "$db" "$work"
mib() { awk -v k="$1" '$1 == k":" {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }
echo "| moment | seconds | RSS MiB | peak RSS MiB |"
echo "| --- | --- | --- | --- |"
printf '| listening | %.1f | %s | %s |\n' "$ready_s" "$(mib VmRSS)" "$(mib VmHWM)"
story=$(curl -sf "${addr%/}/api/stories?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["stories"][0]["id"])')
t0=$(date +%s.%N)
curl -sf -o /dev/null "${addr%/}/api/articles/a1"
curl -sf -o /dev/null "${addr%/}/api/stories/$story"
curl -sf -o /dev/null "${addr%/}/api/search?q=ministry"
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
  -d '{"text": "the ministry said in a statement that the security situation remained under control"}' "${addr%/}/api/trace"
curl -sf -o "$work/articles.jsonl" "${addr%/}/api/export/jsonl-articles"
printf '| after an article, story %s, a search, a trace and the %s-line articles export | %.1f | %s | %s |\n' \
  "$story" "$(wc -l <"$work/articles.jsonl")" "$(echo "$(date +%s.%N) - $t0" | bc)" "$(mib VmRSS)" "$(mib VmHWM)"
