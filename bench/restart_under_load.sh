#!/usr/bin/env bash
# Restart under load: `echotrace serve` on a copy of the store of N articles (default 100,000),
# read by CLIENTS connections (default 64, wrk from Debian, the soak's request mix) while an admin
# uploads new pages through `POST /api/ingest` (25 pages an upload, retried until answered, as a
# client would); the server is killed with SIGKILL RESTARTS times (default 3), 30 s apart, each time
# in the middle of the load and of an upload, and started again. Then: SQLite's integrity check, the
# articles not yet placed in a story, and every page of every answered upload looked up by URL in
# the store: it must be there, or be named in a diagnostic of its upload's answer. Prints one table row.
# Usage: bench/restart_under_load.sh [DATASETS_DIR] [N] [RESTARTS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
n=${2:-100000}
restarts=${3:-3}
clients=${4:-64}
command -v wrk >/dev/null || { echo "restart: needs wrk (apt-get install wrk)"; exit 1; }
. bench/common.sh
build_bench_tools
db_cached=$(news_store "$n")
new=$(crawl new-10000 10000 --seed 11)
work=$(mktemp -d); server=""; load=""; uploader=""
trap 'kill $server $load $uploader 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$db_cached" "$work/s.db"; cp -r "$db_cached.search" "$work/s.db.search"
prefix="soak-read-token-"; admin="soak-admin-token-0000"
{ for i in $(seq -f %02g 1 8); do echo "read $prefix$i"; done; echo "admin $admin"; } >"$work/tokens"
head -n 2500 "$new" | split -l 25 -d -a 4 --additional-suffix=.jsonl - "$work/up-"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr="http://127.0.0.1:$port"

# serve: starts the server on the fixed port (sets `server`); waits until it answers; appends the seconds taken to $work/starts.
serve() {
  local t0
  t0=$(date +%s.%N)
  target/release/echotrace serve --db "$work/s.db" --addr "127.0.0.1:$port" --token-file "$work/tokens" >/dev/null 2>>"$work/serve.log" &
  server=$!
  until curl -sf -o /dev/null -H "Authorization: Bearer $admin" "$addr/api/status"; do
    sleep 0.2
    kill -0 "$server" 2>/dev/null || { tail -5 "$work/serve.log"; exit 1; }
  done
  echo "$(date +%s.%N) - $t0" | bc >>"$work/starts"
}

serve
curl -sf -H "Authorization: Bearer $admin" "$addr/api/stories?limit=500" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("story_ids = {" + ", ".join(json.dumps(s["id"]) for s in d["stories"]) + "}")' >"$work/ids.lua"
echo "articles = $n" >>"$work/ids.lua"
seconds=$(( (restarts + 1) * 30 + 30 ))
SOAK_IDS=$work/ids.lua SOAK_TOKEN_PREFIX=$prefix wrk -t 8 -c "$clients" -d "${seconds}s" --timeout 30s --latency -s bench/soak.lua "$addr" >"$work/wrk.out" 2>&1 &
load=$!

# The uploader: every upload until it is answered (200); a refused connection while the server is down is retried.
(
  for f in "$work"/up-*.jsonl; do
    for try in $(seq 1 300); do
      code=$(curl -s -o "${f%.jsonl}.answer" -w '%{http_code}' --max-time 120 -H "Authorization: Bearer $admin" \
        -H 'Content-Type: application/x-ndjson' --data-binary @"$f" "$addr/api/ingest?format=jsonl&name=$(basename "$f")" || true)
      [ "$code" = 200 ] && { echo "$f $try" >>"$work/answered"; break; }
      echo "$f $code" >>"$work/retried"
      sleep 0.5
    done
  done
) &
uploader=$!

for r in $(seq 1 "$restarts"); do
  sleep 30
  kill -9 "$server"; wait "$server" 2>/dev/null || true
  serve
done
wait "$uploader" || true
wait "$load" || true
kill "$server"; wait "$server" 2>/dev/null || true
server=""

answered=$(wc -l <"$work/answered")
retried=$(cat "$work/retried" 2>/dev/null | wc -l)
python3 - "$work/s.db" >"$work/check" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("PRAGMA integrity_check").fetchone()[0], c.execute("SELECT count(*) FROM articles WHERE story IS NULL").fetchone()[0])
PY
read -r integrity unplaced <"$work/check"
# Every page of every answered upload is stored (by URL), or its upload's answer names it in a diagnostic.
again=$(python3 - "$work" <<'PY'
import glob, json, sqlite3, sys
work = sys.argv[1]
c = sqlite3.connect(f"{work}/s.db")
stored = {u for (u,) in c.execute("SELECT json_extract(json, '$.origin.url') FROM articles")}
missing = named = 0
for f in sorted(glob.glob(f"{work}/up-*.jsonl")):
    answer = json.load(open(f[: -len(".jsonl")] + ".answer"))
    said = " ".join(d["origin"] + " " + d["message"] for d in answer["diagnostics"])
    for i, line in enumerate(open(f), 1):
        url = json.loads(line)["url"]
        if url not in stored:
            missing += 1
            named += f":{i}" in said or url in said
print(f"{missing - named}/{missing}")
PY
)
line=$(grep '^SOAK ' "$work/wrk.out" || { cat "$work/wrk.out"; exit 1; })
python3 - "$line" "$(head -1 "$work/starts")" "$(tail -n +2 "$work/starts" | tr '\n' ' ')" "$answered" "$retried" "$integrity" "$unplaced" "$again" "$(ls "$work"/up-*.jsonl | wc -l)" <<'PY'
import sys
line, ready, restarts, answered, retried, integrity, unplaced, again, uploads = sys.argv[1:]
fields = dict(kv.split("=", 1) for kv in line.split()[1:])
statuses = dict(s.split("=") for s in fields["statuses"].split(",") if s)
ok = sum(int(v) for k, v in statuses.items() if k.startswith("2"))
server_errors = sum(int(v) for k, v in statuses.items() if k.startswith("5"))
print("| restarts (s to listen) | read requests 2xx | 5xx | refused while down | uploads answered / sent | upload retries | integrity | unplaced after | pages of answered uploads missing (unexplained/all) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
rs = ", ".join(f"{float(x):.1f}" for x in restarts.split())
print(f"| {len(restarts.split())} ({rs}; first start {float(ready):.1f}) | {ok} | {server_errors} | {fields['socket_errors']} | {answered} / {uploads} | {retried} | {integrity} | {unplaced} | {again} |")
print(f"statuses: {fields['statuses']}")
PY
