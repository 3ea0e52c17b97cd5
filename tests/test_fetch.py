"""govreports.fetch against a made-up agency site on 127.0.0.1 (no network): the manifest row by
row, the files, politeness as the server measured it, resume after a kill, the read_corpus hand-off."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import govreports as gr
from govreports import analysis as ga
from govreports.cli import main as cli_main
from govreports.fetch import Settings, read_manifest, read_url_list

from fetch_site import PNG, SHANGHAI, Site, build_agency_site, html, page_with_date

INTERVAL = 0.2
MAX_BYTES = 200_000
FAST = Settings(interval=INTERVAL, timeout=0.5, retries=1, backoff=0.01, max_bytes=MAX_BYTES)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def agency_site():
    site, served = build_agency_site(MAX_BYTES)
    yield site, served
    site.close()


@pytest.fixture
def other_site():
    site = Site()
    site.routes["/a.html"] = html(page_with_date("淮安市人民政府", 2021, 11, "2022-03-30", []))
    site.routes["/b.html"] = html(page_with_date("淮安市人民政府", 2022, 12, "2023-04-12", []))
    site.start()
    yield site
    site.close()


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    """One run over both sites (a listing on one, a URL list on the other), then a re-run."""
    out = tmp_path_factory.mktemp("fetch")
    site, served = build_agency_site(MAX_BYTES)
    other = Site()
    other.routes["/a.html"] = html(page_with_date("淮安市人民政府", 2021, 11, "2022-03-30", []))
    other.routes["/b.html"] = html(page_with_date("淮安市人民政府", 2022, 12, "2023-04-12", []))
    other.start()
    urls = out.parent / "urls.csv"
    urls.write_text(f"url,agency,year\n{other.base}/a.html,淮安市人民政府,2021\n{other.base}/b.html,淮安市人民政府,2022\n",
                    encoding="utf-8")
    try:
        manifest = gr.fetch(urls=urls, listings=[f"{site.base}/ndbg/index.html"], out=out, settings=FAST)
        first_log = list(site.log)
        other_log = list(other.log)
        again = gr.fetch(urls=urls, listings=[f"{site.base}/ndbg/index.html"], out=out, settings=FAST)
        second_log = site.log[len(first_log):]
    finally:
        site.close()
        other.close()
    return {"out": out, "site": site, "other": other, "served": served, "manifest": manifest, "again": again,
            "log": first_log, "other_log": other_log, "second_log": second_log}


def _row(m: pd.DataFrame, url: str) -> pd.Series:
    rows = m[m["url"] == url]
    assert len(rows) == 1, f"{url}: {len(rows)} rows"
    return rows.iloc[0]


def test_manifest_row_by_row(fetched):
    m, base = fetched["manifest"], fetched["site"].base
    listing = f"{base}/ndbg/index.html"
    expect = {  # path: (status, kind, parent, published, error contains, stored)
        "/ndbg/index.html": (200, "listing", None, None, None, True),
        "/ndbg/index_1.html": (200, "listing", "/ndbg/index.html", None, None, True),
        "/ndbg/index_2.html": (200, "listing", "/ndbg/index_1.html", None, None, True),
        "/ndbg/2020/shanghai.html": (200, "page", "/ndbg/index.html", "2020-01-31", None, True),
        "/ndbg/2021/seed001.txt": (200, "page", "/ndbg/index.html", "2021-01-20", None, True),
        "/private/secret.html": (None, "page", "/ndbg/index.html", "2021-01-05", "disallowed by robots.txt", False),
        "/ndbg/missing.html": (404, "page", "/ndbg/index.html", "2019-03-01", "HTTP 404", False),
        "/ndbg/flaky.html": (200, "page", "/ndbg/index_1.html", "2022-02-10", None, True),
        "/ndbg/slow.html": (None, "page", "/ndbg/index_1.html", "2018-03-30", "timed out", False),
        "/ndbg/old.html": (200, "page", "/ndbg/index_1.html", "2017-03-28", None, True),
        "/files/hongze2023.pdf": (200, "attachment", "/ndbg/index_1.html", "2024-03-29", None, True),
        "/files/town2022.docx": (200, "attachment", "/ndbg/index_2.html", "2023-02-15", None, True),
        "/files/report2021.pdf": (200, "attachment", "/ndbg/flaky.html", "2022-02-10", None, True),
        "/files/copy.pdf": (200, "attachment", "/ndbg/flaky.html", "2022-02-10", None, True),
        "/files/fake.pdf": (200, "attachment", "/ndbg/flaky.html", "2022-02-10", "wrong content type", False),
        "/files/huge.pdf": (200, "attachment", "/ndbg/flaky.html", "2022-02-10", "larger than the limit", False),
        "/files/stream.xls": (200, "attachment", "/ndbg/flaky.html", "2022-02-10", "larger than the limit", False),
        "/files/table.png": (200, "attachment", "/ndbg/flaky.html", "2022-02-10", None, True),
        "/files/report.pdf": (200, "attachment", "/ndbg/flaky.html", "2022-02-10", None, True),
    }
    for path, (status, kind, parent, published, error, stored) in expect.items():
        row = _row(m, base + path)
        assert (row["status"] if pd.notna(row["status"]) else None) == status, path
        assert row["kind"] == kind, path
        assert (row["parent_url"] if pd.notna(row["parent_url"]) else None) == (base + parent if parent else None), path
        got = row["published"].strftime("%Y-%m-%d") if pd.notna(row["published"]) else None
        assert got == published, path
        if error:
            assert error in row["error"], (path, row["error"])
        else:
            assert pd.isna(row["error"]), (path, row["error"])
        assert pd.notna(row["path"]) == stored, path
        assert pd.notna(row["fetched_at"]), path
    # where a date came from: the page's own 发布时间/发布日期, the listing, or the page of an attachment
    assert _row(m, base + "/ndbg/2020/shanghai.html")["published_from"] == "page"
    assert _row(m, base + "/ndbg/2021/seed001.txt")["published_from"] == "listing"
    assert _row(m, base + "/files/report2021.pdf")["published_from"] == "parent"
    assert _row(m, base + "/ndbg/old.html")["final_url"] == base + "/ndbg/new.html"
    assert _row(m, base + "/ndbg/flaky.html")["title"] == "沭阳县发展和改革局2021年政府信息公开工作年度报告"
    assert _row(m, base + "/files/table.png")["content_type"] == "image/png"
    # nothing else: no link that is not a report (机构职能, the site's navigation) was followed
    other = fetched["other"].base
    assert set(m["url"]) == {base + p for p in expect} | {other + p for p in ("/a.html", "/b.html", "/files/report.pdf")}
    assert _row(m, other + "/files/report.pdf")["status"] == 404    # the rendered page's footer link
    a = _row(m, other + "/a.html")
    assert (a["kind"], a["agency"], a["year"], a["published"].strftime("%Y-%m-%d")) == ("url", "淮安市人民政府", 2021, "2022-03-30")
    # the manifest is written as Parquet and CSV with the columns first
    out = fetched["out"]
    cols = ["url", "final_url", "parent_url", "status", "fetched_at", "content_type", "bytes", "sha256", "path",
            "title", "published", "error"]
    for name in ("manifest.parquet", "manifest.csv"):
        assert list(read_manifest(out / name).columns[:12]) == cols
    assert len(read_manifest(out / "manifest.csv")) == len(fetched["again"])


def test_files_are_content_addressed_and_stored_once(fetched):
    m, out, served, base = fetched["manifest"], fetched["out"], fetched["served"], fetched["site"].base
    for path, body in served.items():
        row = _row(m, base + path) if base + path in set(m["url"]) else _row(m, base + "/ndbg/old.html")
        sha = hashlib.sha256(body).hexdigest()
        assert row["sha256"] == sha and row["bytes"] == len(body), path
        stored = out / row["path"]
        assert stored.parent.name == sha[:2] and stored.stem == sha[2:], path
        assert stored.read_bytes() == body, path
    same = [_row(m, base + p)["path"] for p in ("/files/report2021.pdf", "/files/copy.pdf")]
    assert same[0] == same[1] and same[0].endswith(".pdf")
    files = [p for p in (out / "files").rglob("*") if p.is_file()]
    assert len(files) == m["sha256"].dropna().nunique()
    assert not any(p.suffix == ".tmp" for p in files)


def test_politeness_measured_by_the_server(fetched):
    log, other_log = fetched["log"], fetched["other_log"]
    for lg in (log, other_log):
        assert lg[0][1] == "/robots.txt"             # robots.txt first, once per host and run
        assert [p for _, p, _ in lg].count("/robots.txt") == 1
        # one request per INTERVAL per host: over the whole run (arrival jitter on a loaded machine can
        # shorten one gap as the next lengthens, not the span; without pacing the span would be ~0)
        span = lg[-1][0] - lg[0][0]
        assert span >= (len(lg) - 2) * INTERVAL, (span, len(lg))
        assert all(h.get("User-Agent", "").startswith("govreports/") and "http" in h["User-Agent"] for _, _, h in lg)
    # the hosts were fetched in parallel: the other host's requests fall inside the first host's run
    assert log[0][0] < other_log[-1][0] < log[-1][0]
    paths = [p for _, p, _ in log]
    assert "/private/secret.html" not in paths and "/about.html" not in paths
    assert paths.count("/ndbg/flaky.html") == 2       # a 500, then retried and served
    assert paths.count("/ndbg/slow.html") == 2        # timed out twice (retries=1), then given up
    assert paths.count("/ndbg/missing.html") == 1     # a 404 is not retried


def test_rerun_skips_what_it_has_and_asks_listings_conditionally(fetched):
    second = fetched["second_log"]
    asked = [p for _, p, _ in second]
    m = fetched["manifest"]
    base = fetched["site"].base
    stored = {u[len(base):] for u in m.loc[m["path"].notna() & (m["kind"] != "listing"), "url"] if u.startswith(base)}
    assert not stored & set(asked), stored & set(asked)
    for _, path, headers in second:
        if path.startswith("/ndbg/index"):
            assert headers.get("If-None-Match", "").startswith('"') and headers.get("If-Modified-Since")
    again = fetched["again"]
    assert (again.loc[again["kind"] == "listing", "status"] == 304).all()
    assert len(again) == len(m)
    # what failed is asked again (a 404, the slow page); what was stored keeps its row
    assert "/ndbg/missing.html" in asked and "/ndbg/slow.html" in asked
    pd.testing.assert_frame_equal(again[again["kind"] == "attachment"].reset_index(drop=True)[["url", "sha256", "path"]],
                                  m[m["kind"] == "attachment"].reset_index(drop=True)[["url", "sha256", "path"]])


def test_refresh_asks_again_conditionally(agency_site, tmp_path):
    site, _ = agency_site
    url = f"{site.base}/ndbg/2020/shanghai.html"
    fast = Settings(interval=0.01, timeout=2, retries=0, max_bytes=MAX_BYTES)
    gr.fetch([url], out=tmp_path, settings=fast)
    gr.fetch([url], out=tmp_path, settings=fast)                  # skipped: nothing asked
    m = gr.fetch([url], out=tmp_path, settings=fast, refresh=True)
    asked = [(p, h) for _, p, h in site.log if p == "/ndbg/2020/shanghai.html"]
    assert len(asked) == 2 and "If-None-Match" not in asked[0][1] and "If-None-Match" in asked[1][1]
    row = _row(m, url)
    assert row["status"] == 304 and row["sha256"] == hashlib.sha256(SHANGHAI).hexdigest()
    assert (tmp_path / row["path"]).exists() and row["published"] == pd.Timestamp("2020-01-31")


def test_resume_after_a_kill(agency_site, tmp_path):
    """A run killed while it waits on a page keeps every row and file it had; the next run asks
    for none of them again and ends with the full manifest."""
    site, served = agency_site
    site.routes["/ndbg/index_2.html"] = html(
        b'<html><body><a href="/ndbg/hold.html">2022\xe5\xb9\xb4\xe5\xb9\xb4\xe6\x8a\xa5</a></body></html>')
    out = tmp_path / "fetch"
    cmd = [sys.executable, "-m", "govreports.cli", "fetch", "--listing", f"{site.base}/ndbg/index.html", "-o", str(out),
           "--interval", "0.01", "--timeout", "60", "--retries", "0", "--max-bytes", str(MAX_BYTES)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        assert site.held.wait(120), proc.stderr.read().decode() if proc.poll() is not None else "never asked"
        proc.kill()
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not (out / "manifest.parquet").exists()           # killed before the end
    before = read_manifest(out)                               # read from the journal
    done = before[before["path"].notna()]
    assert len(done) >= 5 and f"{site.base}/ndbg/2020/shanghai.html" in set(done["url"])
    for path in done["path"]:
        assert (out / path).exists()
    asked_before = len(site.log)
    site.hold.set()
    m = gr.fetch(listings=[f"{site.base}/ndbg/index.html"], out=out, interval=0.01, timeout=2, retries=0,
                 max_bytes=MAX_BYTES)
    asked_after = [p for _, p, _ in site.log[asked_before:]]
    base = site.base
    again = {u[len(base):] for u in done.loc[done["kind"] != "listing", "url"]} & set(asked_after)
    assert not again, again
    assert _row(m, base + "/ndbg/hold.html")["path"] is not None
    assert set(done["url"]) <= set(m["url"])
    assert (out / "manifest.parquet").exists()


def test_read_corpus_hand_off(fetched):
    out, base = fetched["out"], fetched["site"].base
    c = gr.read_corpus(out, workers=1, cache=None)
    r = c.reports
    m = fetched["again"]
    stored = m[m["path"].notna() & m["error"].isna() & (m["kind"] != "listing")]
    assert len(r) == stored["sha256"].nunique()               # each stored report once, listings left out
    assert r["url"].notna().all() and r["fetched_at"].notna().all()
    by_url = r.set_index("url")
    sh = by_url.loc[base + "/ndbg/2020/shanghai.html"]
    assert (sh["agency"], sh["year"], sh["published_source"]) == ("上海市人民政府办公厅", 2019, "manifest")
    assert pd.Timestamp(sh["published"]) == pd.Timestamp("2020-01-31")
    seed = by_url.loc[base + "/ndbg/2021/seed001.txt"]
    assert (seed["agency"], seed["year"]) == ("重庆市人民防空办公室", 2020)
    assert pd.Timestamp(seed["published"]) == pd.Timestamp("2021-01-20")
    # one content under two URLs: one report, with the URL fetched first
    pdf = r[r["sha256"] == _row(m, base + "/files/report2021.pdf")["sha256"]]
    assert len(pdf) == 1 and pdf["url"].iloc[0] in (base + "/files/report2021.pdf", base + "/files/copy.pdf")
    assert pdf["agency"].iloc[0] == "沭阳县发展和改革局"
    # on time? reports with known dates: the page's 发布日期, the listing's dates
    t = ga.timeliness(c).merge(r[["report_id", "url"]], on="report_id").set_index("url")
    sh = t.loc[base + "/ndbg/2020/shanghai.html"]       # 上海市人民政府办公厅 2019, its own report: a department
    assert (sh["kind"], sh["deadline"], sh["days_late"], sh["on_time"]) == ("department", pd.Timestamp("2020-01-31"), 0, True)
    hz = t.loc[base + "/files/hongze2023.pdf"]           # 淮安市洪泽区人民政府 2023: a government, 31 March
    assert (hz["kind"], hz["days_late"], hz["on_time"], hz["published_source"]) == ("government", -2, True, "manifest")
    town = t.loc[base + "/files/town2022.docx"]          # 七里坪镇人民政府: art. 49 sets it no date
    assert town["kind"] == "township" and pd.isna(town["on_time"]) and "set locally" in town["no_deadline"]
    # the command line: govreports corpus build FETCH_FOLDER -o CORPUS
    assert cli_main(["corpus", "build", str(out), "-o", str(out.parent / "corpus"), "--workers", "1", "--no-cache"]) == 0
    built = gr.open_corpus(out.parent / "corpus").reports
    assert len(built) == len(r) and set(built["url"]) == set(r["url"])
    # a manifest given beside a folder of files does the same
    c2 = gr.read_corpus(out / "files" / _row(m, base + "/ndbg/flaky.html")["path"].split("/")[1], workers=1,
                        cache=None, manifest=out / "manifest.csv")
    assert c2.reports["url"].notna().all()


def test_cli_fetch_url_list(agency_site, tmp_path, capsys):
    site, _ = agency_site
    urls = tmp_path / "urls.csv"
    urls.write_text(f"url\n{site.base}/files/hongze2023.pdf\n{site.base}/ndbg/missing.html\n", encoding="utf-8")
    code = cli_main(["fetch", str(urls), "-o", str(tmp_path / "out"), "--interval", "0.01", "--retries", "0"])
    printed = capsys.readouterr().out
    assert code == 0 and "2 URLs" in printed and "1 stored" in printed and "1 failed" in printed
    m = read_manifest(tmp_path / "out")
    assert list(m["status"]) == [200, 404]


def test_bad_url_list_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "urls.csv"
    bad.write_text("address\nhttp://127.0.0.1:1/x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no 'url' column"):
        read_url_list(bad)
    assert cli_main(["fetch", str(bad), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "urls.csv" in err and "no 'url' column" in err and "Traceback" not in err


def test_not_http_is_a_row_not_a_crash(tmp_path):
    m = gr.fetch(["ftp://127.0.0.1/x.pdf"], out=tmp_path, interval=0.01)
    assert "not an http(s) URL" in m["error"].iloc[0]


def test_robots_txt_behind_a_redirect(tmp_path):
    site = Site()
    site.routes["/robots.txt"] = lambda h, n: h._send(301, {"Location": "/site/robots.txt"}, b"")
    site.routes["/site/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /x/\n")
    site.routes["/y/page.html"] = html(SHANGHAI)
    site.start()
    try:
        m = gr.fetch([f"{site.base}/x/page.html", f"{site.base}/y/page.html"], out=tmp_path, interval=0.01)
    finally:
        site.close()
    assert list(m["error"].fillna("")) == ["disallowed by robots.txt", ""]
    assert site.paths() == ["/robots.txt", "/site/robots.txt", "/y/page.html"]


def test_manifest_date_wins_and_others_keep_theirs():
    """attach_manifest: by SHA-256; the manifest's date replaces the reader's (source 'manifest');
    a report the manifest has no date for keeps its page or signature date."""
    from govreports.fetch import attach_manifest, rows_to_manifest

    reports = pd.DataFrame({"report_id": ["a", "b", "c"], "sha256": ["aa", "bb", "cc"],
                            "published": pd.array(["2021-01-05", "2021-02-01", None], dtype="string"),
                            "published_source": pd.array(["page", "signature", None], dtype="string")})
    rows = [dict(url="http://127.0.0.1/a", sha256="aa", path="files/aa/a.html", kind="page", fetched_at="2026-01-02T00:00:00+00:00",
                 published="2021-01-20"),
            dict(url="http://127.0.0.1/a2", sha256="aa", path="files/aa/a.html", kind="url", fetched_at="2026-01-03T00:00:00+00:00",
                 published="2021-03-01"),
            dict(url="http://127.0.0.1/b", sha256="bb", path="files/bb/b.pdf", kind="attachment", fetched_at="2026-01-02T00:00:00+00:00"),
            dict(url="http://127.0.0.1/list", sha256="cc", path="files/cc/c.html", kind="listing", fetched_at="2026-01-02T00:00:00+00:00",
                 published="2020-01-01")]
    out = attach_manifest(reports, rows_to_manifest(rows))
    assert list(out["url"].fillna("")) == ["http://127.0.0.1/a", "http://127.0.0.1/b", ""]
    assert list(out["published"].fillna("")) == ["2021-01-20", "2021-02-01", ""]
    assert list(out["published_source"].fillna("")) == ["manifest", "signature", ""]
    assert out["fetched_at"].iloc[0] == pd.Timestamp("2026-01-02", tz="UTC") and pd.isna(out["fetched_at"].iloc[2])
