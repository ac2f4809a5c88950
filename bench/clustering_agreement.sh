#!/usr/bin/env bash
# Stories of a grown collection against one analysis, on real mixed-language
# news: the clustering development set (English, Indonesian, Chinese; only each
# article's title and sentences are read) as JSONL pages, analysed at once by
# `echotrace analyze` and grown into a store by PARTS `ingest` runs, lexical and
# with `--embed` (multilingual-e5-small, scripts/fetch-model.sh e5; that row is
# left out when the model is missing). Prints each partition's agreement with
# the other and both against the gold events (catch-all as singletons).
# Usage: bench/clustering_agreement.sh [DATASETS_DIR] [MODEL_DIR] [PARTS]   (defaults: ../shared/datasets, ~/.cache/echotrace/models/multilingual-e5-small, 10)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
model=${2:-$HOME/.cache/echotrace/models/multilingual-e5-small}
parts=${3:-10}
runs=(lexical)
if [ -f "$model/echotrace.json" ]; then
  cargo build --release -q --features embed --bin echotrace
  runs+=(model)
else
  echo "no multilingual model in $model (scripts/fetch-model.sh e5): lexical only" >&2
  cargo build --release -q --bin echotrace
fi
cargo build --release -q -p echotrace-eval --bin story_agreement
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$data/clustering/mds_ac_dev.json" "$work/pages.jsonl" "$work/gold.jsonl" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
sizes = collections.Counter(d["clusters"])
catch_all = max(sizes, key=sizes.get)
with open(sys.argv[2], "w") as f, open(sys.argv[3], "w") as g:
    for i, a in enumerate(d["articles"]):
        url = f"https://example.org/a{i}"
        text = a["title"] + "\n\n" + "\n\n".join(s["content"] for s in a["sentences"])
        f.write(json.dumps({"url": url, "text": text}) + "\n")
        c = d["clusters"][i]
        g.write(json.dumps({"origin": {"url": url}, "story": f"single{i}" if c == catch_all else f"event{c}"}) + "\n")
PY
split -n "l/$parts" -d "$work/pages.jsonl" "$work/part-"
echo "| run | ingests | stories (analyze) | stories (store) | store vs analyze F1 | analyze vs gold F1 | store vs gold F1 |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
f1() { target/release/story_agreement "$1" "$2" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["pairwise_f1"], r["stories_a"], r["stories_b"])'; }
for run in "${runs[@]}"; do
  flags=()
  [ "$run" = model ] && flags=(--embed --model "$model")
  target/release/echotrace analyze "$work/pages.jsonl" "${flags[@]}" --out "$work/$run-once" --quiet 2>/dev/null
  target/release/echotrace export --format jsonl-articles --report "$work/$run-once/report.json" --out "$work/$run-once.jsonl"
  for p in "$work"/part-??; do
    cp "$p" "$p.jsonl"
    target/release/echotrace ingest "$p.jsonl" --db "$work/$run.db" "${flags[@]}" --quiet 2>/dev/null
  done
  target/release/echotrace export --format jsonl-articles --db "$work/$run.db" --out "$work/$run-grown.jsonl"
  read -r agree sa sb < <(f1 "$work/$run-once.jsonl" "$work/$run-grown.jsonl")
  read -r once_gold _ _ < <(f1 "$work/$run-once.jsonl" "$work/gold.jsonl")
  read -r grown_gold _ _ < <(f1 "$work/$run-grown.jsonl" "$work/gold.jsonl")
  echo "| $run | $parts | $sa | $sb | $agree | $once_gold | $grown_gold |"
done
