"""Write a synthetic corpus of N reports (all text/HTML layouts) for the corpus benchmarks.

    python benchmarks/make_corpus.py 10000 /tmp/corpus10k
"""
from __future__ import annotations

import argparse
import time

from govreports.render import write_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of reports")
    parser.add_argument("out", help="folder to write them into")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = write_corpus(args.out, args.n, seed=args.seed)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} reports, {size / 1e6:.1f} MB, written to {args.out} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
