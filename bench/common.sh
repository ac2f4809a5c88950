# Shared by the collection benches (sourced, not run): generated crawls and
# stores kept under target/, and an `echotrace serve` started on a store.
# Expects the repository root as the working directory and `data` set to DATASETS_DIR.

crawls=target/bench-crawls
stores=target/bench-stores

# Builds the binaries the benches use.
build_bench_tools() {
  cargo build --release -q --bin echotrace
  cargo build --release -q -p echotrace-eval --bin gen_crawl
  mkdir -p "$crawls" "$stores"
}

# crawl NAME N [GEN_CRAWL FLAGS...]: generates $crawls/NAME once; prints its pages file.
crawl() {
  local name=$1 n=$2
  shift 2
  [ -s "$crawls/$name/pages.jsonl" ] || target/release/gen_crawl "$n" "$data" "$crawls/$name" "$@" 2>/dev/null
  echo "$crawls/$name/pages.jsonl"
}

# news_store N: the store grown by `echotrace ingest` from the news crawl of N articles, built once; prints its path.
news_store() {
  local n=$1 db="$stores/news-$1.db" pages
  pages=$(crawl "news-$n" "$n")
  [ -s "$db" ] || target/release/echotrace ingest "$pages" --db "$db" --quiet 2>/dev/null
  echo "$db"
}

# start_server DB WORKDIR: starts `echotrace serve` on DB; sets `server` (pid),
# `addr` (base URL) and `ready_s` (seconds until it listened).
start_server() {
  local db=$1 work=$2 start
  start=$(date +%s.%N)
  # No rate limit: the latency benches drive the server from one client on purpose.
  target/release/echotrace serve --db "$db" --addr 127.0.0.1:0 --rate-limit 0 2>"$work/serve.log" &
  server=$!
  until grep -q "listening on" "$work/serve.log"; do
    sleep 0.2
    kill -0 "$server" || { cat "$work/serve.log"; exit 1; }
  done
  ready_s=$(echo "$(date +%s.%N) - $start" | bc)
  addr=$(grep -o 'http://[^ ]*' "$work/serve.log" | head -1)
}

# growing_copy N: builds the tools, the N-article news store and the 1,000-page incoming crawl
# (seed 7); copies the store into a fresh `work` directory removed on exit (with any `server`
# started on it stopped). Sets `new` (the crawl's pages file), `db` (the original) and `work`.
growing_copy() {
  build_bench_tools
  new=$(crawl new-1000 1000 --seed 7)
  db=$(news_store "$1")
  work=$(mktemp -d); server=""
  trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
  cp "$db" "$work/s.db"
  if [ -d "$db.search" ]; then cp -r "$db.search" "$work/s.db.search"; fi
}
