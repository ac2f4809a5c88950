#!/usr/bin/env bash
# What the default `echotrace` binary costs to build and ship: dependency count (cargo tree of
# the default features, normal edges), html5ever copies, whether html2text is linked, release
# binary size, and a clean release build's wall time on this machine.
#
# Usage: bench/build_footprint.sh [REV...]   (default: HEAD; each REV is checked out into a
# temporary worktree and built there from scratch, one after the other, so run it on an idle
# machine). Prints one table row per revision.
set -euo pipefail
cd "$(dirname "$0")/.."
revs=("$@"); [ ${#revs[@]} -eq 0 ] && revs=(HEAD)
echo "| revision | crates in the default build | html5ever copies | html2text | binary MB | clean release build s |"
echo "| --- | --- | --- | --- | --- | --- |"
for rev in "${revs[@]}"; do
  work=$(mktemp -d)
  git worktree add -q --detach "$work/src" "$rev"
  (
    cd "$work/src"
    tree=$(cargo tree -e normal -p echotrace --prefix none 2>/dev/null | sed 's/ (\*)//' | sort -u)
    crates=$(echo "$tree" | wc -l)
    h5=$(echo "$tree" | grep -c '^html5ever ' || true)
    h2t=$(echo "$tree" | grep -q '^html2text ' && echo yes || echo no)
    start=$(date +%s.%N)
    CARGO_TARGET_DIR="$work/target" cargo build --release -q -p echotrace 2>/dev/null
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    size=$(stat -c %s "$work/target/release/echotrace")
    printf "| %s | %s | %s | %s | %.1f | %.0f |\n" "$(git rev-parse --short HEAD)" "$crates" "$h5" "$h2t" \
      "$(echo "$size / 1048576" | bc -l)" "$secs"
  )
  git worktree remove --force "$work/src"
  rm -rf "$work"
done
