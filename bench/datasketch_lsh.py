"""datasketch MinHashLSH on the shingles echotrace's reuse bench wrote.

Usage: python3 bench/datasketch_lsh.py SHINGLES_FILE
One line per document, hex n-gram hashes. Prints one JSON object: pairs found,
seconds (MinHash + index + queries), peak memory, planted pairs found.
"""
import json
import resource
import sys
import time

import numpy as np
from datasketch import MinHash, MinHashLSH

path = sys.argv[1]
docs = []
with open(path) as f:
    for line in f:
        docs.append([bytes.fromhex(h.rjust(16, "0")) for h in line.split()])
gold = set()
with open(path + ".gold") as f:
    for line in f:
        a, b = map(int, line.split())
        gold.add((a, b))

t = time.perf_counter()
lsh = MinHashLSH(threshold=0.1, num_perm=128)
sigs = []
for i, d in enumerate(docs):
    m = MinHash(num_perm=128)
    if d:
        m.update_batch(d)
    sigs.append(m)
    lsh.insert(str(i), m)
pairs = set()
for i, m in enumerate(sigs):
    for k in lsh.query(m):
        j = int(k)
        if j != i:
            pairs.add((min(i, j), max(i, j)))
secs = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({"pairs": len(pairs), "seconds": secs, "peak_mib": peak,
                  "gold_pairs": len(gold), "gold_pairs_found": len(gold & pairs)}))
