#!/usr/bin/env bash
# Reuse-stage speed at several corpus sizes, beside datasketch's MinHashLSH on the same shingles.
# Usage: bench/reuse_scale.sh [DATASETS_DIR] [SIZES...]   (default sizes: 1000 10000 100000)
# Installs datasketch from PyPI (pip) if it is missing. Prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/datasets}
shift || true
sizes=${*:-1000 10000 100000}
python3 -c "import datasketch" 2>/dev/null || python3 -m pip install -q datasketch
cargo build --release -q -p echotrace-eval --bin reuse_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-9s %-22s %9s %11s %9s %9s %9s %10s\n' articles system pairs planted_found seconds docs/s peak_MiB speedup
for n in $sizes; do
  ours=$(target/release/reuse_bench "$n" "$data" "$tmp/sh")
  peer=$(python3 bench/datasketch_lsh.py "$tmp/sh")
  python3 - "$n" "$ours" "$peer" <<'PY'
import json, sys
n = int(sys.argv[1]); o = json.loads(sys.argv[2]); p = json.loads(sys.argv[3])
cand = o["candidates_s"]
full = o["tokenize_s"] + o["candidates_s"] + o["align_s"]
rows = [
    ("echotrace candidates", o["pairs"], o["gold_pairs_found"], cand, o["peak_mib"]),
    ("echotrace +align", o["passages"], o["gold_pairs_found"], full, o["peak_mib"]),
    ("datasketch MinHashLSH", p["pairs"], p["gold_pairs_found"], p["seconds"], p["peak_mib"]),
]
for name, pairs, found, secs, peak in rows:
    speed = p["seconds"] / secs if secs > 0 else float("inf")
    print(f"{n:<9} {name:<22} {pairs:>9} {found:>6}/{o['gold_pairs']:<4} {secs:>9.2f} {n / secs:>9.0f} {peak:>9.0f} {speed:>9.1f}x")
PY
done
