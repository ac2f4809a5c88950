#!/usr/bin/env bash
# Soak: `echotrace serve` on a store of N articles (default 100,000, a generated news crawl),
# under a real HTTP load generator (wrk, Debian's package) for MINUTES minutes (default 10):
# CLIENTS connections (default 64) over 8 threads, each thread a client with its own read token,
# mixing search, story, article and trace requests, while `echotrace ingest` adds 10,000 new
# pages to the same store. Prints requests/s, p50 and p99 latency, the statuses (errors other
# than 429, the per-token rate limit, must be 0), the ingest's time, and the server's peak RSS.
# Usage: bench/soak.sh [DATASETS_DIR] [N] [MINUTES] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
n=${2:-100000}
minutes=${3:-10}
clients=${4:-64}
command -v wrk >/dev/null || { echo "soak: needs wrk (apt-get install wrk)"; exit 1; }
. bench/common.sh
build_bench_tools
db_cached=$(news_store "$n")
new=$(crawl new-10000 10000 --seed 11)
work=$(mktemp -d); server=""
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$db_cached" "$work/s.db"; cp -r "$db_cached.search" "$work/s.db.search"
prefix="soak-read-token-"
{ for i in $(seq -f %02g 1 8); do echo "read $prefix$i"; done; echo "admin soak-admin-token-0000"; } >"$work/tokens"
start=$(date +%s.%N)
target/release/echotrace serve --db "$work/s.db" --addr 127.0.0.1:0 --token-file "$work/tokens" 2>"$work/serve.log" &
server=$!
until grep -q "listening on" "$work/serve.log"; do sleep 0.2; kill -0 "$server" || { cat "$work/serve.log"; exit 1; }; done
addr=$(grep -o 'http://[^ ]*' "$work/serve.log" | head -1)
echo "soak: server ready in $(python3 -c "import time; print(f'{time.time() - $start:.1f}')") s on $n articles; $clients clients for $minutes min"
# Real story ids (the 500 largest) and the article count, for the request mix.
curl -sf -H "Authorization: Bearer soak-admin-token-0000" "${addr%/}/api/stories?limit=500" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ids = ", ".join(json.dumps(s["id"]) for s in d["stories"])
print("story_ids = {" + ids + "}")' >"$work/ids.lua"
echo "articles = $n" >>"$work/ids.lua"
( /usr/bin/time -f "%e" -o "$work/ingest.time" target/release/echotrace ingest "$new" --db "$work/s.db" --quiet 2>"$work/ingest.log" || true ) &
ingest=$!
SOAK_IDS=$work/ids.lua SOAK_TOKEN_PREFIX=$prefix wrk -t 8 -c "$clients" -d "${minutes}m" --timeout 30s --latency -s bench/soak.lua "${addr%/}" >"$work/wrk.out" 2>&1 || true
wait "$ingest" || true
rss_kb=$(grep VmHWM "/proc/$server/status" | awk '{print $2}')
line=$(grep '^SOAK ' "$work/wrk.out" || { cat "$work/wrk.out"; exit 1; })
python3 - "$line" "$rss_kb" "$(cat "$work/ingest.time" 2>/dev/null || echo '?')" <<'PY'
import sys
fields = dict(kv.split("=", 1) for kv in sys.argv[1].split()[1:])
statuses = dict(s.split("=") for s in fields["statuses"].split(",") if s)
reqs, secs = int(fields["requests"]), float(fields["seconds"])
limited = int(statuses.get("429", 0))
errors = sum(int(v) for k, v in statuses.items() if not k.startswith("2") and k != "429")
errors += int(fields["socket_errors"])
print("| requests | req/s | p50 ms | p99 ms | 2xx | 429 (rate limit) | other errors | server peak RSS MiB | ingest of 10k s |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
ok = sum(int(v) for k, v in statuses.items() if k.startswith("2"))
print(f"| {reqs} | {reqs / secs:.0f} | {fields['p50_ms']} | {fields['p99_ms']} | {ok} | {limited} | {errors} | {int(sys.argv[2]) / 1024:.0f} | {sys.argv[3]} |")
print(f"statuses: {fields['statuses']}; socket errors: {fields['socket_errors']}")
PY
