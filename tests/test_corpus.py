"""read_corpus / open_corpus: bad files, resume from the cache, duplicates, Parquet, dask."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

import govreports
from govreports import frames
from govreports.cli import main as cli_main
from govreports.corpus import REPORT_COLUMNS, TABLES, list_files, open_corpus, read_corpus, report_id_of
from govreports.render import ReportValues, render

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))
SHANGHAI = DATA / "web" / "shanghai_gov_office_2019.html"


def _values(agency: str, year: int, seed: int = 7) -> ReportValues:
    return dataclasses.replace(ReportValues.synthetic(seed), agency=agency, year=year)


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture
def mixed(tmp_path) -> Path:
    """A folder of real reports, rendered reports in several layouts, and four kinds of bad file."""
    folder = tmp_path / "reports"
    for seed in SEEDS:
        _write(folder, f"seeds/{seed.name}", seed.read_bytes())
    _write(folder, "web/shanghai_2019.html", SHANGHAI.read_bytes())
    for i, layout in enumerate(("html", "markdown", "cells", "pipe_cells", "html_word")):
        ext = ".html" if layout.startswith("html") else ".txt"
        _write(folder, f"rendered/r{i}_{layout}{ext}", render(_values(f"沭阳县发展和改革局", 2019 + i, seed=i), layout))
    _write(folder, "bad/empty.txt", b"")
    _write(folder, "bad/binary.pdf", bytes(range(256)) * 8)
    _write(folder, "bad/no_report.html", "<html><body><p>通知公告：本网站维护中。</p></body></html>")
    seed2 = SEEDS[2].read_bytes()
    _write(folder, "bad/truncated.txt", seed2[: seed2.find("予以公开".encode()) + 200])
    _write(folder, "README.md", "# not a report\n")            # skipped, like a render manifest
    _write(folder, "manifest.jsonl", "{}\n")
    return folder


def _assert_same_corpus(a, b):
    pd.testing.assert_frame_equal(a.reports, b.reports)
    for name in TABLES:
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_like=False)


def test_list_files_skips_readme_and_manifest(mixed):
    names = {p.name for p in list_files(mixed)}
    assert "README.md" not in names and "manifest.jsonl" not in names
    assert len(names) == 5 + 1 + 5 + 4
    assert len(list_files(str(mixed / "seeds" / "*.txt"))) == 5
    with pytest.raises(FileNotFoundError):
        list_files(mixed / "nothing_here")


def test_bad_files_fail_alone_and_nothing_is_lost(mixed):
    c = read_corpus(mixed, workers=1, cache=None)
    r = c.reports.set_index(c.reports["source"].map(lambda s: Path(s).name))
    assert len(c.reports) == 15 and list(c.reports.columns) == list(REPORT_COLUMNS)
    assert c.counts == {"files": 15, "parsed": 12, "failed": 3, "cached": 0, "duplicates": 0}
    for bad, problem in [("empty.txt", "empty"), ("binary.pdf", "binary"), ("no_report.html", "no report")]:
        assert r.loc[bad, "status"] == "failed"
        assert bad in r.loc[bad, "error"] and problem in r.loc[bad, "error"]
    # the same bytes give the same report_id, failed or not
    assert r.loc["empty.txt", "report_id"] == report_id_of(b"")
    # a table cut short is read as far as it is printed, and says so
    assert r.loc["truncated.txt", "status"] == "parsed" and bool(r.loc["truncated.txt", "truncated"])
    assert r.loc["truncated.txt", "agency"] == "宁夏回族自治区应急管理厅"
    assert r.loc["no_report.html", "error"].startswith(str(mixed / "bad" / "no_report.html"))
    # every parsed report's rows are in the tidy tables, exactly as read_report gives them
    for path in [SEEDS[0], mixed / "bad" / "truncated.txt", mixed / "rendered" / "r0_html.html"]:
        one = govreports.read_report(path)
        got = c.requests[c.requests["report_id"] == one.report_id].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, one.requests.reset_index(drop=True))
    parsed_ids = set(c.reports.loc[c.reports["status"] == "parsed", "report_id"])
    assert set(c.requests["report_id"]) <= parsed_ids
    assert len(set(c.requests["report_id"])) == 12
    for name in TABLES:
        assert c.table(name).dtypes.astype(str).to_dict() == frames.COLUMNS[name]


def test_an_unexpected_exception_is_recorded_not_raised(mixed, monkeypatch):
    real = govreports.read_report

    def flaky(data, name=None, **kw):
        if name.endswith("r1_markdown.txt"):
            raise KeyError("boom")
        return real(data, name=name, **kw)

    monkeypatch.setattr(govreports, "read_report", flaky)
    c = read_corpus(mixed, workers=1, cache=None)
    row = c.reports[c.reports["source"].str.endswith("r1_markdown.txt")].iloc[0]
    assert row["status"] == "failed" and row["error"] == "KeyError: 'boom'"
    assert c.counts["parsed"] == 11


def _counting_reader(monkeypatch, stop_after: int | None = None) -> list[str]:
    """Replace read_report with one that records what it parsed (and can be interrupted)."""
    real, calls = govreports.read_report, []

    def reader(data, name=None, **kw):
        if stop_after is not None and len(calls) >= stop_after:
            raise KeyboardInterrupt
        calls.append(Path(name).name)
        return real(data, name=name, **kw)

    monkeypatch.setattr(govreports, "read_report", reader)
    return calls


def test_an_interrupted_run_resumes_from_the_cache(mixed, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    files = list_files(mixed)
    calls = _counting_reader(monkeypatch, stop_after=6)
    with pytest.raises(KeyboardInterrupt):
        read_corpus(mixed, workers=1, cache=cache, batch_size=1)
    assert len(calls) == 6
    monkeypatch.undo()
    calls = _counting_reader(monkeypatch)
    c = read_corpus(mixed, workers=1, cache=cache)
    assert c.counts["cached"] == 6 and len(calls) == len(files) - 6
    assert set(calls).isdisjoint({p.name for p in files[:6]})
    # and a third run parses nothing at all (ReportErrors are cached too)
    calls.clear()
    again = read_corpus(mixed, workers=1, cache=cache)
    assert calls == [] and again.counts["cached"] == len(files)
    _assert_same_corpus(c, again)


def test_a_second_half_is_all_that_is_parsed(mixed, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    files = list_files(mixed)
    half = files[: len(files) // 2]
    first = read_corpus(half, workers=2, cache=cache)
    assert first.counts["cached"] == 0
    calls = _counting_reader(monkeypatch)
    both = read_corpus(files, workers=1, cache=cache)
    assert both.counts["cached"] == len(half)
    assert sorted(calls) == sorted(p.name for p in files[len(half):])


def test_changed_bytes_and_a_new_version_are_parsed_again(mixed, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    read_corpus(mixed, workers=1, cache=cache)
    changed = mixed / "rendered" / "r0_html.html"
    changed.write_text(render(_values("沭阳县发展和改革局", 2019, seed=99), "html"), encoding="utf-8")
    calls = _counting_reader(monkeypatch)
    c = read_corpus(mixed, workers=1, cache=cache)
    assert calls == ["r0_html.html"] and c.counts["cached"] == 14
    new_id = report_id_of(changed.read_bytes())
    assert new_id in set(c.requests["report_id"])
    calls.clear()
    monkeypatch.setattr(govreports, "__version__", govreports.__version__ + "+fixed")
    c = read_corpus(mixed, workers=1, cache=cache)
    assert c.counts["cached"] == 0 and len(calls) == 15


def test_duplicates_are_counted_once(tmp_path):
    folder = tmp_path / "dups"
    v = _values("贵阳市人民防空办公室", 2021, seed=3)
    _write(folder, "a_report.html", render(v, "html"))
    _write(folder, "b_same_report.txt", render(v, "markdown"))          # the same report, other format
    _write(folder, "c_same_bytes.html", render(v, "html"))              # the same bytes again
    _write(folder, "d_next_year.html", render(dataclasses.replace(v, year=2022), "html"))  # not a duplicate
    _write(folder, "e_other_agency.html", render(dataclasses.replace(v, agency="重庆市人民防空办公室"), "html"))
    c = read_corpus(folder, workers=1, cache=None)
    r = c.reports.set_index(c.reports["source"].map(lambda s: Path(s).name))
    first = r.loc["a_report.html", "report_id"]
    assert r.loc["c_same_bytes.html", "report_id"] == first
    assert r.loc["b_same_report.txt", "duplicate_of"] == first
    assert r.loc["c_same_bytes.html", "duplicate_of"] == first
    assert r["duplicate_of"].isna().sum() == 3 and c.counts["duplicates"] == 2
    counts = c.requests.groupby("report_id").size()
    assert len(counts) == 3 and counts[first] == len(govreports.read_report(folder / "a_report.html").requests)
    assert r.loc["b_same_report.txt", "report_id"] not in set(c.requests["report_id"])


def test_agencies_are_linked_across_years_in_a_corpus(tmp_path):
    folder = tmp_path / "linked"
    _write(folder, "nx_2020.txt", SEEDS[0].read_bytes())                  # prints 自治区人民防空办公室
    _write(folder, "nx_2021.html", render(_values("宁夏回族自治区人民防空办公室", 2021, 1), "html"))
    _write(folder, "nx_2022.txt", render(_values("宁夏人防办", 2022, 2), "markdown"))
    _write(folder, "gy_2021.html", render(_values("贵阳市人民防空办公室", 2021, 3), "html"))
    _write(folder, "gy_2022.txt", render(_values("市人防办", 2022, 4), "cells"))   # its text names no city
    _write(folder, "ha_2019.html", render(_values("淮安市卫生和计划生育委员会", 2019, 5), "html"))
    _write(folder, "ha_2021.html", render(_values("淮安市卫生健康委员会", 2021, 6), "html"))
    c = read_corpus(folder, workers=1, cache=None)
    r = c.reports.set_index(c.reports["source"].map(lambda s: Path(s).stem))
    assert r.loc[["nx_2020", "nx_2021", "nx_2022"], "agency_key"].tolist() == ["宁夏回族自治区人民防空办公室"] * 3
    assert r.loc[["nx_2020", "nx_2021", "nx_2022"], "agency_link"].tolist() == ["normalized", "exact", "normalized"]
    assert r.loc["gy_2022", "agency_key"] == r.loc["gy_2021", "agency_key"] == "贵阳市人民防空办公室"
    assert r.loc["gy_2022", "agency_link"] == "guessed"
    assert r.loc["ha_2019", "agency_key"] == r.loc["ha_2021", "agency_key"]
    assert r.loc["ha_2019", "agency_link"] == "guessed"
    assert r.loc["nx_2020", "level"] == "provincial" and r.loc["nx_2020", "region"] == "宁夏回族自治区"
    assert r.loc["gy_2022", "level"] == "city" and r.loc["gy_2022", "region"] == "贵州省/贵阳市"


def test_parquet_round_trip_gives_the_same_frames(mixed, tmp_path):
    c = read_corpus(mixed, workers=1, cache=None)
    back = open_corpus(c.to_parquet(tmp_path / "corpus"))
    _assert_same_corpus(c, back)
    assert back.counts == c.counts
    narrow = back.table("requests", columns=["report_id", "value"])
    assert list(narrow.columns) == ["report_id", "value"] and str(narrow["value"].dtype) == "Int64"


def test_streaming_in_small_chunks_writes_the_same_dataset(mixed, tmp_path):
    in_memory = read_corpus(mixed, workers=1, cache=None)
    streamed = read_corpus(mixed, workers=2, cache=None, out=tmp_path / "out", chunk_size=4, batch_size=2)
    assert len(list((tmp_path / "out" / "requests").glob("part-*.parquet"))) == 4
    _assert_same_corpus(in_memory, streamed)
    _assert_same_corpus(in_memory, open_corpus(tmp_path / "out"))


def test_cli_corpus_build_prints_the_counts(mixed, tmp_path, capsys):
    code = cli_main(["corpus", "build", str(mixed / "seeds"), str(mixed / "bad"), "-o", str(tmp_path / "c"),
                     "--workers", "1", "--cache", str(tmp_path / "cache")])
    out = capsys.readouterr().out
    assert code == 0
    assert "9 files: 6 parsed, 3 failed, 0 from the cache, 0 duplicates" in out
    assert len(open_corpus(tmp_path / "c").reports) == 9


@pytest.mark.slow
def test_dask_engine_on_a_local_cluster_gives_the_same_result(mixed, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = read_corpus(mixed, workers=1, cache=None)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        remote = read_corpus(mixed, engine="dask", scheduler=cluster.scheduler_address, cache=tmp_path / "cache",
                             out=tmp_path / "out", chunk_size=5, batch_size=2)
    _assert_same_corpus(local, remote)
    assert remote.counts == local.counts
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 15


def test_unchanged_corpus_is_reused_and_a_touched_file_rebuilds(tmp_path):
    """A re-run over the same files into the same folder reuses the Parquet dataset; changing
    one file's bytes makes the next run read again (and only that file is parsed anew)."""
    src = tmp_path / "in"
    shutil.copytree(DATA / "seeds", src)
    out, cache = tmp_path / "corpus", tmp_path / "cache"
    first = read_corpus(src, workers=1, cache=cache, out=out)
    assert first.counts["parsed"] == 5 and first.counts["cached"] == 0
    again = read_corpus(src, workers=1, cache=cache, out=out)
    assert again.counts["cached"] == 5
    pd.testing.assert_frame_equal(again.requests, first.requests)
    target = src / "001_aedc4f75886f8629.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("| 3 | 0 | 0 | 0 | 0 | 0 | 3 |", "| 4 | 0 | 0 | 0 | 0 | 0 | 4 |", 1),
                      encoding="utf-8")
    third = read_corpus(src, workers=1, cache=cache, out=out)
    assert third.counts["cached"] == 4  # the changed file was parsed anew
    rid = third.reports.loc[third.reports["source"].str.endswith("001_aedc4f75886f8629.txt"), "report_id"].iloc[0]
    req = third.requests
    assert int(req[(req.report_id == rid) & (req.row == "received_new") & (req.applicant == "total")]["value"].iloc[0]) == 4


def test_cross_year_findings_are_part_of_the_corpus_findings(tmp_path):
    """carried_forward of 2023 must equal carried_over of 2024; a pair that disagrees is stored as
    a 'corpus' finding when the corpus is built, in memory and on disk alike."""
    from govreports.render import ReportValues, render
    base = ReportValues.synthetic(5, "2021")
    first = ReportValues("测试市测试局", 2023, "2021", base.requests, base.appeals, base.disclosure)
    req = dict(base.requests)
    req["carried_over"] = [x + 1 for x in req["carried_forward"][:6]] + [sum(req["carried_forward"][:6]) + 6]
    second = ReportValues("测试市测试局", 2024, "2021", req, base.appeals, base.disclosure)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a2023.txt").write_text(render(first, "tsv"), encoding="utf-8")
    (folder / "a2024.txt").write_text(render(second, "tsv"), encoding="utf-8")
    for c in (read_corpus(folder, workers=1, cache=None), read_corpus(folder, workers=1, cache=None, out=tmp_path / "c"),
              open_corpus(tmp_path / "c")):
        f = c.findings
        carry = f[(f["table"] == "corpus") & (f["check"] == "carry_over")]
        assert len(carry) >= 1 and set(carry["severity"]) <= {"error", "warning"}


def _quiet(v: ReportValues, appeals: list[int]) -> ReportValues:
    """The same report with nobody applying (every table-3 cell 0) and these 15 appeals figures."""
    return dataclasses.replace(v, requests={k: [0] * 7 for k in v.requests}, appeals=appeals)


def test_quiet_agencies_are_told_apart_by_their_other_tables(tmp_path):
    """Every request 0: two reports of one agency and year are one report printed twice only when
    their appeals (and disclosure) agree too; the fingerprint hashes them then."""
    folder = tmp_path / "quiet"
    v = _values("贵阳市人民防空办公室", 2021, seed=3)
    review = [1, 0, 0, 0, 1] + [0] * 10          # one review, upheld
    _write(folder, "a_quiet.html", render(_quiet(v, review), "html"))
    _write(folder, "b_quiet_again.txt", render(_quiet(v, review), "markdown"))   # the same, other format
    _write(folder, "c_quiet_other_appeals.html", render(_quiet(v, [0] * 15), "html"))
    c = read_corpus(folder, workers=1, cache=None)
    r = c.reports.set_index(c.reports["source"].map(lambda s: Path(s).name))
    assert c.requests["value"].eq(0).all()
    assert r.loc["b_quiet_again.txt", "duplicate_of"] == r.loc["a_quiet.html", "report_id"]
    assert pd.isna(r.loc["c_quiet_other_appeals.html", "duplicate_of"])
    assert c.counts["duplicates"] == 1


def test_cache_entries_read_the_same_with_or_without_orjson(tmp_path, monkeypatch):
    """The per-file cache is JSON either way: an entry written by orjson is read by json and back."""
    import json

    from govreports.corpus import cache as cache_mod
    from govreports.corpus import load_cached, parse_file, store_cached

    if cache_mod.orjson is None:
        pytest.skip("orjson is not installed: json writes and reads every entry")
    entry, _ = parse_file(SHANGHAI, None, "test")
    store_cached(tmp_path / "fast.json", entry)
    monkeypatch.setattr(cache_mod, "orjson", None)
    store_cached(tmp_path / "plain.json", entry)
    assert json.loads((tmp_path / "fast.json").read_bytes()) == entry
    assert load_cached(tmp_path / "fast.json") == load_cached(tmp_path / "plain.json") == entry


@pytest.mark.parametrize("fast", [True, False])
def test_a_nan_is_never_cached_as_missing(tmp_path, monkeypatch, fast):
    """orjson would write NaN as null (read back as a missing value): an entry holding one is not
    written, with orjson as without it."""
    from govreports.corpus import cache as cache_mod
    from govreports.corpus import parse_file, store_cached

    if not fast:
        monkeypatch.setattr(cache_mod, "orjson", None)
    entry, _ = parse_file(SHANGHAI, None, "test")
    entry["tables"]["disclosure"]["value"][0] = float("nan")
    with pytest.raises(ValueError):
        store_cached(tmp_path / "nan.json", entry)
    assert not (tmp_path / "nan.json").exists()


def test_parse_batch_gives_the_heap_back_to_the_garbage_collector():
    """A batch is parsed with the older objects frozen out of the collector's sight (and young ones
    collected less often); after it both are as they were, and a caller's own freeze is kept."""
    import gc

    from govreports.corpus import code_version, parse_batch

    threshold = gc.get_threshold()
    batch = parse_batch([str(SEEDS[0])], None, code_version())
    assert gc.get_freeze_count() == 0 and batch["reports"][0]["status"] == "parsed"
    assert gc.get_threshold() == threshold
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        parse_batch([str(SEEDS[0])], None, code_version())
        assert frozen > 0 and gc.get_freeze_count() > 0   # still frozen (objects freed meanwhile leave it)
    finally:
        gc.unfreeze()


def test_batches_running_at_once_give_the_collector_back_when_the_last_ends():
    """Two batches in one process (a dask worker with threads), the first ending before the
    second: the collector stays eased until the second ends, then is as it was."""
    import gc
    import threading

    from govreports.corpus.worker import _light_gc

    threshold = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with _light_gc():
            first_in.set()
            second_in.wait(30)
        first_out.set()

    t = threading.Thread(target=first)
    t.start()
    assert first_in.wait(30)
    with _light_gc():
        second_in.set()
        assert first_out.wait(30)
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] >= 10_000   # still eased
    t.join(30)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0


def test_read_report_gives_the_collector_back_as_it_found_it(tmp_path):
    """read_report eases the garbage collector while it parses (govreports.lightgc) and gives back
    the threshold and the unfrozen heap after, also when the file is refused, and keeps a heap the
    caller froze frozen."""
    import gc

    import govreports as gr
    from govreports.exceptions import ReportError

    threshold = gc.get_threshold()
    report = gr.read_report(render(ReportValues.synthetic(3), "tsv"), name="a.txt")
    assert len(report.records("requests")) > 0
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 not a pdf")
    with pytest.raises(ReportError):
        gr.read_report(bad)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        gr.read_report(render(ReportValues.synthetic(4), "tsv"), name="b.txt")
        assert gc.get_freeze_count() > 0 and gc.get_threshold() == threshold   # still frozen
    finally:
        gc.unfreeze()
