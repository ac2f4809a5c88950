#!/usr/bin/env bash
# What watches cost an ingest: a store of N news articles (the collection benches' news crawl)
# grows by M more pages (another crawl of the same generator, seed 11) with 0, 1,000 and 10,000
# watches, each a 30-word window of a random page of either crawl (seeded), so that many fire,
# and with one velocity watch over every story (3 new independent outlets within 6 h), which
# counts the members of every story the new pages join.
# Prints seconds, milliseconds per added page, the ratio to no watches, alerts raised and peak RSS.
#
# Usage: bench/watch_cost.sh [DATASETS_DIR] [N] [M]   (defaults ../shared/datasets 10000 2000)
set -euo pipefail
data=${1:-../shared/datasets}
n=${2:-10000}
m=${3:-2000}
. bench/common.sh
build_bench_tools
base=$(news_store "$n")
extra=$(crawl "news-extra-$m" "$m" --seed 11)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# watches K: K watches as JSON lines, drawn from both crawls.
watches() {
  python3 - "$1" "$crawls/news-$n/pages.jsonl" "$extra" <<'EOF'
import json, random, sys
k = int(sys.argv[1]); rng = random.Random(42)
texts = []
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            body = json.loads(line).get("text") or json.loads(line).get("body") or ""
            words = body.split()
            if len(words) >= 40:
                texts.append(words)
for i in range(k):
    w = rng.choice(texts); s = rng.randrange(0, len(w) - 30)
    print(json.dumps({"id": f"b{i}", "text": " ".join(w[s:s + 30]), "name": f"bench {i}"}))
EOF
}

echo "| watches | ingest of $m pages into the $n-article store (s) | ms per page | vs no watches | alerts | peak RSS MiB |"
echo "| --- | --- | --- | --- | --- | --- |"
base_s=""
for k in 0 1000 10000 velocity; do
  db="$work/w$k.db"
  cp "$base" "$db"
  [ -d "$base.search" ] && cp -r "$base.search" "$db.search"
  if [ "$k" = velocity ]; then
    target/release/echotrace watch add --db "$db" --velocity 3 --within 6h >/dev/null 2>&1
  elif [ "$k" -gt 0 ]; then
    watches "$k" > "$work/w.jsonl"
    target/release/echotrace watch import --db "$db" "$work/w.jsonl" 2>/dev/null
  fi
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/echotrace ingest "$extra" --db "$db" --quiet 2>/dev/null || true
  read -r s kb < "$work/time"
  alerts=$(target/release/echotrace alerts --db "$db" --json --limit 100000000 | wc -l)
  [ -z "$base_s" ] && base_s=$s
  printf "| %s | %.1f | %.2f | %.2f | %s | %d |\n" "$k" "$s" "$(echo "$s * 1000 / $m" | bc -l)" \
    "$(echo "$s / $base_s" | bc -l)" "$alerts" "$((kb / 1024))"
done
