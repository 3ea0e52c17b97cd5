"""What corrections cost a corpus build: the same cached corpus read with and without a corrections
file naming one cell in K of its N reports, and the review queue over it.

    python benchmarks/corrections_apply.py 1000 100
"""
from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

import govreports as gr
from govreports import analysis as ga
from govreports.render import write_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=1000, help="reports")
    parser.add_argument("k", type=int, nargs="?", default=100, help="reports with a correction")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = write_corpus(tmp / "reports", args.n, seed=3)
        cache = tmp / "cache"
        gr.read_corpus(tmp / "reports", workers=1, cache=cache, progress=False)  # fill the cache
        lines = ["sha256,table,key,column,value,note"]
        for p in paths[:: max(1, len(paths) // args.k)][: args.k]:
            lines.append(f"{hashlib.sha256(p.read_bytes()).hexdigest()},requests,granted,total,1,benchmark")
        corrections = tmp / "corrections.csv"
        corrections.write_text("\n".join(lines) + "\n", encoding="utf-8")

        start = time.perf_counter()
        plain = gr.read_corpus(tmp / "reports", workers=1, cache=cache, progress=False)
        t_plain = time.perf_counter() - start
        start = time.perf_counter()
        fixed = gr.read_corpus(tmp / "reports", workers=1, cache=cache, progress=False, corrections=corrections)
        t_fixed = time.perf_counter() - start
        start = time.perf_counter()
        q = ga.review_queue(fixed, context=False)
        t_queue = time.perf_counter() - start
        n_fixed = int(fixed.requests["corrected"].fillna(False).sum())
    print(f"{args.n} reports from the cache: {t_plain:.2f} s plain, {t_fixed:.2f} s with {n_fixed} corrected cells "
          f"in {args.k} reports ({(t_fixed - t_plain) / max(1, args.k) * 1000:.1f} ms per corrected report)")
    print(f"review queue (no context): {len(q)} flags in {t_queue:.2f} s; plain corpus had "
          f"{len(plain.findings)} findings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
