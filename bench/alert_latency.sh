#!/usr/bin/env bash
# From a page arriving to its alert reaching a webhook, while a crawl streams in: a store of N
# generated news articles is served (`echotrace serve` drains the outbox every 2 s), with K text
# watches (30-word windows of the incoming pages, seeded, so that many fire), one velocity watch
# over every story (3 independent outlets within 6 h) and a webhook on a local receiver. The
# incoming crawl (1,000 pages, seed 7) is uploaded through `POST /api/ingest` in batches of B
# pages, one after another with a 1 s pause, as a crawler pushes what it fetched.
# An alert's latency: from the start of its page's upload to the receiver getting the POST.
# Prints alerts received by kind, the upload times, and latency median / p95 / max.
#
# Usage: bench/alert_latency.sh [DATASETS_DIR] [N] [K] [B]   (defaults ../shared/datasets 10000 1000 50)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}; n=${2:-10000}; k=${3:-1000}; b=${4:-50}
. bench/common.sh
growing_copy "$n"
python3 - "$k" "$new" > "$work/watches.jsonl" <<'PY'
import json, random, sys
k = int(sys.argv[1]); rng = random.Random(42)
texts = [l.split() for l in (json.loads(x).get("text") or "" for x in open(sys.argv[2])) if len(l.split()) >= 40]
for i in range(k):
    w = rng.choice(texts); s = rng.randrange(0, len(w) - 30)
    print(json.dumps({"id": f"b{i}", "text": " ".join(w[s:s + 30])}))
PY
target/release/echotrace watch import --db "$work/s.db" "$work/watches.jsonl" 2>/dev/null
target/release/echotrace watch add --db "$work/s.db" --velocity 3 --within 6h --name breaking >/dev/null 2>&1
start_server "$work/s.db" "$work"
python3 - "$addr" "$new" "$work" "$b" <<'PY'
import http.server, json, os, sqlite3, subprocess, sys, threading, time, urllib.error, urllib.request
base, pages, work, per = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3], int(sys.argv[4])
got = []  # (time received, alert)
class Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive, as receivers in production do
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        got.append((time.time(), json.loads(body)))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook.serve_forever, daemon=True).start()
secret = os.path.join(work, "secret"); open(secret, "w").write("bench-secret-0123456789\n")
subprocess.run(["target/release/echotrace", "alerts", "webhook", "add", "--db", os.path.join(work, "s.db"),
                "--url", f"http://127.0.0.1:{hook.server_address[1]}/hook", "--secret-file", secret],
               check=True, capture_output=True)
lines = open(pages).read().splitlines()
batch_of, started, took = {}, [], []
for i in range(0, len(lines), per):
    chunk = lines[i:i + per]
    for l in chunk:
        batch_of[json.loads(l).get("url")] = len(started)
    t = time.time(); started.append(t)
    req = urllib.request.Request(base + "/api/ingest?format=jsonl", data="\n".join(chunk).encode(), method="POST")
    try:
        urllib.request.urlopen(req, timeout=600).read()
    except urllib.error.HTTPError as e:
        sys.exit(f"upload {len(started)}: HTTP {e.code}: {e.read().decode(errors='replace')}")
    took.append(time.time() - t)
    time.sleep(1)
# Wait for the outbox to empty (at most 2 minutes).
con = sqlite3.connect(os.path.join(work, "s.db"))
deadline = time.time() + 120
while time.time() < deadline:
    left = con.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    if left == 0: break
    time.sleep(0.5)
url_of = dict(con.execute("SELECT a.id, p.url FROM articles a JOIN pages p ON p.id = a.page_id"))
stored = con.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
lat, kinds = [], {}
for when, a in got:
    kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    bi = batch_of.get(url_of.get(int(a["article"][1:])))
    if bi is not None:
        lat.append(when - started[bi])
def pct(v, p):
    v = sorted(v); return v[round((len(v) - 1) * p)] if v else float("nan")
print(f"{len(lines)} pages uploaded in {len(started)} batches of {per}; upload median {pct(took, .5):.1f} s, max {max(took):.1f} s")
print(f"alerts stored: {stored}; received by the webhook: {len(got)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); still undelivered: {left}")
print("| alerts timed | median s | p95 s | max s |")
print("| --- | --- | --- | --- |")
print(f"| {len(lat)} | {pct(lat, .5):.1f} | {pct(lat, .95):.1f} | {max(lat) if lat else float('nan'):.1f} |")
PY
