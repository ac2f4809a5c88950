#!/usr/bin/env bash
# Search and trace latency through the HTTP API on an existing store: starts
# `echotrace serve` on it and times Q search requests and T trace requests one by
# one from a Python client on loopback (connection included). Queries and trace
# passages are drawn with a fixed seed from PAGES_JSONL (the pages the store holds).
# Usage: bench/store_latency.sh DB PAGES_JSONL [QUERIES] [TRACES]
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1; pages=$2; q=${3:-200}; t=${4:-50}
. bench/common.sh
cargo build --release -q -p echotrace
work=$(mktemp -d); server=""
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
echo "store: $(du -sh "$db" | cut -f1) ($db), search index $(du -sh "$db.search" 2>/dev/null | cut -f1)"
start_server "$db" "$work"
echo "serve: analysis of the store ready in $ready_s s"
python3 - "$addr" "$pages" "$q" "$t" <<'PY'
import json, random, sys, time, urllib.request, urllib.parse
base, pages, nq, nt = sys.argv[1].rstrip('/'), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
texts = [json.loads(l)["text"] for l in open(pages)]
rng = random.Random(7)
def timed(req):
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = json.load(r)
    return (time.perf_counter() - t) * 1000, body
def pct(v, p):
    v = sorted(v); return v[round((len(v) - 1) * p)]
rows = {"search: one word": [], "search: two-word phrase": [], "search: two words, date range": [], "trace: 20-word passage": []}
for _ in range(nq):
    words = [w for w in texts[rng.randrange(len(texts))].split() if w.isalpha() and len(w) > 4]
    if len(words) < 3: continue
    k = rng.randrange(len(words) - 2)
    for name, params in [("search: one word", {"q": words[k]}),
                         ("search: two-word phrase", {"q": f'"{words[k]} {words[k+1]}"'}),
                         ("search: two words, date range", {"q": f"{words[k]} {words[k+2]}", "from": "2023-02-05", "to": "2023-02-12"})]:
        ms, _ = timed(base + "/api/search?" + urllib.parse.urlencode({**params, "limit": 10}))
        rows[name].append(ms)
found = 0
for _ in range(nt):
    body = texts[rng.randrange(len(texts))].split("\n\n", 2)[-1].split()
    passage = " ".join(body[10:30])
    req = urllib.request.Request(base + "/api/trace", data=json.dumps({"text": passage}).encode(), headers={"Content-Type": "application/json"})
    ms, res = timed(req)
    found += bool(res["hits"])
    rows["trace: 20-word passage"].append(ms)
print("| request (HTTP, loopback) | runs | median ms | p99 ms |")
print("| --- | --- | --- | --- |")
for name, v in rows.items():
    print(f"| {name} | {len(v)} | {pct(v, .5):.2f} | {pct(v, .99):.2f} |")
print(f"trace requests that found their source article: {found}/{nt}")
PY
