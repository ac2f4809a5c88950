#!/usr/bin/env bash
# What the multilingual model costs `analyze` on real mixed-language news: the
# clustering development set (English, Indonesian, Chinese; only each article's
# title and sentences are read, never the gold fields) turned into JSONL, analysed
# without and with `--embed` (multilingual-e5-small, scripts/fetch-model.sh e5).
# Prints seconds, peak memory and passages by kind, same- and cross-language.
# Usage: bench/translation_cost.sh [DATASETS_DIR] [MODEL_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
model=${2:-$HOME/.cache/echotrace/models/multilingual-e5-small}
[ -f "$model/echotrace.json" ] || { echo "no multilingual model in $model: run scripts/fetch-model.sh e5" >&2; exit 2; }
cargo build --release -q --features embed --bin echotrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$data/clustering/mds_ac_dev.json" "$work/pages.jsonl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i, a in enumerate(d["articles"]):
        text = a["title"] + "\n\n" + "\n\n".join(s["content"] for s in a["sentences"])
        f.write(json.dumps({"url": f"https://example.org/a{i}", "text": text}) + "\n")
PY
printf '| run | seconds | peak RSS MB | passages (kind, cross-language: count) |\n| --- | --- | --- | --- |\n'
for run in lexical model; do
  flags=()
  [ "$run" = model ] && flags=(--embed --model "$model")
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/echotrace analyze "$work/pages.jsonl" "${flags[@]}" --out "$work/$run" --quiet 2>/dev/null
  read -r secs kb < "$work/time"
  kinds=$(python3 - "$work/$run/report.json" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))
lang = {a["id"]: a["language"] for a in r["articles"]}
c = collections.Counter((p["kind"], lang[p["a"]["article"]] != lang[p["b"]["article"]]) for p in r["passages"])
print(", ".join(f"{k} {'cross' if x else 'same'}: {n}" for (k, x), n in sorted(c.items())))
PY
)
  printf '| %s | %s | %d | %s |\n' "$run" "$secs" $((kb / 1024)) "$kinds"
done
