#!/usr/bin/env bash
# What the multilingual model costs on a generated multilingual corpus: N real
# English articles per language, each carrying four planted Tatoeba sentences,
# and N articles in each of ten languages carrying their translations among
# other sentences of that language (bin gen_multilingual; 20*N pages in 11
# languages). Runs `analyze` without and with `--embed` (multilingual-e5-small,
# scripts/fetch-model.sh e5), each with its stage timings, then grows a store in
# ten `ingest --embed` runs of a tenth each. Prints seconds, peak memory,
# passages by kind and how many planted translations were found (a translation
# passage between a planted pair), and the stage timings of the model run.
# Usage: bench/multilingual_cost.sh [N_PER_LANGUAGE] [DATASETS_DIR] [MODEL_DIR]
# ROUNDS=R repeats the generation R times with other draws (other planted sentences,
# other fillers; the English base articles recur), for corpora past what one draw gives.
# INGEST=0 leaves out the ten ingests (at N=500, 10,000 pages, they double the run).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
data=${2:-../shared/datasets}
model=${3:-$HOME/.cache/echotrace/models/multilingual-e5-small}
[ -f "$model/echotrace.json" ] || { echo "no multilingual model in $model: run scripts/fetch-model.sh e5" >&2; exit 2; }
cargo build --release -q --features embed --bin echotrace
cargo build --release -q -p echotrace-eval --bin gen_multilingual
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/gen_multilingual "$n" "$data" "$work" "${ROUNDS:-1}"
# Exit code 3 means some pages gave diagnostics (a generated page with no article text): go on.
ok3() { local rc=$?; [ "$rc" -eq 3 ] || exit "$rc"; }
count() { # report.json or (articles.jsonl passages.jsonl) -> passages by kind, planted pairs found
  python3 - "$@" <<'PY'
import json, sys, collections, re
if len(sys.argv) == 2:
    r = json.load(open(sys.argv[1])); arts, ps = r["articles"], r["passages"]
else:
    arts = [json.loads(l) for l in open(sys.argv[1])]; ps = [json.loads(l) for l in open(sys.argv[2])]
url = {a["id"]: a["origin"]["url"] for a in arts}
lang = {a["id"]: a["language"] for a in arts}
c = collections.Counter((p["kind"], lang[p["a"]["article"]] != lang[p["b"]["article"]]) for p in ps)
kinds = ", ".join(f"{k} {'cross' if x else 'same'}: {n}" for (k, x), n in sorted(c.items()))
# A planted pair: https://<code>.example/en<c> and https://<code>.example/<code><c>.
def case(u):
    m = re.match(r"https://(\w+)\.example/(\w+?)(\d+)$", u)
    return (m.group(1), m.group(3)) if m else None
found = {case(url[p["a"]["article"]]) for p in ps if p["kind"] == "translation"
         and case(url[p["a"]["article"]]) == case(url[p["b"]["article"]])
         and url[p["a"]["article"]] != url[p["b"]["article"]]}
print(f"{kinds} | {len(found)}")
PY
}
printf '| run | seconds | peak RSS MB | passages (kind, same/cross-language: count) | planted pairs found (of %d) |\n| --- | --- | --- | --- | --- |\n' "$(cat "$work/planted_count")"
for run in lexical model; do
  flags=()
  [ "$run" = model ] && flags=(--embed --model "$model")
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/echotrace analyze "$work/pages.jsonl" "${flags[@]}" --out "$work/$run" --quiet --timings 2> "$work/$run.timings" || ok3
  read -r secs kb < <(tail -n 1 "$work/time")  # after "Command exited with non-zero status 3", if any
  printf '| analyze, %s | %s | %d | %s |\n' "$run" "$secs" $((kb / 1024)) "$(count "$work/$run/report.json")"
done
if [ "${INGEST:-1}" != 0 ]; then
split -n l/10 -d --additional-suffix=.jsonl "$work/pages.jsonl" "$work/part"
total=0; peak=0
for part in "$work"/part*.jsonl; do
  /usr/bin/time -f "%e %M" -o "$work/time" target/release/echotrace ingest --db "$work/store.db" --embed --model "$model" --quiet "$part" 2>/dev/null || ok3
  read -r secs kb < <(tail -n 1 "$work/time")  # after "Command exited with non-zero status 3", if any
  total=$(python3 -c "print(round($total + $secs, 2))"); [ "$kb" -gt "$peak" ] && peak=$kb
done
target/release/echotrace export --db "$work/store.db" --format jsonl-passages --quiet > "$work/sp.jsonl"
target/release/echotrace export --db "$work/store.db" --format jsonl-articles --quiet > "$work/sa.jsonl"
printf '| ingest --embed, 10 parts | %s | %d | %s |\n' "$total" $((peak / 1024)) "$(count "$work/sa.jsonl" "$work/sp.jsonl")"
fi
echo
echo "stage timings, analyze with the model:"
grep -E '^echotrace: +[a-z]' "$work/model.timings" | grep -v -- '->' || true
