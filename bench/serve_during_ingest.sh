#!/usr/bin/env bash
# Latency of the HTTP API while an ingest grows the store under it: a store of N
# generated news articles (bench/ingest_growth.sh's, built if missing) is served,
# a client sends search, story-list and story requests one after another, and
# 1,000 new pages are ingested beside it. Prints median / p99 / max per request
# kind before, during and after the ingest.
# Usage: bench/serve_during_ingest.sh [DATASETS_DIR] [N]   (default N: 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}; n=${2:-10000}
. bench/common.sh
growing_copy "$n"
start_server "$work/s.db" "$work"
echo "serve: ready in $ready_s s on a store of $n articles"
python3 - "$addr" "$new" "$work/s.db" <<'PY'
import json, random, subprocess, sys, time, urllib.request, urllib.parse
base, pages, db = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3]
rng = random.Random(7)
words = [w for l in open(pages) for w in json.loads(l)["text"].split() if w.isalpha() and len(w) > 5][:5000]
def get(path):
    t = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=120) as r:
        body = json.load(r)
    return (time.perf_counter() - t) * 1000, body
rows = {}
def run(phase, seconds=None, until=None):
    end = time.time() + (seconds or 1e9)
    while time.time() < end and (until is None or until.poll() is None):
        ms, _ = get("/api/search?" + urllib.parse.urlencode({"q": rng.choice(words), "limit": 10}))
        rows.setdefault((phase, "search: one word"), []).append(ms)
        ms, body = get("/api/stories?limit=50")
        rows.setdefault((phase, "story list (50)"), []).append(ms)
        if body["stories"]:
            sid = rng.choice(body["stories"])["id"]
            ms, _ = get("/api/stories/" + urllib.parse.quote(sid))
            rows.setdefault((phase, "one story"), []).append(ms)
run("before", seconds=10)
t = time.time()
ing = subprocess.Popen(["target/release/echotrace", "ingest", pages, "--db", db, "--quiet"], stderr=subprocess.DEVNULL)
run("during", until=ing)
ing.wait()
done = time.time()
print(f"ingest of 1,000 pages beside the server: {done - t:.1f} s")
# How long after the ingest the server shows every new article (it refreshes in the background).
want = int(subprocess.run(["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from articles').fetchone()[0])", db], capture_output=True, text=True).stdout)
while get("/api/status")[1]["articles"] < want:
    time.sleep(0.05)
print(f"the server showed all {want} articles {time.time() - done:.2f} s after the ingest ended")
run("after", seconds=10)
def pct(v, p):
    v = sorted(v); return v[round((len(v) - 1) * p)]
print("| phase | request | runs | median ms | p99 ms | max ms |")
print("| --- | --- | --- | --- | --- | --- |")
for (phase, name), v in rows.items():
    print(f"| {phase} | {name} | {len(v)} | {pct(v, .5):.1f} | {pct(v, .99):.1f} | {max(v):.1f} |")
PY
