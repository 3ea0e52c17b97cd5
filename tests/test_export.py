"""govreports export: the release of a corpus reads back in every format with the corpus's values,
the panel holds the gold values, the codebook covers every column, and the names stay stable."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govreports as gr
from govreports import analysis
from govreports import export as ex
from govreports.cli import main as cli_main
from govreports.corpus import TABLES
from govreports.render import ReportValues, render

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "reports"
GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
GOLDEN_COLUMNS = ROOT / "tests" / "golden" / "release_columns.txt"
LONG = ex.LONG_TABLES[1:]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample corpus built on disk in several Parquet parts, and its release."""
    tmp = tmp_path_factory.mktemp("release")
    corpus = gr.read_corpus(DATA, workers=1, cache=None, out=tmp / "corpus", chunk_size=6)
    out = ex.export(corpus, tmp / "release")
    return corpus, out, pd.read_parquet(out / "parquet" / "panel.parquet")


def _book(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "codebook.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _string_columns(book: pd.DataFrame, table: str) -> dict[str, type]:
    rows = book[(book["table"] == table) & book["type"].isin(["string", "category", "date"])]
    return {c: str for c in rows["column"]}


def _same(a: pd.Series, b: pd.Series, what: str, exact: bool = False) -> None:
    """Equal values, missing where missing, whatever the dtype each reader gives. Unless ``exact``,
    an empty text and a missing one are one (CSV, Stata and Excel cannot tell them apart)."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    na_a, na_b = a.isna().to_numpy(), b.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(a.dtype) and not pd.api.types.is_bool_dtype(a.dtype):
        na_b = na_b | (b.astype(str) == "")
        assert (na_a == na_b).all(), what
        x = a[~na_a].astype("float64").to_numpy()
        y = pd.to_numeric(b[~na_b]).astype("float64").to_numpy()
        assert np.allclose(x, y, rtol=1e-12, atol=0), what
    elif pd.api.types.is_bool_dtype(a.dtype):
        assert (na_a == na_b).all(), what
        assert (a[~na_a].astype(bool).to_numpy() == b[~na_b].map(lambda v: v in (True, 1, "True", "true"))
                .to_numpy()).all(), what
    else:
        if not exact:
            na_a = na_a | (a.astype(str) == "").to_numpy()
            na_b = na_b | (b.astype(str) == "").to_numpy()
        assert (na_a == na_b).all(), what
        assert (a[~na_a].astype(str).to_numpy() == b[~na_b].astype(str).to_numpy()).all(), what


# ------------------------------------------------------------------------------------------ values

def test_panel_cells_are_the_gold_values_of_the_seeds(built):
    _, _, panel = built
    by_source = panel.assign(file=panel["source"].map(lambda s: Path(s).name)).set_index("file")
    # seed 004's 本年新收, read by hand: 自然人 3, 总计 printed 0 (the report's own inconsistency, kept as printed)
    assert GOLD["004_454a5f1be846ec67.txt"]["requests"]["received_new"][0] == 3
    assert by_source.at["004_454a5f1be846ec67.txt", "requests__received_new__natural_person"] == 3
    assert by_source.at["004_454a5f1be846ec67.txt", "requests__received_new__total"] == 0
    checked = 0
    for name, gold in GOLD.items():
        row = by_source.loc[name]
        for key, cells in gold["requests"].items():
            for applicant, value in zip(("natural_person", "commercial", "research", "social_org",
                                         "legal_service", "other_org", "total"), cells):
                assert row[f"requests__{key.replace('.', '_')}__{applicant}"] == value, (name, key, applicant)
                checked += 1
        appeals = [0] * 15 if isinstance(gold["appeals"], str) else gold["appeals"]
        for i, value in enumerate(appeals):
            proc, res = ("review", "suit_direct", "suit_after_review")[i // 5], \
                ("upheld", "corrected", "other", "pending", "total")[i % 5]
            assert row[f"appeals__{proc}__{res}"] == value, (name, proc, res)
        for item, measures in gold["disclosure"].items():
            for measure, value in measures.items():
                if not measure.startswith("_"):
                    assert row[f"disclosure__{item}__{measure}"] == pytest.approx(value), (name, item, measure)
        assert row["year"] == gold["year"] and row["template"] == gold["template"]
        if "published" in gold:
            assert row["published"] == gold["published"], name
    assert checked == 5 * 23 * 7


def test_panel_measures_are_those_of_analysis(built):
    corpus, _, panel = built
    p = panel.set_index("report_id")
    for name, m in analysis.MEASURES.items():
        mv = analysis.measure_values(corpus, name, by="report").set_index("report_id")
        mv = mv.reindex(p.index)
        _same(mv["value"], p[name], name)
        if m.denominator:
            _same(mv["numerator"], p[f"{name}__num"], name)
            _same(mv["denominator"], p[f"{name}__den"], name)


def test_a_measure_of_a_source_export_does_not_know_is_an_error_not_a_gap(built, monkeypatch):
    corpus, _, _ = built
    odd = dataclasses.replace(analysis.MEASURES["handled"], source="some_new_source")
    monkeypatch.setitem(analysis.MEASURES, "odd_measure", odd)
    with pytest.raises(ValueError, match=r"odd_measure \(some_new_source\)"):
        ex.panel(corpus)


def test_shanghai_2019_refused_share_as_in_the_schema(built):
    _, _, panel = built
    row = panel[(panel["agency"] == "上海市人民政府办公厅") & (panel["year"] == 2019)].iloc[0]
    # SCHEMA.md 'Derived measures': handled 805, denied 35 (总计 blank: the applicant cells summed)
    assert (row["refused_share__num"], row["refused_share__den"]) == (35, 805)
    assert row["refused_share"] == pytest.approx(35 / 805)
    assert row["n_missing_cells"] == 0 and not row["year_duplicate"]


def test_quality_columns_count_the_findings(built):
    corpus, _, panel = built
    fi = corpus.findings
    for sev, col in (("error", "n_errors"), ("warning", "n_warnings")):
        counts = fi[fi["severity"] == sev].groupby("report_id").size()
        assert (panel.set_index("report_id")[col] == counts.reindex(panel["report_id"]).fillna(0).to_numpy()).all()
    assert (panel["n_corrected"] == 0).all()  # the sample corpus has no corrections


def test_missing_cells_count_what_the_template_prints_and_the_report_does_not(built):
    corpus, _, panel = built
    req = corpus.requests
    for _, row in panel.iterrows():
        if row["template"] != "2019":
            continue
        have = req[req["report_id"] == row["report_id"]]
        rows_2019 = [r.key for r in gr.template.REQUEST_ROWS if "2019" in r.templates]
        expected_req = len(rows_2019) * 7 - int(have[have["row"].isin(rows_2019)]["value"].notna().sum())
        app = corpus.appeals[corpus.appeals["report_id"] == row["report_id"]]["value"].notna().sum()
        dis = corpus.disclosure[corpus.disclosure["report_id"] == row["report_id"]]["value"].notna().sum()
        assert row["n_missing_cells"] == expected_req + (15 - app) + (22 - dis), row["source"]


def test_rollups_sum_the_agencies_and_say_how_many_are_missing(built):
    _, out, panel = built
    roll = pd.read_parquet(out / "parquet" / "rollups.parquet")
    # 宁夏回族自治区, provincial, 2020: two agencies, received 2 (人防办, gold seed 000) + 4 (应急管理厅)
    r = roll[(roll["region"] == "宁夏回族自治区") & (roll["level"] == "provincial") & (roll["year"] == 2020)
             & (roll["figure"] == "received_new")].iloc[0]
    n_000 = GOLD["000_5098ec7e8be95a2a.txt"]["requests"]["received_new"][6]
    other = panel[(panel["agency"] == "宁夏回族自治区应急管理厅")]["requests__received_new__total"].iloc[0]
    assert r["value"] == n_000 + other and r["n_reports"] == 2 and r["n_agencies"] == 2 and r["complete"]
    assert r["division_code"] == "640000000000"
    # 上海市: one agency, reports on 2019 and 2025; every year its n_agencies is 1
    sh = roll[(roll["region"] == "上海市") & (roll["figure"] == "handled")].set_index("year")
    assert sh.loc[2019, "value"] == 805 and sh.loc[2019, "n_agencies"] == 1
    # a figure a report does not print is not summed, and the agency counts as missing
    partial = roll[roll["n_reports"] < roll["n_agencies"]]
    assert len(partial) and not partial["complete"].any()
    assert (partial["n_missing"] == partial["n_agencies"] - partial["n_reports"]).all()


def test_an_agency_with_two_different_reports_on_a_year_is_flagged_not_merged(tmp_path):
    gold = ReportValues.from_gold(GOLD["004_454a5f1be846ec67.txt"])
    other = dict(gold.requests)
    other["received_new"] = [5, 0, 0, 0, 0, 0, 5]
    changed = dataclasses.replace(gold, requests=other)
    (tmp_path / "a.txt").write_text(render(gold, "tsv"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(render(changed, "tsv"), encoding="utf-8")
    (tmp_path / "a_copy.txt").write_text(render(gold, "tsv"), encoding="utf-8")  # the same bytes: counted once
    corpus = gr.read_corpus(tmp_path, workers=1, cache=None)
    panel = ex.panel(corpus)
    assert len(panel) == 2
    assert panel["year_duplicate"].all() and (panel["n_reports_agency_year"] == 2).all()
    assert sorted(panel["requests__received_new__total"]) == [0, 5]   # 004 prints 总计 0 (gold)
    roll = ex.rollups(*ex._build_panel(corpus))
    r = roll[roll["figure"] == "received_new"]
    assert (r["n_reports"] == 0).all() and (~r["complete"]).all()   # not summed: which one is right?


def test_corrected_cells_are_counted_where_the_corpus_has_them():
    reports = pd.DataFrame({"report_id": ["r1", "r2"], "status": "parsed", "agency": ["甲市审计局", "乙县审计局"],
                            "agency_key": ["甲市审计局", "乙县审计局"], "year": pd.array([2020, 2020], dtype="Int64"),
                            "template": "2019", "sha256": ["a" * 64, "b" * 64], "duplicate_of": None})
    req = gr.frames.from_records("requests", [("r1", "granted", "total", 4, False, "4", "line 1"),
                                              ("r1", "denied.third_party", "total", 1, False, "1", "line 2"),
                                              ("r2", "granted", "total", 2, False, "2", "line 1")])
    req["corrected"] = pd.array([True, False, True], dtype="boolean")
    corpus = gr.Corpus(reports, {"requests": req})
    panel = ex.panel(corpus).set_index("report_id")
    assert panel.loc["r1", "n_corrected"] == 1 and panel.loc["r2", "n_corrected"] == 1
    assert panel.loc["r1", "requests__denied_third_party__total"] == 1
    assert pd.isna(panel.loc["r2", "requests__denied_third_party__total"])     # not printed: missing, not 0


def test_a_corpus_on_disk_and_in_memory_give_the_same_panel(built):
    corpus, _, panel = built
    assert len(list((corpus.folder / "requests").glob("part-*.parquet"))) > 1
    memory = gr.Corpus(corpus.reports, {n: corpus.table(n) for n in TABLES})
    pd.testing.assert_frame_equal(ex.panel(memory), panel.astype(ex.panel(memory).dtypes.to_dict()))


# ------------------------------------------------------------------------------------------ files

def test_every_file_reads_back_with_the_corpus_values(built):
    corpus, out, panel = built
    book = _book(out)
    expected = {"panel": panel, "rollups": pd.read_parquet(out / "parquet" / "rollups.parquet"),
                "reports": corpus.reports, **{n: corpus.table(n) for n in LONG}}
    xlsx = pd.read_excel(out / ex.XLSX_NAME, sheet_name=None, dtype=object)
    for name, df in expected.items():
        df = df.reset_index(drop=True)
        parquet = pd.read_parquet(out / "parquet" / f"{name}.parquet")
        csv = pd.read_csv(out / "csv" / f"{name}.csv", encoding="utf-8-sig", dtype=_string_columns(book, name),
                          keep_default_na=False, na_values=[""])
        dta = pd.read_stata(out / "stata" / f"{name}.dta")
        stata = book[book["table"] == name].set_index("column")["stata_name"]
        assert list(parquet.columns) == list(df.columns) == list(csv.columns) == list(xlsx[name].columns)
        assert list(dta.columns) == [stata[c] for c in df.columns]
        for col in df.columns:
            _same(df[col], parquet[col], f"{name}.{col} parquet", exact=True)
            _same(df[col], csv[col], f"{name}.{col} csv")
            _same(df[col], xlsx[name][col], f"{name}.{col} xlsx")
            d = dta[stata[col]]
            _same(df[col], d.astype(object) if isinstance(d.dtype, pd.CategoricalDtype) else d, f"{name}.{col} dta")


def test_csv_opens_in_excel_with_the_chinese_intact(built):
    _, out, _ = built
    raw = (out / "csv" / "panel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "上海市人民政府办公厅" in raw[3:].decode("utf-8")


def test_stata_labels_are_chinese_and_english_and_level_has_value_labels(built):
    _, out, _ = built
    with pd.io.stata.StataReader(out / "stata" / "panel.dta") as reader:
        reader.read()
        labels = reader.variable_labels()
        values = reader.value_labels()
        assert reader._format_version == 118
    assert labels["r_recv_tot"].startswith("表三 一、本年新收政府信息公开申请数量 · 总计 | ")
    assert "received_new" in labels["r_recv_tot"]
    assert all(0 < len(label) <= 80 for label in labels.values())
    assert set(values["level"].values()) == set(gr.template.LEVELS)
    assert set(values["template"].values()) == {"2019", "2021", "pre2019"}


def test_codebook_covers_every_column_of_every_file_and_nothing_else(built):
    _, out, _ = built
    book = _book(out)
    written = {}
    for path in sorted((out / "parquet").glob("*.parquet")):
        written[path.stem] = list(pd.read_parquet(path).columns)
    listed = {t: list(g["column"]) for t, g in book.groupby("table", sort=False)}
    assert listed == written
    assert (book["meaning_en"] != "(not documented)").all(), book[book["meaning_en"] == "(not documented)"]
    assert (book["label_zh"] != "").all() and (book["type"] != "").all()
    xlsx_book = pd.read_excel(out / ex.XLSX_NAME, sheet_name="codebook", dtype=str, keep_default_na=False)
    assert list(xlsx_book["column"]) == list(book["column"])
    md = (out / "codebook.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in md for c in book["column"])


def test_stata_names_are_valid_unique_and_short():
    for table, cols in (("panel", ex.panel_columns()), ("rollups", list(ex.ROLLUPS))):
        names = [c.stata_name for c in cols]
        assert len(set(names)) == len(names), table
        assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", n) for n in names), table
        assert all(len(c.stata_label) <= 80 for c in cols)


def test_column_names_are_stable():
    """The golden list changes only on purpose: users' scripts and do-files name these columns."""
    current = [f"{t}\t{c.name}\t{c.stata_name}" for t, cols in (("panel", ex.panel_columns()),
                                                                 ("rollups", list(ex.ROLLUPS))) for c in cols]
    golden = GOLDEN_COLUMNS.read_text(encoding="utf-8").splitlines()
    assert current == golden, "a release column was renamed, added or dropped: update tests/golden/release_columns.txt on purpose"


def test_release_json_has_the_content_hash_of_the_report_files(built):
    corpus, out, panel = built
    info = json.loads((out / "release.json").read_text(encoding="utf-8"))
    files = [p for p in DATA.rglob("*") if p.is_file() and p.name.lower() != "readme.md"]
    shas = sorted({hashlib.sha256(p.read_bytes()).hexdigest() for p in files})
    assert info["content_hash"] == hashlib.sha256("\n".join(shas).encode()).hexdigest()
    assert info["govreports_version"] == gr.__version__
    assert info["counts"]["panel_rows"] == len(panel) == info["counts"]["rows"]["panel"]
    assert info["corrections"] is None
    for entry in info["files"]:
        assert hashlib.sha256((out / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert info["content_hash"] in readme and "How to cite" in readme and "arrow::read_parquet" in readme


def test_a_table_too_big_for_a_sheet_is_left_out_of_the_workbook_and_said_so(built, tmp_path, capsys):
    corpus, _, _ = built
    corrections = tmp_path / "corrections.csv"
    corrections.write_text("report,table,key,column,value,note\n", encoding="utf-8")
    code = cli_main(["export", str(corpus.folder), "-o", str(tmp_path / "rel"), "--formats", "parquet", "xlsx",
                     "--xlsx-max-cells", "1500", "--corrections", str(corrections)])
    assert code == 0
    said = capsys.readouterr().out
    assert "release written to" in said and re.search(r"left out of xlsx: .*requests", said)
    sheets = pd.read_excel(tmp_path / "rel" / ex.XLSX_NAME, sheet_name=None)
    assert "requests" not in sheets and "codebook" in sheets and "appeals" in sheets
    readme = (tmp_path / "rel" / "README.md").read_text(encoding="utf-8")
    assert "## Left out" in readme and "requests" in readme.split("## Left out")[1]
    info = json.loads((tmp_path / "rel" / "release.json").read_text(encoding="utf-8"))
    assert info["corrections"]["files"][0]["sha256"] == hashlib.sha256(corrections.read_bytes()).hexdigest()
    assert not (tmp_path / "rel" / "csv").exists()


def test_export_of_a_missing_corpus_is_one_clear_line(tmp_path, capsys):
    assert cli_main(["export", str(tmp_path / "nothing"), "-o", str(tmp_path / "rel")]) == 2
    assert "no corpus at" in capsys.readouterr().err


def test_division_codes_of_regions():
    assert ex.division_code("江苏省/淮安市/洪泽区") == "320813000000"
    assert ex.division_code("河北省/衡水市/故城县") == "131126000000"
    assert ex.division_code("七里坪镇") is None and ex.division_code(None) is None


def test_the_main_job_writes_the_release_and_says_where(tmp_path, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    for seed in sorted((DATA / "seeds").glob("00[01]_*.txt")):
        (reports / seed.name).write_bytes(seed.read_bytes())
    (reports / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    code = cli_main(["run", str(reports), "-o", str(tmp_path / "out"), "--workers", "1", "--no-notebooks"])
    assert code == 0
    said = capsys.readouterr().out
    release = tmp_path / "out" / "release"
    assert f"release written to {release.resolve()}/" in said
    panel = pd.read_parquet(release / "parquet" / "panel.parquet")
    reports_table = pd.read_parquet(release / "parquet" / "reports.parquet")
    assert len(panel) == 2 and len(reports_table) == 3        # the broken file is a row of reports, not of the panel
    assert (reports_table["status"] == "failed").sum() == 1


def test_citation_cff_names_this_version():
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["version"]) == gr.__version__ and cff["cff-version"] == "1.2.0"
    assert cff["authors"] and cff["title"].startswith("govreports")


# ------------------------------------------------------------------------------------------ streaming

def test_the_panel_written_a_few_rows_at_a_time_is_the_same_panel(built, tmp_path, monkeypatch):
    """Buckets of 5 rows: the panel is computed part by part and written in its order from
    several buckets; every file is the same as when the panel fits one bucket."""
    corpus, out, panel = built
    monkeypatch.setattr(ex, "BUCKET_ROWS", 5)
    small = ex.export(corpus, tmp_path / "rel", formats=("parquet", "dta"))
    assert len(panel) > 3 * 5
    pd.testing.assert_frame_equal(pd.read_parquet(small / "parquet" / "panel.parquet"), panel)
    pd.testing.assert_frame_equal(pd.read_parquet(small / "parquet" / "rollups.parquet"),
                                  pd.read_parquet(out / "parquet" / "rollups.parquet"))
    pd.testing.assert_frame_equal(pd.read_stata(small / "stata" / "panel.dta"),
                                  pd.read_stata(out / "stata" / "panel.dta"))
    assert list(panel.sort_values(["agency_key", "year", "report_id"])["report_id"]) == list(panel["report_id"])


def test_stata_alone_is_written_without_leaving_parquet_behind(built, tmp_path):
    corpus, out, _ = built
    rel = ex.export(corpus, tmp_path / "rel", formats=("dta",))
    assert not (rel / "parquet").exists() and not (rel / ex.STAGING).exists() and not (rel / "csv").exists()
    for name in ex.RELEASE_TABLES:
        pd.testing.assert_frame_equal(pd.read_stata(rel / "stata" / f"{name}.dta"),
                                      pd.read_stata(out / "stata" / f"{name}.dta"))


def test_the_streaming_stata_writer_reads_back_in_pandas(tmp_path):
    """Rows written in batches: numbers with missing values at each integer type's limits, Chinese
    text, a text over 2,045 bytes (strL), value labels and variable labels, as pandas reads them."""
    from govreports.stata import DtaWriter, Variable, integer_type

    assert [integer_type(0, 100), integer_type(-1, 101), integer_type(0, 40_000), integer_type(0, 3e9)] == \
        ["byte", "int", "long", "double"]
    variables = [Variable("lvl", "byte", "行政级别 | level", value_labels={0: "national", 1: "provincial"}),
                 Variable("n", "long", "计数 | count"), Variable("i", "int"), Variable("x", "double", "份额"),
                 Variable("name", "str", "机关", width=len("上海市人民政府办公厅".encode())),
                 Variable("note", "str", "长文本", width=3000)]
    long_text = "长" * 1000           # 3,000 bytes of UTF-8
    path = tmp_path / "t.dta"
    w = DtaWriter(path, variables, nobs=3, label="测试")
    w.write({"lvl": np.array([0, 1]), "n": np.array([2147483620, np.nan]), "i": np.array([-32767, 32740]),
             "x": np.array([0.25, np.nan]), "name": ["上海市人民政府办公厅", None], "note": [long_text, None]})
    w.write({"lvl": np.array([np.nan]), "n": np.array([-5]), "i": np.array([np.nan]), "x": np.array([-1e300]),
             "name": np.array(["甲".encode()], dtype="S3"), "note": ["x"]})
    w.close()
    with pd.io.stata.StataReader(path) as reader:
        df = reader.read()
        assert reader._format_version == 118 and reader.data_label == "测试"
        assert reader.variable_labels() == {"lvl": "行政级别 | level", "n": "计数 | count", "i": "", "x": "份额",
                                            "name": "机关", "note": "长文本"}
        assert reader.value_labels() == {"lvl": {0: "national", 1: "provincial"}}
    assert list(df["lvl"].astype(object).where(df["lvl"].notna(), None)) == ["national", "provincial", None]
    assert df["n"].iloc[0] == 2147483620 and pd.isna(df["n"].iloc[1]) and df["n"].iloc[2] == -5
    assert list(df["i"].iloc[:2]) == [-32767, 32740] and pd.isna(df["i"].iloc[2])
    assert df["x"].iloc[0] == 0.25 and pd.isna(df["x"].iloc[1]) and df["x"].iloc[2] == -1e300
    assert list(df["name"]) == ["上海市人民政府办公厅", "", "甲"]
    assert list(df["note"]) == [long_text, "", "x"]


def test_the_stata_writer_refuses_what_it_cannot_write_faithfully(tmp_path):
    from govreports.stata import DtaWriter, Variable

    w = DtaWriter(tmp_path / "a.dta", [Variable("n", "byte"), Variable("s", "str", width=2)], nobs=2)
    with pytest.raises(ValueError, match="n has values beyond a Stata byte"):
        w.write({"n": np.array([101]), "s": ["ab"]})
    with pytest.raises(ValueError, match="longer than the 2 bytes"):
        w.write({"n": np.array([1]), "s": ["上"]})
    w.write({"n": np.array([1]), "s": ["ab"]})
    with pytest.raises(ValueError, match="1 rows written, 2 declared"):
        w.close()
