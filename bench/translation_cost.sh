#!/usr/bin/env bash
# What the multilingual model costs `analyze` on real mixed-language news: the
# clustering development set (English, Indonesian, Chinese; only each article's
# title and sentences are read, never the gold fields) turned into JSONL, analysed
# without and with `--embed` (multilingual-e5-small, scripts/fetch-model.sh e5).
# Then the same pages grown into a store by ten `ingest --embed` runs of a tenth
# each (sentence vectors kept in the store, looked up in an index that grows),
# and its translation passages against analyze's.
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

# A store grown in ten ingests with the model.
split -n l/10 -d --additional-suffix=.jsonl "$work/pages.jsonl" "$work/part"
total=0; peak=0
for part in "$work"/part*.jsonl; do
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/echotrace ingest --db "$work/store.db" --embed --model "$model" --quiet "$part" 2>/dev/null
  read -r secs kb < "$work/time"
  total=$(python3 -c "print(round($total + $secs, 2))"); [ "$kb" -gt "$peak" ] && peak=$kb
done
target/release/echotrace export --db "$work/store.db" --format jsonl-passages --quiet > "$work/store-passages.jsonl"
target/release/echotrace export --db "$work/store.db" --format jsonl-articles --quiet > "$work/store-articles.jsonl"
python3 - "$work/store-articles.jsonl" "$work/store-passages.jsonl" "$work/model/report.json" "$total" $((peak / 1024)) <<'PY'
import json, sys, collections
arts = [json.loads(l) for l in open(sys.argv[1])]
url = {a["id"]: a["origin"]["url"] for a in arts}
lang = {a["id"]: a["language"] for a in arts}
ps = [json.loads(l) for l in open(sys.argv[2])]
c = collections.Counter((p["kind"], lang[p["a"]["article"]] != lang[p["b"]["article"]]) for p in ps)
kinds = ", ".join(f"{k} {'cross' if x else 'same'}: {n}" for (k, x), n in sorted(c.items()))
print(f"| ingest, model, 10 parts | {sys.argv[4]} | {sys.argv[5]} | {kinds} |")
def key(p, u):
    return (u[p["a"]["article"]], p["a"]["start"], p["a"]["end"], u[p["b"]["article"]], p["b"]["start"], p["b"]["end"])
stored = {key(p, url) for p in ps if p["kind"] == "translation"}
r = json.load(open(sys.argv[3]))
aurl = {a["id"]: a["origin"]["url"] for a in r["articles"]}
analyzed = {key(p, aurl) for p in r["passages"] if p["kind"] == "translation"}
print(f"\ntranslation passages: analyze {len(analyzed)}, grown store {len(stored)}, both {len(stored & analyzed)}")
# Stories: pairs of articles put in one story, by URL, in the store and in analyze.
def pairs(groups):
    out = set()
    for g in groups.values():
        g = sorted(g)
        out.update((x, y) for i, x in enumerate(g) for y in g[i + 1:])
    return out
store_groups = collections.defaultdict(list)
for a in arts:
    store_groups[a.get("story")].append(a["origin"]["url"])
analyze_groups = {s["id"]: [aurl[x] for x in s["articles"]] for s in r["stories"]}
sp, ap = pairs(store_groups), pairs(analyze_groups)
both = len(sp & ap)
f1 = 2 * both / (len(sp) + len(ap)) if sp or ap else 1.0
cross = lambda ps: sum(1 for x, y in ps if lang_by_url[x] != lang_by_url[y])
lang_by_url = {a["origin"]["url"]: a["language"] for a in arts}
print(f"stories: {len(store_groups)} in the grown store, {len(analyze_groups)} in analyze; same-story pairs {len(sp)} and {len(ap)} ({cross(sp)} and {cross(ap)} across languages), pairwise F1 of the store against analyze {f1:.3f}")
PY
