#!/usr/bin/env python3
"""The Python extractors on echotrace's development pages, for `echotrace eval --external`.

Runs trafilatura (body and, through htmldate, date) and resiliparse (body; it reads no date)
on every page that `echotrace eval` scores (extraction-body, extraction-snippets,
extraction-readability, dates), with the URL where the set gives one, and writes what each
returns where `eval --external OUT` reads it:

    OUT/<system>/system.json                 {"name": ..., "pages": N, "seconds": S}
    OUT/<system>/<key with / as __>.json     {"body": ..., "date": "YYYY-MM-DD" or null}

`key` is the page's file relative to DATASETS (`dates/html/x.html.gz`). Each extractor gets
the page's raw bytes, as a user would give them (trafilatura and resiliparse detect the
encoding themselves); `seconds` is its time over all pages, one process, one thread.
A system whose package is not installed is skipped with a line on stderr.

Usage:
    python3 -m venv /tmp/pyx && /tmp/pyx/bin/pip install trafilatura lxml_html_clean resiliparse
    /tmp/pyx/bin/python bench/python_extractors.py ../shared/datasets /tmp/python-extractors
    for s in body snippets readability dates; do
      cargo run --release --features eval -- eval --set $s --external /tmp/python-extractors; done
"""

import gzip
import json
import math
import os
import sys
import time


def pages(datasets):
    """(key, url or None) of every page `echotrace eval` scores."""
    out = []
    with open(os.path.join(datasets, "extraction-body/ground-truth.json")) as f:
        for k, v in json.load(f).items():
            out.append((f"extraction-body/html/{k}.html.gz", v.get("url")))
    with open(os.path.join(datasets, "extraction-snippets/gold.json")) as f:
        for v in json.load(f).values():
            out.append((f"extraction-snippets/html/{v['file']}.gz", None))
    root = os.path.join(datasets, "extraction-readability")
    for name in sorted(os.listdir(root)):
        if os.path.isfile(os.path.join(root, name, "source.html.gz")):
            out.append((f"extraction-readability/{name}/source.html.gz", None))
    with open(os.path.join(datasets, "dates/gold.json")) as f:
        # The dates gold writes a missing date as bare NaN (Python's json reads it).
        for url, v in json.load(f).items():
            out.append((f"dates/html/{v['file']}.gz", url))
    return out


def trafilatura_system():
    try:
        import trafilatura
    except ImportError as e:
        print(f"trafilatura not installed ({e}); skipped", file=sys.stderr)
        return None

    def run(raw, url):
        doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True)
        if doc is None:
            return "", None
        if not isinstance(doc, dict):
            doc = doc.as_dict()
        return doc.get("text") or "", doc.get("date")

    return f"trafilatura {trafilatura.__version__} (Python)", run


def resiliparse_system():
    try:
        import resiliparse
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    except ImportError as e:
        print(f"resiliparse not installed ({e}); skipped", file=sys.stderr)
        return None
    try:
        from importlib.metadata import version

        v = version("resiliparse")
    except Exception:
        v = getattr(resiliparse, "__version__", "?")

    def run(raw, url):
        html = bytes_to_str(raw, detect_encoding(raw))
        return extract_plain_text(html, main_content=True), None

    return f"resiliparse {v} (Python)", run


def slug(name):
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    datasets, out = sys.argv[1], sys.argv[2]
    todo = pages(datasets)
    raws = {}
    for key, _ in todo:
        with gzip.open(os.path.join(datasets, key), "rb") as f:
            raws[key] = f.read()
    for system in (trafilatura_system(), resiliparse_system()):
        if system is None:
            continue
        name, run = system
        folder = os.path.join(out, slug(name))
        os.makedirs(folder, exist_ok=True)
        results, seconds, failed = {}, 0.0, 0
        for key, url in todo:
            if isinstance(url, float) and math.isnan(url):
                url = None
            t = time.perf_counter()
            try:
                body, date = run(raws[key], url)
            except Exception as e:  # an extractor's failure on one page is that page's miss
                print(f"{name}: {key}: {e}", file=sys.stderr)
                body, date, failed = "", None, failed + 1
            seconds += time.perf_counter() - t
            results[key] = {"body": body, "date": date[:10] if date else None}
        for key, r in results.items():
            with open(os.path.join(folder, key.replace("/", "__") + ".json"), "w") as f:
                json.dump(r, f, ensure_ascii=False)
        with open(os.path.join(folder, "system.json"), "w") as f:
            json.dump({"name": name, "pages": len(todo), "seconds": seconds}, f)
        print(
            f"{name}: {len(todo)} pages in {seconds:.1f} s "
            f"({len(todo) / max(seconds, 1e-9):.1f} pages/s, one thread), {failed} failed",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
