#!/usr/bin/env bash
# kill -9 during an incremental ingest into a large store: a copy of the store of
# N generated articles (bench/ingest_growth.sh's) receives 1,000 new pages; the
# ingest is killed after each of several delays, and each time the store must pass
# SQLite's integrity check and the store's invariants (every page has its article),
# keep every page it had, and a re-run must complete it to N + 1,000 pages with
# nothing left unaligned, unread or out of a story, and with the passages and
# stories of an uninterrupted ingest (kills late enough land while the new
# articles are placed in stories). Prints one line per kill.
# Usage: bench/kill_during_ingest.sh [DATASETS_DIR] [N]   (default N: 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}; n=${2:-100000}
. bench/common.sh
build_bench_tools
new=$(crawl new-1000 1000 --seed 7)
db=$(news_store "$n")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
count() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(*c.execute(\"select (select count(*) from pages), (select count(*) from articles), (select count(*) from articles where aligned = 0 or indexed = 0), (select count(*) from articles a left join article_claims c on c.article_id = a.id where c.article_id is null), (select count(*) from passages), (select count(*) from articles where story is null), (select count(distinct story) from articles)\").fetchone())" "$1"; }
check() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])" "$1"; }
read -r base _ <<<"$(count "$db")"
# The passages an uninterrupted ingest stores, to compare each killed-and-resumed one with.
cp "$db" "$work/s.db"; rm -f "$work/s.db-wal" "$work/s.db-shm"
target/release/echotrace ingest "$new" --db "$work/s.db" --quiet --batch-pages 64 2>/dev/null || [ $? -eq 3 ]
read -r _ _ _ _ want _ want_stories <<<"$(count "$work/s.db")"
echo "store: $base pages; an uninterrupted ingest of the new pages ends with $want passages and $want_stories stories"
echo "each line: delay, pages after the kill, integrity, pages after the re-run, left unaligned/unread/unplaced, passages, stories"
for delay in 0.5 1.5 2.5 3.5 4.5 5.5; do
  cp "$db" "$work/s.db"; rm -f "$work/s.db-wal" "$work/s.db-shm"
  target/release/echotrace ingest "$new" --db "$work/s.db" --quiet --batch-pages 64 2>/dev/null &
  pid=$!
  sleep "$delay"; kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  read -r p a un nc ps _ _ <<<"$(count "$work/s.db")"
  ok=$(check "$work/s.db")
  [ "$p" = "$a" ] && [ "$p" -ge "$base" ] || { echo "FAIL: pages $p articles $a (had $base)"; exit 1; }
  target/release/echotrace ingest "$new" --db "$work/s.db" --quiet --batch-pages 64 2>/dev/null || [ $? -eq 3 ]
  read -r p2 a2 un2 nc2 ps2 np2 st2 <<<"$(count "$work/s.db")"
  echo "kill after ${delay}s: $((p - base)) new pages kept, integrity $ok; re-run: $((p2 - base)) new pages, $un2 unaligned, $nc2 without claims, $np2 unplaced, $ps2 passages, $st2 stories"
  [ "$ok" = "ok" ] && [ "$un2" = 0 ] && [ "$nc2" = 0 ] && [ "$np2" = 0 ] && [ "$ps2" = "$want" ] && [ "$st2" = "$want_stories" ] || { echo FAIL; exit 1; }
done
