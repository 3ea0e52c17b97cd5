"""Interactive views of a corpus in Jupyter and Voila: ``compare(corpus)``.

Why a module of its own: a notebook user wants to *look* (pick agencies, years, a measure; see a
plot and the numbers) before writing a batch analysis. This module is display only: every number
comes from :mod:`govreports.analysis` (:func:`~govreports.analysis.by_agency_year`,
:func:`~govreports.analysis.outcome_shares`, :func:`~govreports.analysis.trace`) and every plot
from :mod:`govreports.plotting`; nothing here reads or checks a report.

How it stays fast on 10,000 reports: the agency × year table of a measure is computed once (the
first time the measure is chosen) and kept; a change of agencies, years or view only filters that
table and redraws (``benchmarks/widget_latency.py`` measures it).

How it stays testable without a browser: each Output widget is refreshed by assigning its
``outputs`` in one step (a PNG, an HTML table), never by ``with out:`` capture, so tests read
``app.plot_output.outputs`` in plain Python, and the front end swaps the old output for the new
one at once (no flicker, nothing stacked).

>>> import govreports.widgets as gw
>>> app = gw.compare("data/reports", measure="refused_share", view="trend")   # doctest: +SKIP
>>> app                                           # in a notebook cell: the app   # doctest: +SKIP
>>> app.agencies.value = app.agencies.options[0][1:]  # select an agency from code  # doctest: +SKIP
>>> app.selection()                               # the rows shown, as a DataFrame  # doctest: +SKIP
>>> app.export_csv()                              # -> out/selection.csv            # doctest: +SKIP
>>> app.parameters()                              # papermill parameters of cross_year.ipynb  # doctest: +SKIP
"""
from __future__ import annotations

import html
import io
import shlex
from pathlib import Path

import ipywidgets as W
import numpy as np
import pandas as pd
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import HTML, Image

from . import analysis as ga
from . import frames as _frames
from . import plotting as gp
from .review_app import ReviewApp, review  # noqa: F401 - gr.widgets.review: the review queue app

OUTCOME_MIX = "outcome_mix"
MEASURE_CHOICES: list[tuple[str, str]] = [(m.label, k) for k, m in ga.MEASURES.items()] + [
    ("办理结果构成 (outcome mix: shares of requests handled)", OUTCOME_MIX)]
VIEWS: list[tuple[str, str]] = [("趋势 trend", "trend"), ("柱状 bars", "bars"), ("表格 table", "table"),
                                 ("地图 map", "map")]
OUTCOME_SHARE_COLUMNS = tuple(f"{k}_share" for k in gp.OUTCOMES)
MAX_LINES = 10          # agencies drawn in the trend view (the table keeps them all)
MAX_BARS = 20           # rows drawn in the bars view
MAX_TABLE_ROWS = 200    # rows shown in the table (the CSV export keeps them all)
DPI = 72
CROSS_YEAR_NOTEBOOK = "notebooks/cross_year.ipynb"
ERROR_COLOR = "#c0392b"
TRACE_PROMPT = "— 选择一行 choose a row —"
TRACE_HINT = ("<i>选择一行，查看其数字印在报告何处 · choose a row above to see the printed cells behind "
              "its number and the report's error findings</i>")


def compare(corpus="data/reports", agencies=None, years: tuple[int, int] | None = None,
            measure: str = "refused_share", view: str = "trend", level: str | None = None,
            region: str | None = None, out_dir: str | Path = "out", corpus_path: str | None = None) -> "CompareApp":
    """Given a corpus, return an app comparing agencies year by year on one measure.

    Args:
        corpus: a folder of report files or a Parquet corpus (a path, read with
            :func:`govreports.analysis.load_corpus`), or a Corpus, a Report, a list of Reports, or
            :class:`~govreports.analysis.Frames`.
        agencies: names or agency_keys selected at start (None: every agency listed).
        years: (first, last) year shown (None: all years of the corpus).
        measure: a name of :data:`govreports.analysis.MEASURES` or ``"outcome_mix"``.
        view: ``"trend"`` (a line per agency), ``"bars"`` (a bar per agency-year) or ``"table"``.
        level, region: list only agencies of this level / region.
        out_dir: where the export buttons write ``selection.csv`` and ``selection.yaml``.
        corpus_path: the ``corpus`` parameter written into the papermill parameters, when
            ``corpus`` is not a path (default: the corpus folder, if known).

    The app (an ``ipywidgets.VBox``) shows the plot, the table (a ⚠ and a red row mark a year whose
    report has error findings; in the plot such a year gets a hollow red ring and a red ×), the
    printed cells behind a row chosen under "溯源 trace", and two export buttons.

    >>> import govreports.widgets as gw
    >>> app = gw.compare("data/reports", agencies=["重庆市人民防空办公室"], measure="received")  # doctest: +SKIP
    >>> app          # shows it                                                                  # doctest: +SKIP
    """
    path = corpus_path
    if isinstance(corpus, (str, Path)):
        path = path or str(corpus)
        corpus = ga.load_corpus(corpus)
    elif path is None and getattr(corpus, "folder", None) is not None:
        path = str(corpus.folder)
    return CompareApp(corpus, agencies=agencies, years=years, measure=measure, view=view, level=level,
                      region=region, out_dir=out_dir, corpus_path=path)


def _output_of(obj) -> dict:
    """Given an IPython display object, return it as one output of an Output widget."""
    data, metadata = InteractiveShell.instance().display_formatter.format(obj)
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def _text_width(text: str) -> int:
    """Rough width in pixels of ``text`` at 10 pt and 72 dpi (CJK characters are wider)."""
    return sum(10 if ord(ch) > 0x2E80 else 6 for ch in text)


def _label(agency, key) -> str:
    return str(agency) if pd.notna(agency) and str(agency).strip() else str(key)


class CompareApp(W.VBox):
    """The app :func:`compare` returns. Its widgets are attributes, so code and tests can drive it:
    ``search``, ``level``, ``region``, ``agencies``, ``years``, ``measure``, ``view``,
    ``csv_button``, ``params_button``, ``trace_row``; outputs ``status``, ``plot_output``,
    ``table_output``, ``trace_output``, ``export_output``. ``figure`` is the last figure drawn."""

    def __init__(self, data, agencies=None, years=None, measure="refused_share", view="trend", level=None,
                 region=None, out_dir="out", corpus_path=None):
        if measure not in dict((v, k) for k, v in MEASURE_CHOICES):
            raise ValueError(f"unknown measure {measure!r}; one of: {', '.join(v for _, v in MEASURE_CHOICES)}")
        if view not in [v for _, v in VIEWS]:
            raise ValueError(f"unknown view {view!r}; one of: {', '.join(v for _, v in VIEWS)}")
        from .figures import on_disk

        # a corpus on disk stays there: measures are computed from its Parquet parts (DuckDB) and
        # a trace reads one report's cells; anything else is read into pandas frames once
        self._disk = on_disk(data) is not None
        self.data = data if self._disk else ga.frames_of(data)
        self._reports = ga._normalise_reports(data.reports) if self._disk else self.data.reports
        self.out_dir = Path(out_dir)
        self.corpus_path = corpus_path
        self.figure = None
        self._tables: dict[str, pd.DataFrame] = {}
        self._hold = False
        self._sources = self._reports.drop_duplicates("report_id").set_index("report_id")["source"]
        self._index = {} if self._disk else {
            name: getattr(self.data, name).groupby("report_id", sort=False, observed=True).indices
            for name in ("requests", "appeals", "findings")}

        base = self._table(measure)
        meta = base.sort_values("year").groupby("agency_key", sort=False)[["label", "level", "region"]].last()
        self._agency_meta = meta.sort_values(["label"])
        self._option_labels = {k: lab + (f" · {reg}" if pd.notna(reg) and str(reg) not in lab else "")
                               for k, lab, reg in zip(meta.index, meta["label"], meta["region"])}
        yrs = base["year"].dropna().astype(int)
        lo, hi = (int(yrs.min()), int(yrs.max())) if len(yrs) else (2019, 2019)

        layout = W.Layout(width="auto")
        self.search = W.Text(placeholder="搜索机构 search agencies", continuous_update=False,
                             description="机构", layout=W.Layout(width="260px"))
        self.level = W.Dropdown(options=self._choices("level"), value=level, description="层级 level",
                                layout=W.Layout(width="230px"))
        self.region = W.Dropdown(options=self._choices("region"), value=region, description="地区 region",
                                 layout=W.Layout(width="260px"))
        self.agencies = W.SelectMultiple(options=[], rows=9, description="选择 select",
                                         layout=W.Layout(width="420px"))
        self.years = W.IntRangeSlider(min=lo, max=max(hi, lo + 1), value=tuple(years) if years else (lo, max(hi, lo + 1)),
                                      step=1, description="年度 years", continuous_update=False, layout=layout)
        self.measure = W.Dropdown(options=MEASURE_CHOICES, value=measure, description="指标 measure", layout=layout)
        self.view = W.ToggleButtons(options=VIEWS, value=view, description="视图 view")
        self.view.style.button_width = "80px"
        self.csv_button = W.Button(description="导出 CSV", icon="download", tooltip="write out/selection.csv")
        self.params_button = W.Button(description="papermill 参数", icon="cogs",
                                      tooltip="write out/selection.yaml for notebooks/cross_year.ipynb")
        self.status = W.HTML()
        self.plot_output = W.Output(layout=W.Layout(min_height="300px"))
        self.table_output = W.Output()
        self.trace_row = W.Dropdown(options=[], description="溯源 trace", layout=W.Layout(width="520px"))
        self.trace_output = W.Output()
        self.export_output = W.Output()
        for w, cls in ((self.plot_output, "gr-plot"), (self.table_output, "gr-table"),
                       (self.trace_output, "gr-trace"), (self.export_output, "gr-export"), (self.status, "gr-status")):
            w.add_class(cls)

        self._update_options()
        if agencies is not None:
            self.agencies.value = tuple(self._keys_of([agencies] if isinstance(agencies, str) else agencies))

        controls = W.VBox([self.years, self.measure, self.view, W.HBox([self.csv_button, self.params_button])],
                          layout=W.Layout(flex="1 1 auto"))
        super().__init__([W.HBox([self.search, self.level, self.region]), W.HBox([self.agencies, controls]),
                          self.status, self.plot_output, self.table_output, self.trace_row, self.trace_output,
                          self.export_output])
        self.add_class("gr-compare")

        for w in (self.search, self.level, self.region):
            w.observe(self._on_filter, names="value")
        for w in (self.agencies, self.years, self.measure, self.view):
            w.observe(self._on_change, names="value")
        self.trace_row.observe(self._on_trace, names="value")
        self.csv_button.on_click(lambda _: self._show_export(self.export_csv()))
        self.params_button.on_click(lambda _: self._show_export(self.export_parameters()))
        self.refresh()

    # ------------------------------------------------------------------ data (from analysis)

    @property
    def frames(self) -> ga.Frames:
        """The corpus as pandas frames (read from disk when first asked for, for a corpus on disk)."""
        return ga.frames_of(self.data)

    def _table(self, measure: str) -> pd.DataFrame:
        """The agency × year table of ``measure``, computed once and kept."""
        if measure not in self._tables:
            if measure == OUTCOME_MIX:
                base = self._table("handled")
                shares = ga.outcome_shares(self.data, by="agency_year").rename(
                    columns={"refused_share": "denied_share", "unanswerable_share": "unavailable_share"})
                keep = ["handled", *OUTCOME_SHARE_COLUMNS]
                t = base.drop(columns=["value", "numerator", "denominator"]).merge(
                    shares[["agency_key", "year", *keep]], on=["agency_key", "year"], how="left")
                t["measure"] = OUTCOME_MIX
            else:
                t = ga.by_agency_year(self.data, measure)
                t["label"] = t["agency"].astype("string").where(
                    t["agency"].astype("string").str.strip().fillna("") != "", t["agency_key"].astype("string"))
                first = t["report_id"].astype("string").str.split(",").str[0]
                t["source"] = first.map(self._sources)
            # kept in the order shown (label, year): a change of selection filters, never sorts
            codes = pd.factorize(t["label"], sort=True)[0]
            years = t["year"].astype("Float64").to_numpy(dtype="float64", na_value=np.inf)
            self._tables[measure] = t.iloc[np.lexsort((years, codes))].reset_index(drop=True)
        return self._tables[measure]

    def _choices(self, column: str) -> list[tuple[str, str | None]]:
        vals = sorted(str(v) for v in self._agency_meta[column].dropna().unique())
        return [("(全部 all)", None)] + [(v, v) for v in vals]

    def _keys_of(self, names) -> list[str]:
        """Given agency names or keys, return agency_keys (exact, else a unique substring)."""
        meta = self._agency_meta
        keys = []
        for name in names:
            hit = meta.index[(meta.index == name) | (meta["label"] == name)]
            if len(hit) == 0:
                hit = meta.index[meta["label"].str.contains(name, regex=False)]
            if len(hit) != 1:
                raise ValueError(f"agency {name!r}: {'not found' if len(hit) == 0 else 'ambiguous'} in the corpus")
            keys.append(hit[0])
        return keys

    def _matching(self) -> pd.DataFrame:
        """Agencies passing the level, region and search filters."""
        m = self._agency_meta
        if self.level.value is not None:
            m = m[m["level"] == self.level.value]
        if self.region.value is not None:
            m = m[m["region"] == self.region.value]
        q = self.search.value.strip()
        if q:
            m = m[m["label"].str.contains(q, regex=False) | m.index.to_series().str.contains(q, regex=False)]
        return m

    def selected_keys(self) -> list[str]:
        """The agency_keys shown: those selected, or every agency listed when none is."""
        return list(self.agencies.value) or list(self._matching().index)

    def selection(self) -> pd.DataFrame:
        """The rows shown: the measure's agency × year table for the selected agencies and years."""
        t = self._table(self.measure.value)
        lo, hi = self.years.value
        year = t["year"]
        keep = year.notna() & (year >= lo) & (year <= hi)
        unfiltered = not self.agencies.value and self.level.value is None and self.region.value is None \
            and not self.search.value.strip()
        if not unfiltered:  # every agency listed: no need to look each row's agency up
            keep &= t["agency_key"].isin(self.selected_keys())
        return t[keep.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)

    # ------------------------------------------------------------------ events

    def _update_options(self):
        m = self._matching()
        chosen = [k for k in self.agencies.value]
        keys = list(dict.fromkeys(chosen + list(m.index)))
        opts = [(self._option_labels[k], k) for k in keys]
        self._hold = True
        try:
            self.agencies.options = opts
            self.agencies.value = tuple(chosen)
        finally:
            self._hold = False

    def _on_filter(self, _change):
        if self._hold:
            return
        self._update_options()
        self.refresh()

    def _on_change(self, _change):
        if not self._hold:
            self.refresh()

    def _on_trace(self, _change):
        if not self._hold:
            self._render_trace()

    def refresh(self):
        """Redraw the status line, the plot, the table and the trace from the current selection."""
        sel = self.selection()
        measure, view = self.measure.value, self.view.value
        n_err = int(sel["has_errors"].sum())
        n_ag = sel["agency_key"].nunique()
        lo, hi = self.years.value
        warn = (f' · <span style="color:{ERROR_COLOR}">⚠ {n_err} 年报告有错误 '
                f'agency-year(s) whose report has errors (marked red)</span>') if n_err else ""
        self.status.value = f"<b>{n_ag}</b> 机构 agencies · {lo}–{hi} · <b>{len(sel)}</b> 行 rows{warn}"
        if view == "table":
            self.figure = None
            self.plot_output.outputs = ()
        else:
            self.plot_output.outputs = (_output_of(Image(self._plot(sel, measure, view), format="png")),)
        self.table_output.outputs = (_output_of(HTML(self._table_html(sel, measure))),)
        shown = sel.head(MAX_TABLE_ROWS)
        opts = [(f"{r.label} {r.year}" + (" ⚠" if r.has_errors else ""), i) for i, r in enumerate(shown.itertuples())]
        self._trace_rows = shown
        self._hold = True
        try:  # the trace is drawn when a row is chosen, so a change of selection stays fast
            self.trace_row.options = [(TRACE_PROMPT, None)] + opts
            self.trace_row.value = None
        finally:
            self._hold = False
        self._render_trace()

    # ------------------------------------------------------------------ drawing

    def _plot(self, sel: pd.DataFrame, measure: str, view: str) -> bytes:
        """Draw the selection; fixed margins (not constrained layout) keep a redraw near 100 ms."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if view == "map":
            return self._map(sel, measure)
        if measure == OUTCOME_MIX or view == "bars":
            rows = sel.head(MAX_BARS).assign(agency=lambda d: d["label"])
            height = 1.3 + 0.32 * max(len(rows), 1)
            fig = Figure(figsize=(9, height))
            labels = [f"{a} {y}" for a, y in zip(rows["label"], rows["year"])] or [""]
            left = min(0.5, (max(_text_width(t) for t in labels) + 20) / (9 * DPI))
            fig.subplots_adjust(left=left, right=0.78 if measure == OUTCOME_MIX else 0.93,
                                bottom=0.55 / height, top=1 - 0.4 / height)
            ax = fig.add_subplot()
            errors = np.flatnonzero(rows["has_errors"].to_numpy(dtype=bool))
            if measure == OUTCOME_MIX:
                gp.plot_outcome_mix(rows, ax=ax)
                ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
                for i in errors:
                    for k in range(len(gp.OUTCOMES)):
                        ax.patches[k * len(rows) + i].set(edgecolor=ERROR_COLOR, linewidth=2)
            else:
                gp.plot_ranking(rows, ax=ax, title=ga.MEASURES[measure].label)
                for i in errors:
                    ax.patches[i].set(facecolor="white", edgecolor=ERROR_COLOR, hatch="//", linewidth=1.5)
            note = f"{len(rows)} of {len(sel)} rows drawn" if len(sel) > len(rows) else ""
        else:
            n_keys = sel["agency_key"].nunique()
            head = sel.head(MAX_LINES * 64)  # sel is in label order: the first agencies' rows come first
            drawn = list(dict.fromkeys(head["agency_key"]))[:MAX_LINES]
            lo, hi = self.years.value
            grid = pd.MultiIndex.from_product([drawn, range(lo, hi + 1)], names=["agency_key", "year"])
            g = (head if len(head) == len(sel) or head["agency_key"].iloc[-1] not in drawn else sel)
            g = g[g["agency_key"].isin(drawn)].astype({"year": "int64"}).drop_duplicates(["agency_key", "year"])
            cy = g.set_index(["agency_key", "year"]).reindex(grid).reset_index()
            cy["agency"] = cy["agency_key"].map(g.groupby("agency_key")["label"].first())
            cy["measure"] = measure
            cy["has_errors"] = cy["has_errors"].astype("boolean").fillna(False).astype(bool)
            fig = Figure(figsize=(9, 4))
            fig.subplots_adjust(left=0.09, right=0.66, bottom=0.13, top=0.9)
            ax = fig.add_subplot()
            gp.plot_trend(cy, ax=ax)
            ax.set_xlim(lo - 0.5, hi + 0.5)
            bad = cy[cy["has_errors"]]
            if len(bad):
                ax.plot(bad["year"], bad["value"], "o", markersize=13, markerfacecolor="none",
                        markeredgecolor=ERROR_COLOR, markeredgewidth=1.5, label="报告有错误 report has errors")
            if len(cy):
                ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
            note = f"{len(drawn)} of {n_keys} agencies drawn" if n_keys > len(drawn) else ""
        if note:
            fig.text(0.995, 0.005, note + " (the table has all)", ha="right", va="bottom", fontsize="small",
                     color="#555")
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
        self.figure = fig
        return buf.getvalue()

    def _map(self, sel: pd.DataFrame, measure: str) -> bytes:
        """The selection's agencies and years summed by region: provinces, or the cities of the
        province chosen in ``region``, or the counties of its city (needs the [maps] extra)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from .maps import plot_map

        ids = {i for ids in sel["report_id"].dropna() for i in str(ids).split(",")}
        if self._disk:
            base = self.data.corpus if isinstance(self.data, ga.DiskView) else self.data
            sub = ga.DiskView(base, self._reports[self._reports["report_id"].isin(ids)])
        else:
            f = self.data
            sub = ga.Frames(f.reports[f.reports["report_id"].isin(ids)], f.requests, f.appeals, f.disclosure,
                            f.findings, f.legacy)
        region = self.region.value if isinstance(self.region.value, str) else None
        depth = len(region.split("/")) if region else 0
        level = ("province", "city", "county")[min(depth, 2)]
        fig = Figure(figsize=(9, 6.5))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        plot_map(sub, "refused_share" if measure == OUTCOME_MIX else measure, level=level,
                 region="/".join(region.split("/")[:2]) if region else None, ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
        self.figure = fig
        return buf.getvalue()

    @staticmethod
    def _format(value, measure: str) -> str:
        if value is None or pd.isna(value):
            return "—"
        m = ga.MEASURES.get(measure)
        if m is None or (m.denominator and m.scale == 1):
            return f"{value:.1%}"
        if m.denominator:
            return f"{value:.2f}"
        return f"{value:,.0f}"

    def _table_html(self, sel: pd.DataFrame, measure: str) -> str:
        esc = html.escape
        if measure == OUTCOME_MIX:
            heads = ["机构 agency", "年度 year", "办理 handled"] + [gp.LABELS[k] for k in gp.OUTCOMES]
            title = "办理结果构成 outcome mix (share of requests handled)"
        else:
            heads = ["机构 agency", "年度 year", "值 value", "分子 numerator", "分母 denominator"]
            title = ga.MEASURES[measure].label
        heads += ["⚠ 错误 errors", "报告 report_id", "文件 file"]
        rows = []
        for r in sel.head(MAX_TABLE_ROWS).itertuples():
            if measure == OUTCOME_MIX:
                cells = [r.handled] + [self._format(getattr(r, c), OUTCOME_MIX) for c in OUTCOME_SHARE_COLUMNS]
            else:
                cells = [self._format(r.value, measure), r.numerator, r.denominator]
            flag = f"⚠ {r.n_errors}" if r.has_errors else ""
            src = Path(str(r.source)).name if pd.notna(r.source) else ""
            tds = [r.label, r.year, *cells, flag, r.report_id, src]
            text = ["—" if (not isinstance(v, str) and pd.isna(v)) else str(v) for v in tds]
            style = ' class="gr-error" style="background:#fdecea"' if r.has_errors else ""
            rows.append(f"<tr{style}>" + "".join(f"<td>{esc(t)}</td>" for t in text) + "</tr>")
        more = (f" — showing {MAX_TABLE_ROWS} of {len(sel)} rows; the CSV export has them all"
                if len(sel) > MAX_TABLE_ROWS else "")
        return (f'<div style="max-height:360px;overflow:auto"><table class="gr-table-rows">'
                f"<caption style='text-align:left'><b>{esc(title)}</b> · {len(sel)} rows{esc(more)}</caption>"
                "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in heads) + "</tr></thead><tbody>"
                + "".join(rows) + "</tbody></table></div>")

    # ------------------------------------------------------------------ tracing

    def _report_frames(self, report_id: str) -> ga.Frames:
        """The frames of one report (cheap on a large corpus: indices computed once)."""
        if self._disk:
            parts = {name: self._disk_cells(name, report_id) for name in ("requests", "appeals", "findings")}
            return ga.Frames(self._reports[self._reports["report_id"] == report_id], parts["requests"],
                             parts["appeals"], _frames.empty("disclosure"), parts["findings"])
        f = self.data
        parts = {name: getattr(f, name).iloc[self._index[name].get(report_id, [])]
                 for name in ("requests", "appeals", "findings")}
        return ga.Frames(f.reports[f.reports["report_id"] == report_id], parts["requests"], parts["appeals"],
                         f.disclosure.iloc[0:0], parts["findings"])

    def _disk_cells(self, name: str, report_id: str) -> pd.DataFrame:
        """One report's cells of a table of a corpus on disk: from the one part holding it where
        the kept figures say which (requests, appeals), else from every part (findings)."""
        import pyarrow.parquet as pq

        from . import figures as F

        folder = self.data.folder
        part = F.part_of(folder, name, report_id) if name in ("requests", "appeals") else None
        if part is None and name in ("requests", "appeals"):
            return _frames.empty(name)
        base = self.data.corpus if isinstance(self.data, ga.DiskView) else self.data
        if part is None and (name in getattr(base, "_tables", {}) or not F.parts(folder, name)):
            return base.table(name, rows={"report_id": [report_id]})
        if part is None:  # one DuckDB scan of every part (faster than opening the parts one by one)
            con = F.connect()
            got = con.execute("SELECT * FROM read_parquet(?) WHERE report_id = ?",
                              [[str(x) for x in F.parts(folder, name)], report_id]).to_arrow_table()
            con.close()
            df = got.to_pandas()
            return df.reindex(columns=list(_frames.COLUMNS[name])).astype(_frames.COLUMNS[name])
        df = pq.read_table(part, filters=[("report_id", "==", report_id)]).to_pandas()
        return df.reindex(columns=list(_frames.COLUMNS[name])).astype(_frames.COLUMNS[name])

    def trace_html(self, i: int = 0) -> str:
        """Given a row of the table (0 = first), return HTML: its report, the printed cells behind
        its number (:func:`govreports.analysis.trace`) and the report's error findings."""
        esc = html.escape
        row = self._trace_rows.iloc[i]
        measure = self.measure.value
        ids = str(row["report_id"]).split(",")
        f = self._report_frames(ids[0])
        figure = "handled" if measure == OUTCOME_MIX else measure
        cells = ga.trace(f, ids[0], figure)
        used = cells[cells["used"]]
        head = (f"<b>{esc(str(row['label']))} {row['year']}</b> · report_id <code>{esc(ids[0])}</code>"
                f" · file <code>{esc(str(row['source']))}</code>")
        if len(ids) > 1:
            head += f" (also {esc(', '.join(ids[1:]))})"
        head += f"<br>{esc(figure)}: the printed cells it adds up ({len(used)} of {len(cells)} cells of its rows)"
        if cells.empty:
            return head + "<br><i>none of these cells is printed in this report</i>"
        shown = used[used["value"].fillna(0) != 0] if len(used) > 12 else used
        tbl = shown[["table", "row", "column", "value", "printed", "location"]].to_html(index=False, na_rep="—")
        if len(shown) < len(used):
            tbl += f"<i>{len(used) - len(shown)} cells printed as 0 or blank not listed</i>"
        errs = f.findings[f.findings["severity"] == "error"]
        if len(errs):
            items = "".join(f"<li>{esc(str(e.check))}: {esc(str(e.message))} ({esc(str(e.location))})</li>"
                            for e in errs.head(10).itertuples())
            tbl += (f'<div style="color:{ERROR_COLOR}">⚠ {len(errs)} error finding(s) in this report:'
                    f"<ul>{items}</ul></div>")
        return head + tbl

    def _render_trace(self):
        i = self.trace_row.value
        body = TRACE_HINT if i is None else self.trace_html(i)
        self.trace_output.outputs = (_output_of(HTML(body)),)

    # ------------------------------------------------------------------ export

    def export_csv(self, path: str | Path | None = None) -> Path:
        """Write the selection (all rows, not only those shown) as CSV; return the path
        (default ``<out_dir>/selection.csv``)."""
        path = Path(path) if path else self.out_dir / "selection.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.selection().drop(columns=["label"]).to_csv(path, index=False)
        return path

    def parameters(self) -> dict:
        """The papermill parameters of ``notebooks/cross_year.ipynb`` that reproduce the selection.

        Agencies are given by agency_key when chosen (or narrowed by the search box), else as
        None with the level/region filters. The outcome mix has no single measure: it exports
        ``refused_share``."""
        searched = bool(self.search.value.strip())
        agencies = list(self.agencies.value) or (list(self._matching().index) if searched else None)
        lo, hi = self.years.value
        measure = self.measure.value if self.measure.value in ga.MEASURES else "refused_share"
        return {"corpus": self.corpus_path or "data/reports", "agencies": agencies,
                "level": None if agencies else self.level.value, "region": None if agencies else self.region.value,
                "measure": measure, "years": list(range(lo, hi + 1))}

    def papermill_command(self, params_file: str | Path | None = None) -> str:
        """The shell command running ``cross_year.ipynb`` on the selection: with ``-f params_file``
        when given, else ``-p name value`` for scalars and ``-y`` for lists."""
        cmd = ["papermill", CROSS_YEAR_NOTEBOOK, "out/cross_year.ipynb"]
        if params_file is not None:
            return shlex.join(cmd + ["-f", str(params_file)])
        for k, v in self.parameters().items():
            if isinstance(v, list):
                import yaml
                cmd += ["-y", yaml.safe_dump({k: v}, allow_unicode=True, default_flow_style=True).strip()]
            else:
                cmd += ["-p", k, "None" if v is None else str(v)]
        return shlex.join(cmd)

    def export_parameters(self, path: str | Path | None = None) -> Path:
        """Write :meth:`parameters` as YAML (default ``<out_dir>/selection.yaml``, for
        ``papermill ... -f``); return the path."""
        import yaml

        path = Path(path) if path else self.out_dir / "selection.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (f"# papermill parameters of {CROSS_YEAR_NOTEBOOK}, written by govreports.widgets.compare\n"
                + yaml.safe_dump(self.parameters(), allow_unicode=True, sort_keys=False))
        path.write_text(text, encoding="utf-8")
        return path

    def _show_export(self, path: Path):
        esc = html.escape
        if path.suffix == ".csv":
            body = f"wrote <code>{esc(str(path))}</code> ({len(self.selection())} rows)"
        else:
            body = (f"wrote <code>{esc(str(path))}</code>; run:<pre>{esc(self.papermill_command(path))}</pre>"
                    f"or, without the file:<pre>{esc(self.papermill_command())}</pre>")
        self.export_output.outputs = (_output_of(HTML(body)),)


# --------------------------------------------------------------------------- check my report
CHECK_STYLE_NOTE = "上传或粘贴报告后显示检查结果 · the check appears here once a report is uploaded or pasted"


class CheckApp(W.VBox):
    """Check one report before publishing (for a disclosure office): upload a file in any format
    govreports reads, or paste its text; the page of :mod:`govreports.check_page` appears below.
    The report is read here, in this kernel: nothing leaves the machine."""

    def __init__(self):
        self.upload = W.FileUpload(accept="", multiple=False, description="上传报告 Upload")
        self.paste = W.Textarea(placeholder="或粘贴报告全文 · or paste the report's whole text",
                                layout=W.Layout(width="100%", height="8em"))
        self.check_button = W.Button(description="检查粘贴的文本 Check text", button_style="primary")
        self.result = W.HTML(f"<i>{CHECK_STYLE_NOTE}</i>")
        self.report = None
        self.upload.observe(self._on_upload, names="value")
        self.check_button.on_click(lambda _: self.check_text(self.paste.value))
        super().__init__([W.HTML("<b>检查年度报告 · Check an annual report</b>"), self.upload, self.paste,
                          self.check_button, self.result])
        self.add_class("gr-check")
        self.result.add_class("gr-check-result")

    def _on_upload(self, change) -> None:
        files = change["new"]
        if files:
            f = files[0]
            self.check_bytes(bytes(f["content"]), f["name"])

    def check_text(self, text: str) -> None:
        """Check pasted text (as if it were a .txt file)."""
        if not text.strip():
            self.result.value = "<b>请先粘贴报告全文 · paste a report's text first</b>"
            return
        self.check_bytes(text.encode("utf-8"), "pasted.txt")

    def check_bytes(self, data: bytes, name: str) -> None:
        """Read a report's bytes and show its check page (or why it could not be read)."""
        import govreports as gr
        from .check_page import _STYLE, check_body

        try:
            self.report = gr.read_report(data, name=name)
        except gr.ReportError as err:
            self.report = None
            self.result.value = f"<div style='color:#a12622'><b>无法读取 · could not read</b>: {html.escape(str(err))}</div>"
            return
        self.result.value = f"<style>{_STYLE}</style>{check_body(self.report)}"


def check_report() -> CheckApp:
    """An app to check one report before publishing (``notebooks/check_report.ipynb``, served by
    Voila): upload or paste, then read the verdict, the tables with the cells that break an
    identity highlighted, and every problem in words.

    >>> app = gw.check_report()                                   # doctest: +SKIP
    >>> app.check_bytes(open("report.pdf", "rb").read(), "report.pdf")   # as an upload does  # doctest: +SKIP
    """
    return CheckApp()
