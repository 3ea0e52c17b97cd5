"""Getting the reports: a polite, resumable fetcher that keeps where and when each file came from.

Why a module of its own: a researcher starts from a list of URLs or an agency's 政府信息公开年报
column, not from a folder of files. This step fetches the report pages and their attachments,
stores the raw bytes once per content, and writes a manifest (one row per URL) that
:func:`govreports.read_corpus` joins onto ``reports``, so every number traces back to its URL.

Polite by default: robots.txt is honoured (``urllib.robotparser``), one request per
``interval`` seconds per host (and robots.txt's Crawl-delay where longer), hosts in parallel,
retries with backoff on timeouts, 429 and 5xx, a User-Agent naming govreports, a size limit and
a timeout per request, conditional requests (ETag / Last-Modified) on re-runs.

The stages, plain data between them::

    fetch(urls=..., listings=..., out=DIR)  -> manifest DataFrame (also DIR/manifest.parquet, .csv)
      listing page  -> links whose title looks like an annual report, the next page of the listing
      report page   -> title, 发布时间, attachments (.pdf .doc .docx .wps .xls .xlsx .et, table images)
      any response  -> DIR/files/ab/cdef….ext (content-addressed), a row appended to fetch.jsonl

A killed run loses nothing already written (the journal ``fetch.jsonl`` is appended row by
row, after the file is in place); a re-run skips what it has unless ``refresh=True``; listing
pages are asked again, conditionally, to find new reports.

>>> import govreports as gr
>>> m = gr.fetch(listings=["https://www.example.gov.cn/zfxxgk/ndbg/"], out="out/fetch")   # doctest: +SKIP
>>> m[["url", "status", "title", "published", "path", "error"]]                           # doctest: +SKIP
>>> c = gr.read_corpus("out/fetch")          # the fetched reports, with url, published, fetched_at  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
import urllib.robotparser
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pandas as pd

from .exceptions import ReportError

# Where a site's operator reads what govreports is: the package's page. Give ``contact`` (an e-mail
# or URL of the research group) so the operator can reach the people fetching.
PROJECT_URL = "https://pypi.org/project/govreports/"
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff")
MANIFEST_COLUMNS: dict[str, str] = {
    "url": "string", "final_url": "string", "parent_url": "string", "status": "Int64",
    "fetched_at": "datetime64[ns, UTC]", "content_type": "string", "bytes": "Int64", "sha256": "string",
    "path": "string", "title": "string", "published": "datetime64[ns]", "error": "string",
    "kind": "string", "agency": "string", "year": "Int64", "published_from": "string",
    "etag": "string", "last_modified": "string",
}
JOURNAL = "fetch.jsonl"
FILES = "files"

_YEAR = r"(?:19|20)\d{2}|[二两][〇○零][〇○零一二三四五六七八九]{2}"
REPORT_TITLE = re.compile(rf"(?:{_YEAR}).{{0,40}}?(?:年度报告|年报|年度工作报告)|(?:年度报告|年报).{{0,6}}?(?:{_YEAR})")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PUBLISHED = re.compile(r"(?:发布|发文|公开|成文)(?:时间|日期)\s*[:：]?\s*((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
_META_DATES = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "dc.date", "article:published_time")
_NEXT_PAGE = {"下一页", "下页", "后页", "next", "›", "»", ">"}
_PAGER_JS = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]")
_DECOR = re.compile(r"logo|icon|banner|qr|erweima|button|btn|arrow|bg[_.]|spacer", re.IGNORECASE)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_EXT_BY_TYPE = {"application/pdf": ".pdf", "text/html": ".html", "application/xhtml+xml": ".html",
                "application/msword": ".doc", "text/plain": ".txt",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                "application/vnd.ms-excel": ".xls",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
                "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}


def user_agent(contact: str | None = None) -> str:
    """The User-Agent sent with every request: govreports, its version, its URL (and a contact)."""
    from . import __version__

    extra = f"; {contact}" if contact else ""
    return f"govreports/{__version__} (+{PROJECT_URL}; annual disclosure reports research{extra})"


@dataclass(frozen=True)
class Settings:
    """How politely and how far to fetch. The defaults are for real sites; tests shorten them."""

    interval: float = 1.0            # seconds between two requests to one host
    timeout: float = 30.0            # seconds per request (connect, each read, and the whole body)
    max_bytes: int = 50_000_000      # a larger response is not stored
    retries: int = 3                 # more tries after a timeout, a connection error, 429 or 5xx
    backoff: float = 2.0             # seconds before the first retry, doubled each time
    max_hosts: int = 8               # hosts fetched in parallel
    max_pages: int = 200             # pages followed through one listing's pagination
    max_requests: int = 100_000      # requests in one run, all hosts together
    max_redirects: int = 5
    refresh: bool = False            # ask again for what the folder already has (conditionally)
    contact: str | None = None       # an e-mail or URL added to the User-Agent


@dataclass(frozen=True)
class Task:
    """One URL to fetch and what is known of it before fetching."""

    url: str
    kind: str                        # "url" (from a list), "listing", "page", "attachment"
    parent_url: str | None = None
    agency: str | None = None
    year: int | None = None
    title: str | None = None         # the link's text on the parent page
    published: str | None = None     # a date known from the parent (listing row, report page)
    published_from: str | None = None
    root: str | None = None          # the first page of a listing
    page_no: int = 0                 # the page of the listing


# --------------------------------------------------------------------------------------------
# Storage: content-addressed files and an append-only journal
# --------------------------------------------------------------------------------------------

class Store:
    """A fetch folder: ``files/ab/cdef….ext`` (one file per content) and ``fetch.jsonl``."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder).expanduser()
        (self.folder / FILES).mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def put(self, data: bytes, suffix: str) -> tuple[str, str]:
        """Store bytes once per content; return (sha256, path relative to the folder)."""
        sha = hashlib.sha256(data).hexdigest()
        sub = self.folder / FILES / sha[:2]
        existing = sorted(sub.glob(f"{sha[2:]}.*")) if sub.exists() else []
        if existing:
            return sha, existing[0].relative_to(self.folder).as_posix()
        sub.mkdir(parents=True, exist_ok=True)
        target = sub / f"{sha[2:]}{suffix}"
        fd, tmp = tempfile.mkstemp(dir=sub, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
        return sha, target.relative_to(self.folder).as_posix()

    def read(self, path: str) -> bytes | None:
        try:
            return (self.folder / path).read_bytes()
        except (OSError, TypeError):
            return None

    def append(self, row: dict) -> None:
        """Append one manifest row to the journal and flush it to disk."""
        line = json.dumps(row, ensure_ascii=False, default=str)
        with self._lock, open(self.folder / JOURNAL, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def journal_rows(self) -> list[dict]:
        """The journal's rows in order; a torn last line (a killed run) is ignored."""
        path = self.folder / JOURNAL
        if not path.exists():
            return []
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
        return rows


def rows_to_manifest(rows: list[dict]) -> pd.DataFrame:
    """Given journal rows, return the manifest: the last row per URL, typed, in first-seen order."""
    latest: dict[str, dict] = {}
    for row in rows:
        if isinstance(row, dict) and row.get("url"):
            latest[row["url"]] = row
    df = pd.DataFrame(list(latest.values()), columns=list(MANIFEST_COLUMNS))
    df["fetched_at"] = pd.to_datetime(df["fetched_at"], utc=True, errors="coerce")
    df["published"] = pd.to_datetime(df["published"], errors="coerce")
    for col, dtype in MANIFEST_COLUMNS.items():
        if not dtype.startswith("datetime"):
            df[col] = df[col].astype(dtype)
    return df.reset_index(drop=True)


def write_manifest(folder: str | os.PathLike) -> pd.DataFrame:
    """Rewrite ``manifest.parquet`` and ``manifest.csv`` from the journal; return the manifest."""
    folder = Path(folder)
    m = rows_to_manifest(Store(folder).journal_rows())
    for name, write in (("manifest.parquet", lambda p: m.to_parquet(p, index=False)),
                        ("manifest.csv", lambda p: m.to_csv(p, index=False))):
        tmp = folder / f".{name}.tmp"
        write(tmp)
        os.replace(tmp, folder / name)
    return m


def read_manifest(source) -> pd.DataFrame:
    """Given a fetch folder, a manifest file (.parquet, .csv, .jsonl) or a DataFrame, return the
    manifest. A folder's journal is read first: it holds the rows of a run that was killed."""
    if isinstance(source, pd.DataFrame):
        return source
    path = Path(source).expanduser()
    if path.is_dir():
        if (path / JOURNAL).exists():
            return rows_to_manifest(Store(path).journal_rows())
        path = path / "manifest.parquet"
    if not path.exists():
        raise FileNotFoundError(f"no fetch manifest at {source}")
    if path.suffix == ".jsonl":
        return rows_to_manifest(Store(path.parent).journal_rows())
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    rows = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None}).to_dict("records")
    return rows_to_manifest(rows)


# --------------------------------------------------------------------------------------------
# Politeness: one gate per host
# --------------------------------------------------------------------------------------------

def host_of(url: str) -> str:
    """The host a request goes to (with its port): what politeness and robots.txt are kept per."""
    return urlsplit(url).netloc.lower()


class Gate:
    """One host: its robots.txt and the time its next request may start."""

    def __init__(self, interval: float):
        self.interval = interval
        self.lock = threading.Lock()
        self.next_at = 0.0
        self.robots: urllib.robotparser.RobotFileParser | None = None
        self.robots_lock = threading.Lock()

    def wait(self) -> None:
        """Block until this host may be asked again, and book the slot after it."""
        with self.lock:
            delay = self.next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.next_at = time.monotonic() + self.interval


# --------------------------------------------------------------------------------------------
# Reading pages
# --------------------------------------------------------------------------------------------

def _decode(data: bytes, content_type: str | None) -> str:
    """Given a page's bytes and Content-Type, return its text (declared charset, else UTF-8, else GB18030)."""
    m = _CHARSET.search((content_type or "").encode()) or _CHARSET.search(data[:4096])
    tried = [m.group(1).decode("ascii", "ignore").lower()] if m else []
    for enc in tried + ["utf-8", "gb18030"]:
        try:
            return data.decode({"gb2312": "gb18030", "gbk": "gb18030"}.get(enc, enc))
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def _document(data: bytes, content_type: str | None, base_url: str):
    """Given a page's bytes, return an lxml document with absolute links, or None."""
    import lxml.html

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", _decode(data, content_type))
    if not text.strip():
        return None
    try:
        doc = lxml.html.fromstring(text, base_url=base_url)
        doc.make_links_absolute(base_url, resolve_base_href=True, handle_failures="discard")
    except Exception:  # noqa: BLE001 - lxml raises several kinds on junk
        return None
    return doc


def _norm_date(text: str | None) -> str | None:
    """Given text holding a date (2021-01-28, 2021年1月28日, 2021/1/28), return 'YYYY-MM-DD' or None."""
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return pd.Timestamp(int(m[1]), int(m[2]), int(m[3])).strftime("%Y-%m-%d")
    except ValueError:
        return None


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def looks_like_report(title: str | None) -> bool:
    """Given a link's text, say whether it names an annual report (年度报告/年报 and a year).

    >>> looks_like_report("沭阳县发展和改革局2020年政府信息公开工作年度报告")
    True
    >>> looks_like_report("2020年部门预算公开")
    False
    """
    return bool(title) and bool(REPORT_TITLE.search(re.sub(r"\s+", "", title)))


def _suffix(url: str) -> str:
    return Path(urlsplit(url).path).suffix.lower()


def page_title(doc) -> str | None:
    """A page's title: its ArticleTitle meta, else its first h1, else <title>."""
    for name in ("articletitle", "title"):
        for meta in doc.iter("meta"):
            if (meta.get("name") or "").lower() == name and meta.get("content"):
                return _clean(meta.get("content"))
    for tag in ("h1", "title"):
        el = doc.find(f".//{tag}")
        if el is not None and _clean(el.text_content()):
            return _clean(el.text_content())
    return None


def page_published(doc) -> str | None:
    """A page's 发布时间 (or a publication-date meta tag) as 'YYYY-MM-DD', or None."""
    for meta in doc.iter("meta"):
        if (meta.get("name") or meta.get("property") or "").lower() in _META_DATES:
            date = _norm_date(meta.get("content"))
            if date:
                return date
    m = _PUBLISHED.search(doc.text_content())
    return _norm_date(m.group(1)) if m else None


def listing_links(doc, page_url: str) -> tuple[list[tuple[str, str, str | None]], list[str]]:
    """Given a listing page, return its report links ``(url, title, date beside it)`` and the
    URLs of its next page(s)."""
    reports, pages = [], []
    for a in doc.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("javascript:", "mailto:")):
            continue
        href = urldefrag(href)[0]
        text = _clean(a.text_content())
        title = _clean(a.get("title")) or text
        if looks_like_report(title) or looks_like_report(text):
            row = a.getparent()
            while row is not None and row.tag not in ("li", "tr", "dd", "p", "div"):
                row = row.getparent()
            beside = _clean(row.text_content()).replace(text, "") if row is not None else ""
            reports.append((href, title, _norm_date(beside)))
        elif text.lower() in _NEXT_PAGE and href != page_url:
            pages.append(href)
    for script in doc.iter("script"):
        m = _PAGER_JS.search(script.text or "")
        if m:  # TRS pages: createPageHTML(count, current, "index", "html") -> index_1.html, index_2.html ...
            count, current, stem, ext = int(m[1]), int(m[2]), m[3], m[4]
            if current + 1 < count:
                pages.append(urljoin(page_url, f"{stem}_{current + 1}.{ext}"))
    return reports, list(dict.fromkeys(pages))


def page_attachments(doc) -> list[tuple[str, str]]:
    """Given a report page, return its attachments ``(url, link text)``: documents by their
    extension and table images (an ``<img>`` not named like a logo or an icon)."""
    found: dict[str, str] = {}
    for a in doc.iter("a"):
        href = urldefrag(a.get("href") or "")[0]
        if href and _suffix(href) in ATTACHMENT_SUFFIXES + IMAGE_SUFFIXES:
            found.setdefault(href, _clean(a.text_content()))
    for img in doc.iter("img"):
        src = urldefrag(img.get("src") or "")[0]
        if src and _suffix(src) in IMAGE_SUFFIXES and not _DECOR.search(src):
            if not any(p.tag in ("header", "footer", "nav") for p in img.iterancestors()):
                found.setdefault(src, _clean(img.get("alt")))
    return list(found.items())[:50]


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head[:200]


def _is_html(content_type: str | None, data: bytes) -> bool:
    ct = (content_type or "").split(";")[0].strip().lower()
    return ct in ("text/html", "application/xhtml+xml") or (not ct and _looks_like_html(data))


def _suffix_for(url: str, content_type: str | None) -> str:
    ct = (content_type or "").split(";")[0].strip().lower()
    suffix = _suffix(url)
    if suffix in ATTACHMENT_SUFFIXES + IMAGE_SUFFIXES + (".html", ".htm", ".txt"):
        return suffix
    return _EXT_BY_TYPE.get(ct, ".bin")


# --------------------------------------------------------------------------------------------
# The fetcher
# --------------------------------------------------------------------------------------------

@dataclass
class _Response:
    status: int | None = None
    final_url: str | None = None
    headers: dict = field(default_factory=dict)
    content: bytes | None = None
    error: str | None = None


class Fetcher:
    """One fetch run over a folder. Use :func:`fetch`; this class holds the run's state."""

    def __init__(self, out, settings: Settings):
        import httpx

        self.settings = settings
        self.store = Store(out)
        self.agent = user_agent(settings.contact)
        timeout = httpx.Timeout(settings.timeout)
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": self.agent},
                                   limits=httpx.Limits(max_connections=settings.max_hosts * 2))
        self.previous = {r["url"]: r for r in self.store.journal_rows()}
        self.gates: dict[str, Gate] = {}
        self.cv = threading.Condition()
        self.queues: dict[str, deque[Task]] = {}
        self.active: set[str] = set()
        self.pending = 0
        self.seen: set[str] = set()
        self.requests = 0
        self.pool = ThreadPoolExecutor(max_workers=settings.max_hosts, thread_name_prefix="govreports-fetch")
        self.stopping = False

    # ---- scheduling: one lane (a thread at a time) per host
    def add(self, task: Task) -> None:
        url = urldefrag(task.url.strip())[0]
        if not url.lower().startswith(("http://", "https://")):
            self._record(task, error=f"not an http(s) URL: {task.url!r}")
            return
        task = replace(task, url=url)
        host = host_of(url)
        with self.cv:
            if url in self.seen:
                return
            self.seen.add(url)
            self.queues.setdefault(host, deque()).append(task)
            if host not in self.active:
                self.active.add(host)
                self.pending += 1
                self.pool.submit(self._lane, host)

    def _lane(self, host: str) -> None:
        try:
            while True:
                with self.cv:
                    if not self.queues[host] or self.stopping:
                        self.queues[host].clear()
                        self.active.discard(host)
                        return
                    task = self.queues[host].popleft()
                try:
                    self._do(task)
                except Exception as err:  # noqa: BLE001 - one bad URL never stops the run
                    self._record(task, error=f"{type(err).__name__}: {err}")
        finally:
            with self.cv:
                self.pending -= 1
                self.cv.notify_all()

    def run(self, tasks: list[Task]) -> pd.DataFrame:
        try:
            for task in tasks:
                self.add(task)
            with self.cv:
                while self.pending:
                    self.cv.wait()
        except BaseException:  # Ctrl-C: lanes finish the URL they are on, the rest waits for a re-run
            self.stopping = True
            raise
        finally:
            self.pool.shutdown(wait=True)
            self.client.close()
        return write_manifest(self.store.folder)

    # ---- one task
    def _do(self, task: Task) -> None:
        before = self.previous.get(task.url)
        have = before is not None and before.get("path") and not before.get("error")
        if have and task.kind != "listing" and not self.settings.refresh:
            data = self.store.read(before["path"])
            if data is not None:  # already here: only look for what it links to
                self._follow(task, data, before.get("content_type"), before.get("final_url") or task.url,
                             before.get("published"))
                return
        conditional = {}
        if have and (task.kind == "listing" or self.settings.refresh):
            if before.get("etag"):
                conditional["If-None-Match"] = before["etag"]
            if before.get("last_modified"):
                conditional["If-Modified-Since"] = before["last_modified"]
        resp = self._get(task.url, conditional)
        if resp.status == 304 and have:
            data = self.store.read(before["path"])
            row = {**before, "status": 304, "fetched_at": _now(), "error": None, "parent_url": task.parent_url}
            self.store.append(row)
            if data is not None:
                self._follow(task, data, before.get("content_type"), before.get("final_url") or task.url,
                             before.get("published"))
            return
        if resp.error is not None or resp.content is None:
            self._record(task, resp=resp, error=resp.error or f"HTTP {resp.status}")
            return
        ctype = resp.headers.get("content-type")
        data = resp.content
        if task.kind == "attachment" and _looks_like_html(data) and _suffix(task.url) not in (".html", ".htm"):
            self._record(task, resp=resp, error=f"wrong content type: a {_suffix(task.url) or 'file'} link "
                                                f"served {ctype or 'HTML'} (an HTML page)")
            return
        sha, path = self.store.put(data, _suffix_for(resp.final_url or task.url, ctype))
        published, source = task.published, task.published_from
        title = task.title
        doc = _document(data, ctype, resp.final_url or task.url) if _is_html(ctype, data) else None
        if doc is not None and task.kind in ("page", "url"):
            title = page_title(doc) or title
            on_page = page_published(doc)
            if on_page:
                published, source = on_page, "page"
        self._record(task, resp=resp, sha=sha, path=path, title=title, published=published, source=source)
        self._follow(task, data, ctype, resp.final_url or task.url, published, doc)

    def _follow(self, task: Task, data: bytes, ctype, base_url: str, published, doc=None) -> None:
        """Queue what a listing or a report page links to."""
        if task.kind not in ("listing", "page", "url") or not _is_html(ctype, data):
            return
        doc = doc if doc is not None else _document(data, ctype, base_url)
        if doc is None:
            return
        if task.kind == "listing":
            links, pages = listing_links(doc, base_url)
            for url, title, date in links:
                kind = "attachment" if _suffix(url) in ATTACHMENT_SUFFIXES else "page"
                self.add(Task(url, kind, parent_url=task.url, agency=task.agency, title=title,
                              published=date, published_from="listing" if date else None))
            if task.page_no + 1 < self.settings.max_pages:
                for url in pages:
                    self.add(Task(url, "listing", parent_url=task.url, agency=task.agency,
                                  root=task.root or task.url, page_no=task.page_no + 1))
            return
        if pd.isna(published):
            published = None
        for url, text in page_attachments(doc):
            self.add(Task(url, "attachment", parent_url=task.url, agency=task.agency, year=task.year,
                          title=text or None, published=published, published_from="parent" if published else None))

    # ---- HTTP
    def _gate(self, url: str) -> Gate:
        host = host_of(url)
        with self.cv:
            gate = self.gates.get(host)
            if gate is None:
                gate = self.gates[host] = Gate(self.settings.interval)
            return gate

    def _allowed(self, url: str) -> bool:
        gate = self._gate(url)
        with gate.robots_lock:
            if gate.robots is None:
                gate.robots = self._robots(url, gate)
        return gate.robots.can_fetch(self.agent, url)

    def _robots(self, url: str, gate: Gate) -> urllib.robotparser.RobotFileParser:
        """Read a host's robots.txt (RFC 9309: missing -> all allowed; unreachable -> none)."""
        parts = urlsplit(url)
        rp = urllib.robotparser.RobotFileParser(f"{parts.scheme}://{parts.netloc}/robots.txt")
        resp = self._send(rp.url, {}, gate)
        for _ in range(self.settings.max_redirects):  # RFC 9309: follow at least five redirects
            if resp.status not in (301, 302, 303, 307, 308) or not resp.headers.get("location"):
                break
            target = urljoin(resp.final_url or rp.url, resp.headers["location"])
            resp = self._send(target, {}, self._gate(target))
        if resp.status is not None and 200 <= resp.status < 300 and resp.content is not None:
            rp.parse(_decode(resp.content, resp.headers.get("content-type")).splitlines())
        elif resp.status in (401, 403) or resp.status is None or resp.status >= 500:
            rp.disallow_all = True
        else:
            rp.allow_all = True
        delay = rp.crawl_delay(self.agent)
        if delay:
            gate.interval = max(gate.interval, float(delay))
        return rp

    def _get(self, url: str, headers: dict) -> _Response:
        """GET with robots.txt, the host's pace, manual redirects, retries and the size limit."""
        for _ in range(self.settings.max_redirects + 1):
            if not self._allowed(url):
                return _Response(final_url=url, error="disallowed by robots.txt")
            resp = self._send(url, headers, self._gate(url))
            if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                url = urljoin(url, resp.headers["location"])
                continue
            return resp
        return _Response(final_url=url, error=f"more than {self.settings.max_redirects} redirects")

    def _send(self, url: str, headers: dict, gate: Gate) -> _Response:
        import httpx

        s = self.settings
        last = _Response(final_url=url)
        for attempt in range(s.retries + 1):
            with self.cv:
                if self.requests >= s.max_requests:
                    return _Response(final_url=url, error=f"request limit of {s.max_requests} reached")
                self.requests += 1
            gate.wait()
            try:
                last = self._once(url, headers)
            except httpx.TimeoutException:
                last = _Response(final_url=url, error=f"timed out after {s.timeout:g} s")
            except httpx.HTTPError as err:
                last = _Response(final_url=url, error=f"{type(err).__name__}: {err}")
            retry = last.status is None and last.error is not None and not last.error.startswith("larger than")
            retry = retry or (last.status is not None and (last.status >= 500 or last.status == 429))
            if not retry:
                break
            if attempt < s.retries:
                time.sleep(s.backoff * 2 ** attempt)
        if last.status is not None and last.status >= 400 and last.error is None:
            last.error = f"HTTP {last.status}"
        if last.error and attempt > 0:
            last.error += f" ({attempt + 1} tries)"
        return last

    def _once(self, url: str, headers: dict) -> _Response:
        s = self.settings
        started = time.monotonic()
        with self.client.stream("GET", url, headers=headers) as r:
            head = {k.lower(): v for k, v in r.headers.items()}
            out = _Response(status=r.status_code, final_url=str(r.url), headers=head)
            if r.status_code != 200:
                return out
            declared = head.get("content-length")
            if declared and declared.isdigit() and int(declared) > s.max_bytes:
                out.error = f"larger than the limit of {s.max_bytes} bytes ({declared} declared)"
                return out
            chunks, size = [], 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > s.max_bytes:
                    out.error = f"larger than the limit of {s.max_bytes} bytes"
                    return out
                if time.monotonic() - started > s.timeout:
                    raise httpx_timeout()
                chunks.append(chunk)
            out.content = b"".join(chunks)
            return out

    # ---- the manifest row
    def _record(self, task: Task, resp: _Response | None = None, error: str | None = None, sha=None, path=None,
                title=None, published=None, source=None) -> None:
        resp = resp or _Response()
        if published is None and source is None:
            published, source = task.published, task.published_from
        data_len = len(resp.content) if resp.content is not None else None
        row = {
            "url": task.url, "final_url": resp.final_url, "parent_url": task.parent_url, "status": resp.status,
            "fetched_at": _now(), "content_type": resp.headers.get("content-type"), "bytes": data_len,
            "sha256": sha, "path": path, "title": title if title is not None else task.title,
            "published": published, "error": error, "kind": task.kind, "agency": task.agency, "year": task.year,
            "published_from": source if published else None,
            "etag": resp.headers.get("etag"), "last_modified": resp.headers.get("last-modified"),
        }
        self.store.append(row)


def httpx_timeout():
    import httpx

    return httpx.ReadTimeout("the whole body took longer than the timeout")


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").isoformat()


# --------------------------------------------------------------------------------------------
# The public API
# --------------------------------------------------------------------------------------------

def read_url_list(path: str | os.PathLike) -> list[Task]:
    """Given a CSV with a ``url`` column (optional ``agency``, ``year``), return its tasks."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such URL list: {path}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as err:
        raise ReportError(str(path), f"not a readable CSV: {err}") from None
    if "url" not in df.columns:
        raise ReportError(str(path), f"no 'url' column (columns: {', '.join(df.columns) or 'none'})")
    tasks = []
    for rec in df.to_dict("records"):
        year = rec.get("year", "").strip()
        tasks.append(Task(rec["url"].strip(), "url", agency=rec.get("agency") or None,
                          year=int(year) if year.isdigit() else None))
    return [t for t in tasks if t.url]


def fetch(urls=None, listings=None, out: str | os.PathLike = "out/fetch", settings: Settings | None = None,
          **options) -> pd.DataFrame:
    """Fetch report pages and attachments into ``out``; return the manifest (one row per URL).

    Args:
        urls: URLs of reports (pages or files): a list of strings, a CSV path with a ``url`` column
            (optional ``agency``, ``year``), or a DataFrame with those columns.
        listings: URLs of listing pages (an agency's 政府信息公开年报 column): links whose title
            looks like an annual report are followed, with their attachments, page by page.
        out: the fetch folder: ``files/`` (content-addressed), ``fetch.jsonl`` (the journal),
            ``manifest.parquet`` and ``manifest.csv``.
        settings: a :class:`Settings`; or its fields as keywords (``interval=2``, ``refresh=True``).

    The manifest's columns: url, final_url, parent_url, status (HTTP), fetched_at (UTC),
    content_type, bytes, sha256, path (relative to ``out``), title, published (the page's 发布时间,
    the date beside the link on the listing, or for an attachment its page's date), error (why
    nothing was stored: HTTP 404, timed out, disallowed by robots.txt, over the size limit, wrong
    content type), kind (url, listing, page, attachment), agency, year, published_from
    (page, listing, parent), etag, last_modified.

    >>> m = fetch(["https://www.example.gov.cn/art/2021/1/20/art_1_1.html"], out="out/fetch")  # doctest: +SKIP
    """
    settings = replace(settings or Settings(), **options)
    tasks: list[Task] = []
    if urls is not None:
        if isinstance(urls, (str, os.PathLike)) and not str(urls).lower().startswith(("http://", "https://")):
            tasks += read_url_list(urls)
        elif isinstance(urls, pd.DataFrame):
            tasks += [Task(str(r["url"]), "url", agency=r.get("agency") or None,
                           year=int(r["year"]) if pd.notna(r.get("year")) and str(r.get("year")).isdigit() else None)
                      for r in urls.to_dict("records")]
        else:
            tasks += [Task(u, "url") for u in ([urls] if isinstance(urls, str) else urls)]
    tasks += [Task(u, "listing", root=u) for u in ([listings] if isinstance(listings, str) else (listings or []))]
    return Fetcher(out, settings).run(tasks)


# --------------------------------------------------------------------------------------------
# The hand-off to read_corpus
# --------------------------------------------------------------------------------------------

def is_fetch_folder(path) -> bool:
    """Say whether ``path`` is a folder written by :func:`fetch`."""
    if not isinstance(path, (str, os.PathLike)):
        return False
    p = Path(path).expanduser()
    return p.is_dir() and (p / FILES).is_dir() and ((p / JOURNAL).exists() or (p / "manifest.parquet").exists())


def report_rows(manifest: pd.DataFrame) -> pd.DataFrame:
    """Given a manifest, return the rows of stored reports (pages and attachments, not listings)."""
    ok = manifest["path"].notna() & manifest["error"].isna() & (manifest["kind"] != "listing")
    return manifest[ok]


def corpus_input(paths, manifest=None):
    """Given read_corpus's ``paths`` and ``manifest``, return ``(paths, manifest frame or None)``:
    a fetch folder among ``paths`` stands for its stored reports (not its listing pages), and
    brings its manifest unless one is given."""
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    folders = [Path(p).expanduser() for p in items if is_fetch_folder(p)]
    if not folders:
        return paths, (read_manifest(manifest) if manifest is not None else None)
    frames, out = [], []
    for item in items:
        if not is_fetch_folder(item):
            out.append(item)
            continue
        folder = Path(item).expanduser()
        frame = read_manifest(folder)
        frames.append(frame)
        # a file removed by hand since is left out, not an error
        out += [str(folder / p) for p in dict.fromkeys(report_rows(frame)["path"]) if (folder / p).is_file()]
    if manifest is not None:
        frames = [read_manifest(manifest)]
    return out, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _merge_dates(old: pd.Series | None, new: pd.Series) -> pd.Series:
    """``new`` where it has a date, else ``old``, in ``old``'s form (datetime64, 'YYYY-MM-DD'
    strings or ``datetime.date`` objects), so the manifest's dates sit beside the reader's."""
    import datetime

    if old is None or pd.api.types.is_datetime64_any_dtype(old) or old.isna().all():
        base = pd.to_datetime(old, errors="coerce") if old is not None else pd.Series(pd.NaT, index=new.index)
        if getattr(base.dt, "tz", None) is not None:
            base = base.dt.tz_localize(None)
        return new.where(new.notna(), base).astype("datetime64[ns]")
    sample = old.dropna().iloc[0]
    if isinstance(sample, datetime.date) and not isinstance(sample, datetime.datetime):
        values = new.dt.date
    else:
        values = new.dt.strftime("%Y-%m-%d")
    return old.astype("object").where(new.isna(), values.astype("object")).astype(old.dtype)


def attach_manifest(reports: pd.DataFrame, manifest: pd.DataFrame | None) -> pd.DataFrame:
    """Given a corpus's reports and a fetch manifest, add ``url``, ``fetched_at`` and the
    manifest's ``published`` (``published_source`` 'manifest'; the manifest wins) by the file's
    SHA-256. The same content under two URLs takes the URL fetched first."""
    if manifest is None:
        return reports
    rows = report_rows(manifest).dropna(subset=["sha256"]).sort_values("fetched_at", kind="stable")
    by_sha = rows.groupby("sha256", sort=False).agg(
        url=("url", "first"), fetched_at=("fetched_at", "first"), published_m=("published", "first"))
    out = reports.copy()
    joined = by_sha.reindex(out["sha256"].astype("string").to_numpy())
    out["url"] = pd.array(joined["url"].to_numpy(), dtype="string")
    out["fetched_at"] = pd.to_datetime(joined["fetched_at"].to_numpy(), utc=True)
    date = pd.Series(pd.to_datetime(joined["published_m"].to_numpy(), errors="coerce"), index=out.index)
    has = date.notna()
    out["published"] = _merge_dates(out["published"] if "published" in out.columns else None, date)
    source = out["published_source"].astype("string") if "published_source" in out.columns else \
        pd.Series(pd.NA, index=out.index, dtype="string")
    out["published_source"] = source.where(~has, "manifest")
    return out
