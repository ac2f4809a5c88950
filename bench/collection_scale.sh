#!/usr/bin/env bash
# End-to-end `echotrace analyze` on generated news crawls (crates/eval/src/crawl.rs):
# seconds, articles/s, peak RSS, stage times, echo-group recall and the growth
# exponent between sizes; then the dense-reuse stress corpus at 1k articles.
# Usage: bench/collection_scale.sh [DATASETS_DIR] [SIZES...]   (default sizes: 1000 10000 100000)
# Corpora are generated once into target/bench-crawls/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
shift || true
sizes=${*:-1000 10000 100000}
cargo build --release -q --bin echotrace
cargo build --release -q -p echotrace-eval --bin gen_crawl --bin crawl_score
crawls=target/bench-crawls
mkdir -p "$crawls"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # name pages.jsonl gold.json -> one table row
  local name=$1 pages=$2 gold=$3
  /usr/bin/time -f "%e %M" -o "$out/time" target/release/echotrace analyze "$pages" --out "$out/$name" --timings --quiet 2>"$out/log" || {
    rc=$?; [ $rc -eq 3 ] || { cat "$out/log"; exit $rc; }; }
  read -r secs kb <"$out/time"
  local stages
  stages=$(grep -E '^echotrace: (extracting|aligning|claims|stories|provenance|writing) ' "$out/log" | awk '{printf "%s %s / ", $2, $3}')
  local score
  score=$(target/release/crawl_score "$out/$name/report.json" "$gold")
  python3 - "$name" "$secs" "$kb" "$score" "$stages" "$(du -k "$out/$name/report.html" | cut -f1)" <<'PY'
import json, sys
name, secs, kb, score, stages, html_kb = sys.argv[1:]
n = int(name.split("-")[1]); s = json.loads(score)
print(f"| {name} | {float(secs):.1f} | {n / float(secs):.0f} | {int(kb) / 1024:.0f} | {s['passages']} | {s['groups']} | {s['found']}/{s['echoes']} ({s['recall']:.3f}) | {int(html_kb) / 1024:.1f} | {stages.rstrip(' /')} |")
PY
  echo "$name $secs" >>"$out/times"
}

echo "| corpus | seconds | articles/s | peak MiB | passages | echo groups | echoes found | report.html MiB | stage seconds |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for n in $sizes; do
  dir="$crawls/news-$n"
  [ -s "$dir/pages.jsonl" ] || target/release/gen_crawl "$n" "$data" "$dir" 2>/dev/null
  run "news-$n" "$dir/pages.jsonl" "$dir/gold.json"
done
dir="$crawls/dense-1000"
[ -s "$dir/pages.jsonl" ] || target/release/gen_crawl 1000 "$data" "$dir" --dense 2>/dev/null
run "dense-1000" "$dir/pages.jsonl" "$dir/gold.json"
# Growth exponent between consecutive news sizes: log(t2/t1) / log(n2/n1).
python3 - "$out/times" <<'PY'
import math, sys
rows = [l.split() for l in open(sys.argv[1])]
news = [(int(n.split("-")[1]), float(t)) for n, t in rows if n.startswith("news-")]
for (n1, t1), (n2, t2) in zip(news, news[1:]):
    print(f"growth exponent {n1} -> {n2}: {math.log(t2 / t1) / math.log(n2 / n1):.2f}")
PY
