#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for a bounded time and prints a Markdown
# table: target | seconds | executions | execs/s | new corpus units | crashes.
# Exits 1 when any target crashed (panic, failed assertion, timeout or out of memory): the
# input is in fuzz/artifacts/TARGET/, replay it with `cargo fuzz run -s none TARGET FILE`.
# Usage: bench/fuzz.sh [SECONDS_PER_TARGET]   (default 60; FUZZ_FLAGS: more libFuzzer flags)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); runs on the stable toolchain with
# RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only flags).
#
# `-s none`, no sanitizer: AddressSanitizer finds memory errors in unsafe code only (here that
# is in dependencies; SQLite's C sources are not instrumented by it), and on this 2-core
# machine it cost 2 to 4 times the executions: router 107 against 235 execs/s, report_writers
# 5 against 20 (20 s each from the seed corpora, `-seed=1`), ingest replaying a corpus of
# 5,903 inputs in 3.1 s against 0.8 s; its build of the six targets took 34.5 min against 17
# (the ASan one niced, beside other builds: not a clean comparison). Panics, failed
# assertions, and overflow checks and debug assertions (on in fuzz builds) are caught without
# it. `--codegen-units 16` (cargo-fuzz's default is 1): more of each crate's code generation
# runs in parallel; not measured against 1 here.
#
# Corpora grow in fuzz/corpus/TARGET (git-ignored), seeded on the first run from examples/
# with inputs of about a KiB: the targets run at tens of microseconds a byte when instrumented
# (the date patterns), so whole seed pages of 5-7 KiB held dates to 13 executions a second.
# Crash inputs and each target's log go to fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
export RUSTC_BOOTSTRAP=1
flags=(-s none --codegen-units 16)
seeds=examples/seeds

# seed TARGET: writes the first corpus of TARGET when it has none. A subshell without pipefail:
# `awk ... | head -c N` ends awk with SIGPIPE (exit 141) whenever head stops reading first.
seed() (
  set +o pipefail
  local t=$1 dir=fuzz/corpus/$1 f i=0
  [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && return
  mkdir -p "$dir"
  case $t in
  ingest)
    # A selector byte (the container format), then the bytes.
    for f in "$seeds"/*; do
      { printf '\005'; head -c 1024 "$f"; } >"$dir/text-$i"
      { printf '\006'; head -c 1024 "$f"; } >"$dir/sniff-$i"
      i=$((i + 1))
    done
    printf '\002{"url": "https://example.com/a", "fetched_at": "2023-02-14T10:00:00Z", "text": "Title\\n\\nUS forces in Syria are training militants, the SVR said.\\nShare"}\n{"url": "https://example.com/b", "html": "<p>Hello there world</p>"}\n' >"$dir/jsonl"
    ;;
  extract_text | dates)
    # Each seed's first KiB (site chrome, headline) and a KiB of its article lines.
    for f in "$seeds"/*; do
      head -c 1024 "$f" >"$dir/top-$i"
      awk 'length($0) > 80' "$f" | head -c 1024 >"$dir/body-$i"
      i=$((i + 1))
    done
    ;;
  extract_html)
    # Each seed page as a small article page: title, then one paragraph a line.
    for f in "$seeds"/*; do
      awk 'NR == 1 { printf "<html><head><title>%s</title></head><body><nav><a href=\"/\">Home</a></nav><article>\n", $0; next }
           length($0) > 60 && (n += length($0)) < 1200 { printf "<p>%s</p>\n", $0 }
           END { print "</article><footer>(c) Example</footer></body></html>" }' "$f" >"$dir/page-$i.html"
      i=$((i + 1))
    done
    ;;
  router)
    # A selector byte (method: 0 GET, 1 POST, 3 HEAD; content type: bits 3-5), the target, `\n`, the body.
    local q
    for q in /api/status /api/stories "/api/stories?limit=2&offset=1" /api/stories/s1 /api/stories/s2 \
      /api/articles "/api/articles?story=s1&outlet=x&limit=1" /api/articles/a1 /api/articles/a5 /api/articles/a0 \
      /api/passages "/api/passages?article=a2" "/api/search?q=ISIS&limit=5" "/api/search?q=%22unclosed" \
      /api/export/gexf /api/export/graphml /api/export/csv-claims /api/export/csv-quotes \
      /api/export/jsonl-articles /api/export/jsonl-passages /api/export/claimreview /api/nothing / /static/app.js; do
      printf '\000%s\n' "$q" >"$dir/get-$i"
      i=$((i + 1))
    done
    printf '\011/api/trace\n{"text": "the US military is actively recruiting militants from jihadist groups"}' >"$dir/trace"
    printf '\001/api/reload\n' >"$dir/reload"
    printf '\021/api/ingest?name=up.txt\nUS forces in Syria are training militants, the SVR said on Monday in a statement.\n' >"$dir/ingest-text"
    printf '\031/api/ingest?format=jsonl\n{"url": "https://x.example/", "html": "<p>Hello there world</p>"}\n{bad\n' >"$dir/ingest-jsonl"
    ;;
  report_writers)
    # A selector byte, then pages separated by NUL: three seeds that share passages, cut short.
    {
      printf '\007'
      for f in $(ls "$seeds"/* | tail -3); do
        [ $i -gt 0 ] && printf '\000'
        printf 'https://example.com/%s\n' "$i"
        awk 'length($0) > 80' "$f" | head -c 600
        i=$((i + 1))
      done
    } >"$dir/three-pages"
    awk 'length($0) > 80' "$(ls "$seeds"/* | head -1)" | head -c 1500 >"$dir/one-page"
    ;;
  parquet_pages)
    # The target damages a valid table it writes itself: keep it whole, cut it, flip a byte.
    printf '\377\377' >"$dir/whole"
    printf '\100\000' >"$dir/cut"
    printf '\377\377\040\000\001' >"$dir/flip"
    ;;
  esac
)

targets=$(cargo fuzz list)
start=$SECONDS
cargo fuzz build "${flags[@]}" >&2
build_s=$((SECONDS - start))
echo "built $(echo "$targets" | wc -w) fuzz targets in ${build_s} s" >&2

stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
failed=0
rows=()
for t in $targets; do
  seed "$t"
  mkdir -p "fuzz/artifacts/$t"
  log=fuzz/artifacts/$t.log
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
  t0=$SECONDS
  # -timeout: one input taking 30 s on inputs of a few KiB is a hang worth reporting.
  if cargo fuzz run "${flags[@]}" "$t" -- -max_total_time="$secs" -print_final_stats=1 \
    -timeout=30 "${dict[@]}" ${FUZZ_FLAGS:-} >"$log" 2>&1; then
    crash=0
  else
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | paste -sd ' ')
    crash=${crash:-"failed, see $log"}
    failed=1
    echo "== $t crashed ($log):" >&2
    grep -A6 -e 'panicked at' -e 'ERROR: libFuzzer' "$log" | grep -v '^ *at \|^ *[0-9]*: ' >&2 || true
    grep -A2 '^Reproduce with' "$log" >&2 || true
  fi
  wall=$((SECONDS - t0))
  rows+=("| $t | $wall | $(stat number_of_executed_units "$log") | $(stat average_exec_per_sec "$log") | $(stat new_units_added "$log") | $crash |")
done

echo "| target | seconds | executions | execs/s | new corpus units | crashes |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
echo "fuzz build: ${build_s} s; ${secs} s per target"
exit $failed
