"""``review(corpus, corrections="corrections.csv")``: walk the review queue in JupyterLab, one flag
at a time, and keep each resolution in the corrections file.

Why a module of its own: resolving a flag is a person looking at the printed page. The app shows
the flag, the cells as read and the printed context beside them (the lines around it; for a PDF a
crop of the page rendered with pypdfium2), and offers: accept as read, enter a value, mark blank,
mark missing, each with a note. Every answer is appended to the corrections file
(:func:`govreports.review.append_correction`) and the next flag is shown; ``read_corpus(...,
corrections=...)`` then applies them. Nothing here changes a table: the file is the record.

How it stays testable without a browser: the buttons are plain ipywidgets, so a test clicks
``app.accept_button.click()`` and reads the file; the browser test does the same in JupyterLab.

>>> import govreports as gr
>>> app = gr.widgets.review(corpus, corrections="out/corrections.csv", author="王")   # doctest: +SKIP
>>> app                          # in a notebook cell: the app                      # doctest: +SKIP
"""
from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as W
import pandas as pd

from . import template
from .corrections import BLANK, CELL_KEYS, MISSING
from .review import append_correction, cell_box, page_image, printed_context, review_queue, row_box

ALL = "(全部 all)"
COLUMN_CHOICES = {"requests": [(f"{a.label} {a.key}", a.key) for a in template.APPLICANTS],
                  "appeals": [(f"{r.label} {r.key}", r.key) for r in template.RESULTS]}
LABELS = {**{r.key: r.label for r in template.REQUEST_ROWS}, **{p.key: p.label for p in template.PROCEEDINGS},
          **{a.key: a.label for a in template.APPLICANTS}, **{r.key: r.label for r in template.RESULTS}}


def review(corpus="data/reports", corrections: str | Path = "corrections.csv", author: str = "",
           severity=("error", "warning")) -> "ReviewApp":
    """Given a corpus (or a folder of reports) and a corrections file (created when first
    written), return the review app: one flag at a time, most important first.

    >>> app = review("data/reports", corrections="out/corrections.csv")    # doctest: +SKIP
    """
    if isinstance(corpus, (str, Path)):
        from .analysis import load_corpus

        corpus = load_corpus(corpus)
    path = Path(corrections).expanduser()
    if not path.is_absolute() and not path.parent.exists():  # run from notebooks/: the repository's out/
        root = Path(__file__).resolve().parents[1]
        if (root / "pyproject.toml").exists():
            path = root / path
    return ReviewApp(corpus, path, author=author, severity=severity)


class ReviewApp(W.VBox):
    """The review app (a VBox with class ``gr-review``): filters, progress, the flag, the cells as
    read, the printed context, and the answer buttons."""

    def __init__(self, corpus, corrections, author: str = "", severity=("error", "warning")):
        self.corpus, self.path, self.author = corpus, Path(corrections).expanduser(), author
        self.queue = review_queue(corpus, corrections=self.path, severity=severity, context=False)
        self.done = 0
        self.agency = W.Dropdown(description="机关 agency", options=self._options("agency"))
        self.check = W.Dropdown(description="检查 check", options=self._options("check"))
        self.severity = W.Dropdown(description="级别 severity", options=self._options("severity"))
        for w in (self.agency, self.check, self.severity):
            w.observe(lambda _change: self._filter(), names="value")
        self.progress = W.HTML()
        self.flag = W.HTML()
        self.cells = W.HTML()
        self.context = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.column = W.Dropdown(description="列 column", options=[])
        self.value = W.Text(description="值 value", placeholder="a number, or a meta value")
        self.note = W.Text(description="说明 note", placeholder="what the printed page shows",
                           layout=W.Layout(width="40em"))
        self.accept_button = W.Button(description="按读取接受 accept as read", button_style="success")
        self.enter_button = W.Button(description="填入 enter value", button_style="primary")
        self.blank_button = W.Button(description="空白 blank")
        self.missing_button = W.Button(description="未印 missing")
        self.skip_button = W.Button(description="跳过 skip")
        self.status = W.HTML()
        self.accept_button.on_click(lambda _b: self.accept())
        self.enter_button.on_click(lambda _b: self.enter(self.value.value))
        self.blank_button.on_click(lambda _b: self.enter(BLANK))
        self.missing_button.on_click(lambda _b: self.enter(MISSING))
        self.skip_button.on_click(lambda _b: self.skip())
        for b in (self.accept_button, self.enter_button, self.blank_button, self.missing_button, self.skip_button):
            b.layout.width = "auto"
        for w, cls in ((self.progress, "gr-review-progress"), (self.flag, "gr-review-flag"),
                       (self.cells, "gr-review-cells"), (self.context, "gr-review-context"),
                       (self.status, "gr-review-status"), (self.accept_button, "gr-review-accept"),
                       (self.enter_button, "gr-review-enter"), (self.blank_button, "gr-review-blank"),
                       (self.missing_button, "gr-review-missing"), (self.skip_button, "gr-review-skip"),
                       (self.value, "gr-review-value"), (self.note, "gr-review-note")):
            w.add_class(cls)
        answers = W.VBox([W.HBox([self.column, self.value]), self.note,
                          W.HBox([self.accept_button, self.enter_button, self.blank_button, self.missing_button,
                                  self.skip_button]), self.status])
        super().__init__([W.HBox([self.agency, self.check, self.severity]), self.progress, self.flag,
                          W.HBox([W.VBox([self.cells, answers], layout=W.Layout(width="50%")),
                                  W.VBox([self.context, self.image], layout=W.Layout(width="50%"))])])
        self.add_class("gr-review")
        self.items = self.queue
        self.i = 0
        self._show()

    # ---------------------------------------------------------------- state
    def _options(self, col: str) -> list[str]:
        return [ALL] + sorted(str(x) for x in self.queue[col].dropna().unique())

    def _filter(self) -> None:
        q = self.queue
        for w, col in ((self.agency, "agency"), (self.check, "check"), (self.severity, "severity")):
            if w.value != ALL:
                q = q[q[col].astype(str) == w.value]
        self.items, self.i = q, 0
        self._show()

    @property
    def item(self) -> dict | None:
        """The flag shown (a row of the review queue), or None when none is left."""
        if self.i >= len(self.items):
            return None
        return self.items.iloc[self.i].to_dict()

    # ---------------------------------------------------------------- answers
    def accept(self) -> None:
        """Accept the cell (or the report's flag) as read: a correction confirming the value."""
        it = self.item
        if it is None:
            return
        if it["table"] in CELL_KEYS:
            value = MISSING if pd.isna(it["value"]) else (BLANK if _true(it["blank"]) else _number(it["value"]))
            self._write(it, it["table"], it["key"], self._column(it), value)
        elif it["table"] == "meta" and pd.notna(self._meta(it)):
            self._write(it, "meta", it["key"], "", str(self._meta(it)))
        else:
            self._write(it, "finding", it["check"], it["column"] or "", "accepted")

    def enter(self, value: str) -> None:
        """Enter a value for the cell (a number, ``blank`` or ``missing``) or the meta field."""
        it = self.item
        if it is None:
            return
        value = (value or "").strip()
        if it["table"] in CELL_KEYS:
            if value not in (BLANK, MISSING) and not _is_number(value):
                self.status.value = f"<b style='color:#c0392b'>'{html.escape(value)}' is not a number; " \
                                    "type the number printed, or use blank / missing</b>"
                return
            self._write(it, it["table"], it["key"], self._column(it), value)
        elif it["table"] == "meta" and value and value not in (BLANK, MISSING):
            self._write(it, "meta", it["key"], "", value)
        else:
            self.status.value = "<b style='color:#c0392b'>this flag is on the report as a whole: accept it, " \
                                "or skip</b>"

    def skip(self) -> None:
        """Leave this flag for later; show the next."""
        if self.item is not None:
            self.i += 1
            self._show()

    def _column(self, it: dict) -> str:
        return it["column"] or self.column.value or ""

    def _meta(self, it: dict):
        r = self.corpus.reports if hasattr(self.corpus, "reports") else None
        if r is None or it["key"] not in r.columns:
            return pd.NA
        hit = r.loc[r["report_id"] == it["report_id"], it["key"]]
        return hit.iloc[0] if len(hit) else pd.NA

    def _write(self, it: dict, table: str, key: str, column: str, value: str) -> None:
        line = append_correction(self.path, {
            "sha256": it["sha256"] if pd.notna(it["sha256"]) else "", "report_id": it["report_id"],
            "source": Path(str(it["source"])).name if pd.notna(it["source"]) else "", "table": table, "key": key,
            "column": column, "value": value, "note": self.note.value.strip(), "author": self.author})
        self.done += 1
        self.status.value = (f"written to {html.escape(str(self.path))} line {line}: {table} {html.escape(key)} "
                             f"{html.escape(column)} = {html.escape(value)}")
        self.queue = self.queue[self.queue["rank"] != it["rank"]]
        self.items = self.items[self.items["rank"] != it["rank"]]
        self.note.value = self.value.value = ""
        self._show()

    # ---------------------------------------------------------------- display
    def _show(self) -> None:
        n, it = len(self.items), self.item
        self.progress.value = (f"<b>{min(self.i + 1, n)} of {n}</b> · {self.done} answered · "
                               f"{len(self.queue)} left in the queue")
        if it is None:
            self.flag.value = "<p><b>没有待审项 nothing left to review</b> (with these filters)</p>"
            self.cells.value = self.context.value = ""
            self.image.value = b""
            self.image.layout.display = "none"
            return
        self.flag.value = (f"<p><b>{html.escape(str(it['agency']))} {it['year'] if pd.notna(it['year']) else ''}</b> · "
                           f"<code>{it['check']}</code> ({it['severity']}) · {html.escape(str(it['source']))}</p>"
                           f"<p>{html.escape(str(it['message']))}</p>")
        self.column.options = COLUMN_CHOICES.get(it["table"], []) if not it["column"] and it["table"] in COLUMN_CHOICES \
            else []
        if self.column.options:
            self.column.value = "total"
        self.column.layout.display = "" if self.column.options else "none"
        self.cells.value = self._cells_html(it)
        ctx = printed_context(it["source"], it["location"])
        self.context.value = ("<p><b>印出 as printed</b> (" + html.escape(str(it["location"])) + ")</p>"
                              "<pre style='white-space:pre;overflow:auto;max-height:30em;font-size:90%'>"
                              + html.escape(ctx["text"]) + "</pre>")
        self._show_page(it, ctx)

    def _show_page(self, it: dict, ctx: dict) -> None:
        if it["format"] != "pdf" or ctx["page"] is None:
            self.image.value = b""
            self.image.layout.display = "none"
            return
        try:
            row = row_box(it["source"], it["location"])
            self.image.value = page_image(it["source"], ctx["page"], cell_box(it["source"], it["location"]),
                                          mark=row[0] if row else None)
            self.image.layout.display = ""
        except Exception as err:  # noqa: BLE001 - no crop: the lines still show
            self.image.layout.display = "none"
            self.context.value += f"<p><i>(no page image: {html.escape(str(err))})</i></p>"

    def _cells_html(self, it: dict) -> str:
        """The row (table 3), proceeding (table 4) or item (table 2) as read, the flagged cell marked."""
        table = it["table"]
        if table not in CELL_KEYS:
            return ""
        df = getattr(self.corpus, table)
        k1, k2 = CELL_KEYS[table]
        row = df[(df["report_id"] == it["report_id"]) & (df[k1] == it["key"])]
        head = f"<p><b>读取 as read</b>: {html.escape(it['key'])} {html.escape(LABELS.get(it['key'], ''))}</p>"
        if not len(row):
            return head + "<p><i>not read (missing)</i></p>"
        out = ["<table class='gr-review-table'><tr><th>column</th><th>value</th><th>printed</th></tr>"]
        for rec in row.to_dict("records"):
            mark = " style='background:#fde2e1'" if rec[k2] == (it["column"] or "total") else ""
            value = "" if pd.isna(rec["value"]) else _number(rec["value"])
            flag = " (blank)" if _true(rec["blank"]) else ""
            corrected = " ✎" if _true(rec.get("corrected")) else ""
            out.append(f"<tr{mark}><td>{html.escape(str(rec[k2]))} {html.escape(LABELS.get(rec[k2], ''))}</td>"
                       f"<td>{value}{flag}{corrected}</td><td>{html.escape(str(rec['printed'] or ''))}</td></tr>")
        return head + "".join(out) + "</table>"


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def _number(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _true(x) -> bool:
    return x is not None and not pd.isna(x) and bool(x)
