"""Hostile and unlucky input (issue 13): a safe cache, bounded work, atomic corpora, honest exit codes.

Every hostile file is made here, small; the limits are lowered where a real-size file would be
slow to make (the check is the same code whatever the limit).
"""
from __future__ import annotations

import io
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import govreports
from govreports import ReportError, read_report
from govreports.cli import main as cli_main
from govreports.corpus import cache_path, code_version, load_cached, open_corpus, read_corpus, valid_entry
from govreports.exceptions import CorpusLockedError
from govreports.limits import MB, Limits
from govreports.render import ReportValues, render

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "reports" / "seeds").glob("*.txt"))


def _folder(tmp_path: Path, n: int = 3) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir(parents=True)
    for seed in SEEDS[:n]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def _wait_until(condition, seconds: float = 60.0) -> None:
    """Wait for a condition (polling), failing the test if it never comes."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


# ------------------------------------------------------------------------------------- 1, 2: the cache

class _Planted:
    """A pickle that, if ever unpickled, creates a file (as ``os.system`` would run a command)."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _entry_path(cache: Path, data: bytes) -> Path:
    import hashlib
    return cache_path(cache, code_version(), hashlib.sha256(data).hexdigest()[:16])


def test_a_planted_pickle_in_the_cache_runs_nothing_and_is_rewritten(tmp_path):
    folder, cache = _folder(tmp_path, 1), tmp_path / "cache"
    data = SEEDS[0].read_bytes()
    marker = tmp_path / "code_ran"
    where = _entry_path(cache, data)
    where.parent.mkdir(parents=True)
    where.write_bytes(pickle.dumps({"report": _Planted(marker)}))
    where.with_suffix(".pkl").write_bytes(pickle.dumps(_Planted(marker)))  # the old layout's name too
    assert cli_main(["corpus", "build", str(folder), "-o", str(tmp_path / "out"), "--workers", "1",
                     "--cache", str(cache)]) == 0
    assert not marker.exists()
    c = open_corpus(tmp_path / "out")
    assert c.counts["parsed"] == 1 and c.counts["cached"] == 0
    entry = json.loads(where.read_text(encoding="utf-8"))   # rewritten as data
    assert valid_entry(entry) and entry["report"]["status"] == "parsed"
    assert list(cache.rglob("*.pkl")) == [where.with_suffix(".pkl")]  # nothing new is pickled


def _valid_entry_of(tmp_path: Path, data: bytes) -> dict:
    cache = tmp_path / "first"
    read_corpus(_folder(tmp_path / "x", 1), workers=1, cache=cache)
    return load_cached(_entry_path(cache, data))


@pytest.mark.parametrize("shape", ["42", "{}", "report_empty", "value_is_text", "ragged_columns", "other_report",
                                   "torn", "nested", "extra_key", "status_unknown", "fifo", "symlink"])
def test_a_wrong_shaped_cache_entry_is_a_miss_never_an_error(tmp_path, shape):
    data = SEEDS[0].read_bytes()
    good = _valid_entry_of(tmp_path, data)
    assert good is not None and valid_entry(good)
    bad = json.loads(json.dumps(good))
    if shape == "42":
        text = "42"
    elif shape == "{}":
        text = "{}"
    elif shape == "torn":
        text = json.dumps(good)[:500]
    elif shape == "nested":
        text = "[" * 100000 + "]" * 100000
    else:
        if shape == "report_empty":
            bad = {"report": {}, "tables": {}}
        elif shape == "value_is_text":
            bad["tables"]["requests"]["value"][0] = "os.system('x')"
        elif shape == "ragged_columns":
            bad["tables"]["requests"]["row"].pop()
        elif shape == "other_report":
            bad["report"]["sha256"] = "0" * 64
        elif shape == "extra_key":
            bad["report"]["__class__"] = "x"
        elif shape == "status_unknown":
            bad["report"]["status"] = "owned"
        text = json.dumps(bad)
    cache = tmp_path / "cache"
    where = _entry_path(cache, data)
    where.parent.mkdir(parents=True)
    if shape == "fifo":
        os.mkfifo(where)           # opening it for reading would wait for a writer forever
    elif shape == "symlink":
        (tmp_path / "elsewhere.json").write_text(json.dumps(good), encoding="utf-8")
        where.symlink_to(tmp_path / "elsewhere.json")
    else:
        where.write_text(text, encoding="utf-8")
    c = read_corpus(_folder(tmp_path, 1), workers=1, cache=cache)
    assert c.counts["parsed"] == 1 and c.counts["cached"] == 0
    assert int(c.requests["value"].sum()) == int(read_report(SEEDS[0]).requests["value"].sum())
    rewritten, fresh = load_cached(where), load_cached(_entry_path(tmp_path / "first", data))
    for entry in (rewritten, fresh):
        entry["report"].pop("source")
    assert rewritten == fresh  # rewritten whole
    assert read_corpus(_folder(tmp_path / "again", 1), workers=1, cache=cache).counts["cached"] == 1


# ------------------------------------------------------------------------------------- 3, 4: bounded work

def _zip(members: dict[str, int | bytes]) -> bytes:
    """A zip whose members are given bytes, or that many NUL bytes (compressed to almost nothing)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            if isinstance(content, bytes):
                z.writestr(name, content)
                continue
            with z.open(name, "w", force_zip64=True) as fh:
                chunk = b"\0" * MB
                for _ in range(content // MB):
                    fh.write(chunk)
    return buf.getvalue()


def test_a_zip_bomb_docx_is_refused_before_anything_is_decompressed(tmp_path):
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": 65 * MB})
    assert len(bomb) < MB // 2
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    with pytest.raises(ReportError) as err:
        read_report(path)
    assert "bomb.docx" in str(err.value) and "word/document.xml" in str(err.value) and "zip bomb" in str(err.value)


def test_a_zip_bomb_xlsx_is_refused_by_the_same_check():
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": 3 * MB})
    with pytest.raises(ReportError, match="sheet1.xml would decompress to 3.0 MB"):
        read_report(bomb, name="book.xlsx", limits=Limits(zip_member_bytes=2 * MB))
    many = _zip({f"xl/worksheets/sheet{i}.xml": 2 * MB for i in range(3)})
    with pytest.raises(ReportError, match="members would decompress to 6.0 MB"):
        read_report(many, name="book.xlsx", limits=Limits(zip_total_bytes=5 * MB))


def test_a_real_docx_passes_the_zip_check():
    v = ReportValues.synthetic(4)
    r = read_report(render(v, "docx"), name="r.docx")
    assert len(r.requests) > 100


def test_huge_text_is_refused_with_the_limit_named(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_bytes(SEEDS[0].read_bytes() * (11 * MB // len(SEEDS[0].read_bytes()) + 1))
    with pytest.raises(ReportError) as err:
        read_report(path)
    assert "dump.txt" in str(err.value) and "of text" in str(err.value) and "GOVREPORTS_TEXT_BYTES" in str(err.value)
    with pytest.raises(ReportError, match="larger than a report can be"):
        read_report(path, limits=Limits(file_bytes=MB))


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOVREPORTS_TEXT_BYTES", "1000")
    with pytest.raises(ReportError, match="limit 0.0 MB"):
        read_report(SEEDS[0])
    monkeypatch.setenv("GOVREPORTS_TEXT_BYTES", "many")
    with pytest.raises(ValueError, match="GOVREPORTS_TEXT_BYTES"):
        read_report(SEEDS[0])


@pytest.mark.parametrize("layout", ["html", "docx", "csv", "xlsx"])
def test_a_table_of_too_many_rows_is_refused(layout):
    printed = render(ReportValues.synthetic(5), layout)
    with pytest.raises(ReportError, match="rows: more than a report's table can have"):
        read_report(printed, name=f"r.{layout}", limits=Limits(table_rows=10))
    assert len(read_report(printed, name=f"r.{layout}").requests) > 100  # under the default limit


def test_a_long_pdf_is_read_up_to_the_page_limit_with_one_finding():
    pdf = render(ReportValues.synthetic(6), "pdf")  # two pages: table 4 on the second
    whole = read_report(pdf, name="r.pdf")
    assert len(whole.appeals) == 15 and "pages_skipped" not in set(whole.findings["check"])
    cut = read_report(pdf, name="r.pdf", limits=Limits(pdf_pages=1))
    skipped = cut.findings[cut.findings["check"] == "pages_skipped"]
    assert len(skipped) == 1 and skipped["severity"].iloc[0] == "warning"
    assert "2 pages; only the first 1" in skipped["message"].iloc[0]
    assert cut.appeals.empty  # page 2 was not read


# ------------------------------------------------------------------------------------- 5: time limit

def _hang_on(monkeypatch, stem: str):
    real = govreports.read_report

    def reader(data, name=None, **kw):
        if Path(name).stem == stem:
            while True:  # a file whose reading never ends
                pass
        return real(data, name=name, **kw)

    monkeypatch.setattr(govreports, "read_report", reader)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_over_the_time_limit_fails_and_the_batch_goes_on(tmp_path, monkeypatch, workers):
    folder = _folder(tmp_path, 4)
    _hang_on(monkeypatch, SEEDS[1].stem)
    c = read_corpus(folder, workers=workers, cache=tmp_path / "cache", timeout=3, batch_size=4)
    by_name = c.reports.set_index(c.reports["source"].map(lambda s: Path(s).stem))
    assert by_name.loc[SEEDS[1].stem, "status"] == "failed"
    assert by_name.loc[SEEDS[1].stem, "error"] == "timed out after 3 s (limit GOVREPORTS_TIMEOUT)"
    assert c.counts["parsed"] == 3, c.reports[["source", "status", "error"]].to_string()
    assert not list((tmp_path / "cache").rglob(f"{by_name.loc[SEEDS[1].stem, 'report_id']}.json"))  # not cached


def test_the_parse_command_times_out_a_file_and_goes_on(tmp_path, monkeypatch):
    import govreports.commands.parse as parse_command

    folder = _folder(tmp_path, 2)
    real = parse_command.read_report

    def reader(path, *args, **kw):
        if Path(path).stem == SEEDS[0].stem:
            while True:
                pass
        return real(path, *args, **kw)

    monkeypatch.setattr(parse_command, "read_report", reader)
    monkeypatch.setenv("GOVREPORTS_TIMEOUT", "2")
    assert cli_main(["parse", str(folder), "-o", str(tmp_path / "out"), "-q"]) == 1
    reports = pd.read_csv(tmp_path / "out" / "reports.csv")
    assert list(reports["status"]) == ["failed", "parsed"]
    assert reports["error"].iloc[0] == "timed out after 2 s (limit GOVREPORTS_TIMEOUT)"


@pytest.mark.slow
def test_the_time_limit_holds_in_dask_worker_threads(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    folder = _folder(tmp_path, 3)
    _hang_on(monkeypatch, SEEDS[0].stem)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        c = read_corpus(folder, engine="dask", scheduler=cluster.scheduler_address, cache=None, timeout=3,
                        batch_size=3)
    assert list(c.reports["status"]) == ["failed", "parsed", "parsed"]
    assert c.reports["error"].iloc[0].startswith("timed out after 3 s")


# ------------------------------------------------------------------------------------- 6, 7: nothing lost

_HANGING_BUILD = textwrap.dedent("""
    import sys, time
    import govreports
    def hang(data, name=None, **kw):
        while True:
            time.sleep(0.05)
    govreports.read_report = hang
    govreports.read_corpus(sys.argv[1], workers=1, cache=None, out=sys.argv[2], timeout=0)
""")


def test_a_killed_rebuild_keeps_the_old_corpus_and_a_second_build_is_refused(tmp_path):
    folder, out = _folder(tmp_path, 3), tmp_path / "corpus"
    first = read_corpus(folder, workers=1, cache=None, out=out)
    (folder / "new.txt").write_bytes(SEEDS[3].read_bytes())
    proc = subprocess.Popen([sys.executable, "-c", _HANGING_BUILD, str(folder), str(out)], cwd=ROOT)
    try:
        _wait_until(lambda: list(tmp_path.glob(".corpus.building-*")) and (tmp_path / ".corpus.lock").exists())
        with pytest.raises(CorpusLockedError) as err:       # 7: a second build fails at once, naming the holder
            read_corpus(folder, workers=1, cache=None, out=out)
        assert f"pid {proc.pid}" in str(err.value) and "started" in str(err.value)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    again = open_corpus(out)                                 # 6: the previous corpus is whole
    pd.testing.assert_frame_equal(again.reports, first.reports)
    pd.testing.assert_frame_equal(again.requests, first.requests)
    with pytest.warns(UserWarning, match=f"took over the lock of a build that is gone .pid {proc.pid}"):
        rebuilt = read_corpus(folder, workers=1, cache=None, out=out)
    assert rebuilt.counts["files"] == 4 and open_corpus(out).counts["files"] == 4
    assert not list(tmp_path.glob(".corpus.*"))             # no lock, no staging folder left


def test_a_build_killed_while_swapping_folders_is_repaired_by_the_next(tmp_path):
    folder, out = _folder(tmp_path, 2), tmp_path / "corpus"
    first = read_corpus(folder, workers=1, cache=None, out=out)
    os.rename(out, tmp_path / ".corpus.previous")           # killed between the two renames of the swap
    (tmp_path / ".corpus.building-999999").mkdir()
    again = read_corpus(folder, workers=1, cache=None, out=out)
    assert again.counts["cached"] == 2                       # the previous corpus was put back, and reused
    pd.testing.assert_frame_equal(open_corpus(out).reports, first.reports)
    assert not list(tmp_path.glob(".corpus.*"))


def test_cli_build_into_a_busy_folder_exits_1_naming_the_holder(tmp_path, capsys):
    folder, out = _folder(tmp_path, 1), tmp_path / "corpus"
    (tmp_path / ".corpus.lock").write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename,
                                                       "started": "2026-12-01 20:00:00 UTC"}))
    assert cli_main(["corpus", "build", str(folder), "-o", str(out), "--workers", "1", "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert f"pid {os.getpid()}" in err and "2026-12-01 20:00:00" in err
    assert not out.exists()


def test_a_folder_holding_other_files_is_refused_not_replaced(tmp_path):
    folder, out = _folder(tmp_path, 1), tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    with pytest.raises(FileExistsError, match="thesis.tex"):
        read_corpus(folder, workers=1, cache=None, out=out)
    assert (out / "thesis.tex").read_text() == "mine"


# ------------------------------------------------------------------------------------- 8, 9, 10: honest exits

def _with_bad_files(tmp_path: Path) -> Path:
    folder = _folder(tmp_path, 2)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.pdf").write_bytes(b"GIF89a" + bytes(200))
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    return folder


def test_check_strict_exits_1_on_unreadable_files_and_writes_nothing_without_o(tmp_path, monkeypatch, capsys):
    folder = _folder(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*"))
    assert cli_main(["check", str(folder), "--workers", "1", "--strict"]) == 0
    (folder / "empty.txt").write_bytes(b"")
    assert cli_main(["check", str(folder), "--workers", "1", "--strict"]) == 1
    assert cli_main(["check", str(folder), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "nothing written" in out
    assert sorted(p for p in tmp_path.rglob("*")) == before + [folder / "empty.txt"]


def test_corpus_build_strict_and_the_failed_count_at_the_end(tmp_path, capsys):
    folder, out = _with_bad_files(tmp_path), tmp_path / "corpus"
    assert cli_main(["corpus", "build", str(folder), "-o", str(out), "--workers", "1", "--no-cache"]) == 0
    assert cli_main(["corpus", "build", str(folder), "-o", str(out), "--workers", "1", "--no-cache",
                     "--strict"]) == 1
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"4 of 6 files failed: their errors are in {out / 'failed.csv'}"
    failed = pd.read_csv(out / "failed.csv").set_index("source")["error"]
    assert len(failed) == 4
    assert failed[str(folder / "dangling.txt")] == "dangling symbolic link (dangling.txt -> " \
                                                   f"{folder / 'gone.txt'}, which does not exist)"
    assert failed[str(folder / "loop.txt")].startswith("symbolic link loop")
    assert "it is a GIF image (named .pdf)" in failed[str(folder / "photo.pdf")]


def test_what_a_binary_file_looks_like_is_said():
    cases = {b"GIF89a" + bytes(100): "a GIF image",
             b"\x1f\x8b\x08" + bytes(100): "a gzip archive", b"BM" + bytes(100): "a BMP image",
             pickle.dumps({"x": 1}): "a Python pickle"}
    for data, what in cases.items():
        with pytest.raises(ReportError) as err:
            read_report(data, name="report.pdf")
        assert f"binary file, not a report (it is {what} (named .pdf))" in str(err.value)
    with pytest.raises(ReportError, match=r"binary file, not a report \(NUL bytes in the data\)"):
        read_report(bytes(range(256)) * 8, name="x.bin")
    assert len(read_report("BM，某局2021年政府信息公开工作年度报告".encode() + SEEDS[0].read_bytes(),
                           name="bm.txt").requests) > 100  # text that starts like a magic is still text
