"""How fast the readers turn bytes into printed lines: ``read_document`` alone, per layout and encoding.

    python benchmarks/read_speed.py [N] [REPEATS]
    python benchmarks/read_speed.py --corpus DIR [FILES] [REPEATS]

Renders N synthetic reports per layout (every text, HTML and spreadsheet layout) with the package's own
renderer and times ``govreports.readers.read_document`` on their bytes in one process, in CPU time, the
best of REPEATS passes (the machine may be shared: the best pass is the one least disturbed). For the text
and HTML layouts it also prints the time of decoding alone (``decode_text``) in each encoding the corpus
uses (UTF-8, UTF-8 with BOM, GB18030, GBK, UTF-16): GB18030 costs most on large Word-export pages.
``benchmarks/parse_speed.py`` times the whole ``read_report``.

With ``--corpus DIR`` it times ``read_document`` on the first FILES files of a folder instead (default
600; a corpus written by ``benchmarks/corpus_build.py --corpus DIR`` holds every text and HTML layout
in every encoding, ``000004_html_utf8.html``), per layout and over the whole mix, with the garbage
collector eased as ``read_report`` eases it (:mod:`govreports.lightgc`).
"""
from __future__ import annotations

import gc
import re
import sys
import time
from collections import defaultdict

from govreports.corpus import list_files
from govreports.lightgc import light_gc
from govreports.readers import decode_text, read_document
from govreports.render import ENCODINGS, IDENTITY_LAYOUTS, LAYOUTS, SHEET_LAYOUTS, ReportValues, encode, render


def best_ms(f, datas: list[bytes], repeats: int) -> float:
    """The best pass's CPU milliseconds per item of ``f`` over ``datas``."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.process_time()
        for d in datas:
            f(d)
        best = min(best, time.process_time() - t0)
    return 1000 * best / len(datas)


def main(n: int = 100, repeats: int = 5) -> None:
    print(f"read_document, CPU ms per report, best of {repeats} passes over {n} synthetic reports per layout")
    print(f"{'layout':<14}{'read_document':>14}{'KB':>7}  | decode alone in " + ", ".join(ENCODINGS))
    for layout in LAYOUTS + IDENTITY_LAYOUTS + SHEET_LAYOUTS:
        printed = [render(ReportValues.synthetic(i), layout) for i in range(n)]
        datas = [p if isinstance(p, bytes) else encode(p, "utf-8") for p in printed]
        read_ms = best_ms(lambda d: read_document(d, "bench"), datas, repeats)
        size = sum(map(len, datas)) / n / 1024
        decode = ""
        if not isinstance(printed[0], bytes):
            decode = "  ".join(f"{best_ms(lambda d: decode_text(d, 'bench', []), [encode(p, e) for p in printed], repeats):9.3f}"
                               for e in ENCODINGS)
        print(f"{layout:<14}{read_ms:>14.3f}{size:>7.1f}  | {decode}")


def on_corpus(folder: str, files: int = 600, repeats: int = 5) -> None:
    """read_document's CPU time per file on a folder's first ``files`` files, by layout (the file name
    without its number and encoding) and over them all: best of ``repeats`` passes."""
    datas: dict[str, list[bytes]] = defaultdict(list)
    for path in list_files(folder)[:files]:
        datas[re.sub(r"^\d+_|_[^_]*$", "", path.stem) or path.suffix].append(path.read_bytes())
    every = [d for group in datas.values() for d in group]
    for d in every[:50]:
        read_document(d, "warm-up")
    with light_gc():
        print(f"read_document on {len(every)} files of {folder}, CPU ms per file, best of {repeats} passes")
        print(f"{'all':<14}{best_ms(lambda d: read_document(d, 'bench'), every, repeats):>8.3f}  ({len(every)} files)")
        for layout, group in sorted(datas.items()):
            print(f"{layout:<14}{best_ms(lambda d: read_document(d, 'bench'), group, repeats):>8.3f}  ({len(group)} files)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--corpus"]:
        on_corpus(sys.argv[2], *(int(a) for a in sys.argv[3:5]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100, int(sys.argv[2]) if len(sys.argv) > 2 else 5)
