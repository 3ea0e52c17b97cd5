"""A made-up agency site on 127.0.0.1 for the fetch tests: real pages from data/ and the
renderer's printings, served with the faults real sites have (robots.txt, 404, a 500 that then
succeeds, a page slower than the timeout, a redirect, a wrong content type, an over-size file,
one file under two URLs, pagination). The server logs every request (time, path, headers)."""
from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from govreports.render import ReportValues, render

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"
SHANGHAI = (DATA / "web" / "shanghai_gov_office_2019.html").read_bytes()   # prints 发布日期：2020-01-31
SEED = (DATA / "seeds" / "001_aedc4f75886f8629.txt").read_bytes()          # 重庆市人民防空办公室 2020
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def values(agency: str, year: int, seed: int) -> ReportValues:
    template = "2019" if year <= 2020 else "2021"
    return dataclasses.replace(ReportValues.synthetic(seed, template=template), agency=agency, year=year)


def page_with_date(agency: str, year: int, seed: int, published: str, attachments: list[tuple[str, str]]) -> bytes:
    """A rendered report page with a 发布时间 header and links to attachments."""
    page = render(values(agency, year, seed), "html")
    page = page.replace("<span>来源：本站</span>", f"<span>发布时间：{published}</span> <span>来源：本站</span>")
    links = "".join(f'<p>附件：<a href="{href}">{text}</a></p>' for href, text in attachments)
    return page.replace('<div class="share">', links + '<div class="share">').encode("utf-8")


def listing(items: list[tuple[str, str, str]], extra: str = "") -> bytes:
    rows = "".join(f'<li><a href="{href}" title="{title}">{title}</a><span class="date">{date}</span></li>'
                   for href, title, date in items)
    return (f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<div class="nav"><a href="/about.html">机构职能</a> <a href="/zwgk/">政务公开</a></div>'
            f'<ul class="list">{rows}</ul>{extra}</body></html>').encode("utf-8")


class Site:
    """Routes: path -> (status, headers, body) or a callable(handler) for the odd ones."""

    def __init__(self):
        self.log: list[tuple[float, str, dict]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.hold = threading.Event()      # /ndbg/hold.html waits for this
        self.held = threading.Event()      # set when /ndbg/hold.html was asked for
        self.routes: dict[str, object] = {}
        self.calls: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "Site":
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _, p, _ in self.log]

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with site.lock:
                    site.log.append((time.monotonic(), self.path, dict(self.headers.items())))
                    site.calls[self.path] = site.calls.get(self.path, 0) + 1
                    n = site.calls[self.path]
                route = site.routes.get(self.path)
                if route is None:
                    return self._send(404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>")
                if callable(route):
                    return route(self, n)
                status, headers, body = route
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, {"ETag": etag}, b"")
                self._send(status, {**headers, "ETag": etag, "Last-Modified": "Wed, 20 Jan 2021 08:00:00 GMT"}, body)

            def _send(self, status, headers, body, length=True):
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    if length:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def html(body: bytes) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body


def build_agency_site(max_bytes: int) -> tuple[Site, dict]:
    """The agency site; returns it and what it serves (bytes by path) for the assertions."""
    site = Site()
    pdf_2021 = render(values("沭阳县发展和改革局", 2021, 3), "pdf")
    pdf_hongze = render(values("淮安市洪泽区人民政府", 2023, 5), "pdf")
    docx_town = render(values("七里坪镇人民政府", 2022, 6), "docx")
    flaky_page = page_with_date("沭阳县发展和改革局", 2021, 3, "2022-02-10", [
        ("/files/report2021.pdf", "沭阳县发展和改革局2021年年报.pdf"), ("/files/copy.pdf", "同一文件.pdf"),
        ("/files/fake.pdf", "附件.pdf"), ("/files/huge.pdf", "大文件.pdf"), ("/files/stream.xls", "统计表.xls"),
        ("/files/table.png", "表格图片")])
    served = {"/ndbg/2020/shanghai.html": SHANGHAI, "/ndbg/2021/seed001.txt": SEED, "/ndbg/flaky.html": flaky_page,
              "/files/report2021.pdf": pdf_2021, "/files/copy.pdf": pdf_2021, "/files/table.png": PNG,
              "/files/hongze2023.pdf": pdf_hongze, "/files/town2022.docx": docx_town}
    r = site.routes
    r["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
    r["/ndbg/index.html"] = html(listing([
        ("/ndbg/2020/shanghai.html", "上海市人民政府办公厅2019年政府信息公开工作年度报告", "2020-01-31"),
        ("2021/seed001.txt", "重庆市人民防空办公室2020年政府信息公开工作年度报告", "2021-01-20"),
        ("/private/secret.html", "2020年政府信息公开工作年度报告（内部）", "2021-01-05"),
        ("/ndbg/missing.html", "2018年政府信息公开年报", "2019-03-01"),
    ], '<div class="page"><a href="index.html">首页</a> <a href="index_1.html">下一页</a></div>'))
    r["/ndbg/index_1.html"] = html(listing([
        ("/ndbg/flaky.html", "沭阳县发展和改革局2021年政府信息公开工作年度报告", "2022-02-10"),
        ("/ndbg/slow.html", "2017年度政府信息公开工作年度报告", "2018-03-30"),
        ("/ndbg/old.html", "2016年政府信息公开工作年度报告", "2017-03-30"),
        ("/files/hongze2023.pdf", "淮安市洪泽区人民政府2023年政府信息公开工作年度报告", "2024-03-29"),
    ], '<script>createPageHTML(3, 1, "index", "html");</script>'))
    r["/ndbg/index_2.html"] = html(listing([
        ("/files/town2022.docx", "七里坪镇人民政府2022年政府信息公开工作年度报告", "2023-02-15"),
    ], '<script>createPageHTML(3, 2, "index", "html");</script>'))
    r["/ndbg/2020/shanghai.html"] = html(SHANGHAI)
    r["/ndbg/2021/seed001.txt"] = (200, {"Content-Type": "text/plain; charset=utf-8"}, SEED)
    r["/private/secret.html"] = html(b"<html>secret</html>")
    r["/about.html"] = html(b"<html>about</html>")

    def flaky(h, n):
        if n == 1:
            return h._send(500, {"Content-Type": "text/html"}, b"<html>busy</html>")
        h._send(200, {"Content-Type": "text/html; charset=utf-8"}, flaky_page)
    r["/ndbg/flaky.html"] = flaky

    def slow(h, n):
        site.stop.wait(3.0)
        h._send(200, {"Content-Type": "text/html"}, b"<html>too late</html>")
    r["/ndbg/slow.html"] = slow

    def moved(h, n):
        h._send(301, {"Location": "/ndbg/new.html"}, b"")
    r["/ndbg/old.html"] = moved
    new_page = page_with_date("桃江县审计局", 2016, 8, "2017-03-28", [])
    served["/ndbg/new.html"] = new_page
    r["/ndbg/new.html"] = html(new_page)
    r["/files/report2021.pdf"] = (200, {"Content-Type": "application/pdf"}, pdf_2021)
    r["/files/copy.pdf"] = (200, {"Content-Type": "application/pdf"}, pdf_2021)
    r["/files/fake.pdf"] = html(b"<!DOCTYPE html><html><body>file not found</body></html>")
    r["/files/huge.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n" + b"0" * (max_bytes + 10))

    def stream(h, n):  # no Content-Length: the limit must hold while reading
        h._send(200, {"Content-Type": "application/vnd.ms-excel", "Connection": "close"},
                b"x" * (max_bytes * 2), length=False)
    r["/files/stream.xls"] = stream
    r["/files/table.png"] = (200, {"Content-Type": "image/png"}, PNG)
    r["/files/hongze2023.pdf"] = (200, {"Content-Type": "application/pdf"}, pdf_hongze)
    r["/files/town2022.docx"] = (200, {"Content-Type": "application/vnd.openxmlformats-officedocument."
                                       "wordprocessingml.document"}, docx_town)
    r["/files/report.pdf"] = (200, {"Content-Type": "application/pdf"}, pdf_hongze)  # the footer's link

    def hold(h, n):
        site.held.set()
        site.hold.wait(30.0)
        h._send(200, {"Content-Type": "text/html; charset=utf-8"}, SHANGHAI)
    r["/ndbg/hold.html"] = hold
    return site.start(), served
