"""How fast does govreports.fetch go, and how polite is it, against sites on this machine?

Serves ``--hosts`` made-up agency sites on 127.0.0.1 (one port each: a host each), each a listing
of ``--pages`` report pages in pages of 20 with a PDF-sized attachment per report, and fetches
them all twice into a temporary folder:

1. with ``interval=0``: the fetcher's own cost (requests per second, all hosts together);
2. with ``--interval`` (default 0.05 s): the requests per second each host saw, and the smallest
   gap between two requests to one host, measured by the server;
3. the re-run on the same folder (everything stored: only the listings are asked, conditionally).

Run::

    .venv/bin/python benchmarks/fetch_speed.py                    # 2 hosts x 100 reports
    .venv/bin/python benchmarks/fetch_speed.py --hosts 4 --pages 200 --interval 0.02

Only loopback addresses are used; every loop is bounded by the numbers given.
"""
from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import govreports as gr
from govreports.fetch import Settings


def serve_site(n_reports: int, log_path: str, ready, stop, per_page: int = 20) -> None:
    """In a process of its own (so that the fetcher's threads cannot delay the server's clock):
    serve a paginated listing on 127.0.0.1, append 'time path' per request to ``log_path``."""
    lock = threading.Lock()
    attachment = b"%PDF-1.4\n" + bytes(range(256)) * 200            # about 50 KB
    n_listing = -(-n_reports // per_page)

    def body(path: str) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
        if path.startswith("/list/index"):
            k = 0 if path == "/list/index.html" else int(path.split("_")[1].split(".")[0])
            items = "".join(f'<li><a href="/r/{i}.html">第{i}号 2021年政府信息公开工作年度报告</a>'
                            f'<span>2022-01-{1 + i % 28:02d}</span></li>'
                            for i in range(k * per_page, min(n_reports, (k + 1) * per_page)))
            pager = f'<script>createPageHTML({n_listing}, {k}, "index", "html");</script>'
            return 200, "text/html; charset=utf-8", f"<html><body><ul>{items}</ul>{pager}</body></html>".encode()
        if path.startswith("/r/"):
            i = path[3:].split(".")[0]
            page = (f"<html><body><h1>第{i}号报告</h1><div>发布时间：2022-01-20</div>"
                    f'<p><a href="/f/{i}.pdf">附件</a></p></body></html>')
            return 200, "text/html; charset=utf-8", page.encode()
        if path.startswith("/f/"):
            return 200, "application/pdf", attachment + path.encode()
        return 404, "text/html", b"<html>404</html>"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            with lock, open(log_path, "a") as fh:
                fh.write(f"{time.monotonic()} {self.path}\n")
            status, ctype, data = body(self.path)
            etag = '"' + hashlib.sha1(data).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    ready.put(server.server_address[1])
    stop.wait(600)
    server.shutdown()
    server.server_close()


def read_log(path: str) -> list[float]:
    try:
        with open(path) as fh:
            return sorted(float(line.split()[0]) for line in fh if line.strip())
    except FileNotFoundError:
        return []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=2)
    ap.add_argument("--pages", type=int, default=100, help="reports per host")
    ap.add_argument("--interval", type=float, default=0.05)
    args = ap.parse_args()
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Queue(), ctx.Event()
    logs = tempfile.mkdtemp()
    paths = [f"{logs}/host{k}.log" for k in range(args.hosts)]
    procs = [ctx.Process(target=serve_site, args=(args.pages, p, ready, stop), daemon=True) for p in paths]
    for proc in procs:
        proc.start()
    ports = [ready.get(timeout=60) for _ in procs]
    listings = [f"http://127.0.0.1:{port}/list/index.html" for port in ports]

    def clear():
        for p in paths:
            open(p, "w").close()

    try:
        for label, interval in (("no pause", 0.0), (f"interval {args.interval:g} s", args.interval)):
            clear()
            with tempfile.TemporaryDirectory() as out:
                settings = Settings(interval=interval, timeout=10, retries=0)
                start = time.perf_counter()
                m = gr.fetch(listings=listings, out=out, settings=settings)
                seconds = time.perf_counter() - start
                times = [read_log(p) for p in paths]
                n = sum(len(t) for t in times)
                print(f"{label}: {len(m)} URLs, {n} requests in {seconds:.2f} s = {n / seconds:.0f} requests/s "
                      f"over {args.hosts} hosts; {int(m['error'].notna().sum())} errors")
                for k, t in enumerate(times):
                    gaps = sorted(b - a for a, b in zip(t, t[1:]))
                    rate = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 else 0
                    print(f"  host {k}: {len(t)} requests, {rate:.1f} requests/s, gaps between requests: "
                          f"smallest {gaps[0] * 1000:.1f} ms, median {gaps[len(gaps) // 2] * 1000:.1f} ms")
                if interval:
                    clear()
                    start = time.perf_counter()
                    gr.fetch(listings=listings, out=out, settings=settings)
                    seconds = time.perf_counter() - start
                    n = sum(len(read_log(p)) for p in paths)
                    print(f"  re-run on the same folder: {n} requests (robots.txt and listings, conditional) "
                          f"in {seconds:.2f} s")
    finally:
        stop.set()
        for proc in procs:
            proc.join(10)

if __name__ == "__main__":
    main()
