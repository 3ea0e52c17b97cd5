"""Where the README's main command spends its time, stage by stage, on data/reports.

    python benchmarks/main_job.py [PATH] [--workers N]

Prints the seconds of each stage measured on its own (start-up and imports, reading the corpus,
the summary, a kernel start, the imports inside it, the CJK font, one plot, one HTML export,
the notebooks as ``govreports run`` runs them), then the whole ``govreports run PATH -o TMP`` as
a new researcher types it (after the install), with the machine's load average beside it: on a
shared machine the load says how much of the time was someone else's.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def in_fresh_python(code: str) -> float:
    """Seconds a new interpreter takes to run ``code`` (imports are what it measures)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "data" / "reports"))
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []
    tmp = Path(tempfile.mkdtemp(prefix="main_job-"))
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.1f}", flush=True)

    rows.append(("python start + import govreports.cli", in_fresh_python("import govreports.cli")))
    rows.append(("imports of a notebook (analysis, plotting)",
                 in_fresh_python("import govreports.analysis, govreports.plotting")))

    from govreports import corpus as gc
    from govreports import notebooks as gn
    from govreports import summary

    t, c = seconds(lambda: gc.read_corpus(args.path, workers=args.workers, cache=tmp / "cache", out=tmp / "corpus"))
    rows.append((f"read the corpus ({c.counts['files']} files)", t))
    t, _ = seconds(lambda: summary.to_text(summary.summary_frame(c, by="report")))
    rows.append(("summary table", t))

    from jupyter_client.manager import start_new_kernel

    def kernel():
        km, kc = start_new_kernel(kernel_name=gn.KERNEL, stderr=subprocess.DEVNULL)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    rows.append(("start a kernel (and stop it)", seconds(kernel)[0]))

    import matplotlib
    matplotlib.use("Agg")
    from govreports import analysis as ga
    from govreports import plotting as gp

    gp._font_state.clear()
    rows.append(("register the CJK font", seconds(gp.use_cjk_font)[0]))

    def plot():
        import io

        import matplotlib.pyplot as plt
        ax = gp.plot_outcome_mix(ga.outcome_shares(c, by="agency_year"))
        ax.figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
        plt.close(ax.figure)
    rows.append(("one plot of every agency, as PNG", seconds(plot)[0]))

    one = gn.execute("cross_year", tmp / "one" / "cross_year.ipynb", {"corpus": str(tmp / "corpus")},
                     html_copy=False)
    rows.append(("one notebook in a fresh kernel (cross_year)", one.seconds))
    gn._EXPORTER = None
    rows.append(("HTML export, first (templates load)", seconds(lambda: gn.write_html(one.ipynb))[0]))
    rows.append(("HTML export, next", seconds(lambda: gn.write_html(one.ipynb))[0]))

    t, results = seconds(lambda: gn.run_all(tmp / "corpus", tmp / "reports", progress=None, workers=args.workers))
    rows.append((f"all notebooks as run does ({len(results)} runs, {args.workers or os.cpu_count()} at a time)", t))

    load = os.getloadavg()[0]
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("govreports")), "run", args.path, "-o", str(tmp / "main")],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows.append((f"the main command: govreports run (load average {load:.1f} -> {os.getloadavg()[0]:.1f})",
                 time.perf_counter() - start))

    width = max(len(name) for name, _ in rows)
    for name, t in rows:
        print(f"{name:<{width}}  {t:7.1f} s")


if __name__ == "__main__":
    main()
