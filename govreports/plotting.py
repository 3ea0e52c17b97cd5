"""Plots of the analysis frames, labelled in Chinese and English.

Why a font step: a fresh machine has no CJK font, so matplotlib would draw agency names as empty
boxes. :func:`use_cjk_font` registers the Noto Sans CJK SC that the ``mplfonts`` package ships
(a declared dependency) and puts it first in ``font.sans-serif``; every plot function calls it,
so a notebook needs no font set-up. Without the font it warns once and plots anyway.

Each function takes a frame from :mod:`govreports.analysis`, draws on ``ax`` (a new figure if
None) and returns the Axes.

>>> from govreports import analysis as ga, plotting as gp             # doctest: +SKIP
>>> gp.plot_outcome_mix(ga.outcome_shares(corpus, by="agency_year"))  # doctest: +SKIP
"""
from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager

from . import template

CJK_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "NotoSansCJK-Regular.ttc", "SourceHanSansSC-Regular.otf", "SimHei.ttf")

# bilingual labels of the analysis columns: the printed label's distinctive phrase (template.py), then English
# (the key's own words where they are plain English: granted, partly granted, carried over, carried forward)
_ENGLISH = {**{k: k.replace("_", " ") for k in (template.GRANTED, template.PARTLY_GRANTED)}, "denied": "refused",
            "unavailable": "unanswerable", "not_processed": "not processed", "other": "other",
            template.RECEIVED_NEW: "received", **{k: k.replace("_", " ") for k in (template.CARRIED_OVER, template.CARRIED_FORWARD)}}
_APPLICANT_ENGLISH = {"natural_person": "natural persons", "commercial": "companies", "research": "research",
                      "social_org": "NGOs", "legal_service": "legal services", "other_org": "other organisations"}


def _phrase(key: str) -> str:
    """The short printed form of a row or group of table 3 (予以公开, 不予公开, 本年新收 ...)."""
    if key in template.ROW_BY_KEY:
        return template.ROW_BY_KEY[key].phrases[-1]
    return template.ROW_BY_KEY[template.OTHER_OTHER].phrases[0] if key == "other" else template.GROUP_PHRASES[key][-1]


LABELS = {
    **{k: f"{_phrase(k)} {en}" for k, en in _ENGLISH.items()},
    "handled": "办理 handled",
    **{f"received_{a.key}": f"{a.label} {_APPLICANT_ENGLISH[a.key]}" for a in template.APPLICANTS if a.key != "total"},
    "year": "年度 year",
    "n_findings": "问题数 findings",
}
# the outcome rows of table 3 by group, in the template's order: granted, partly_granted, denied, unavailable,
# not_processed, other
OUTCOMES = tuple(dict.fromkeys(template.ROW_BY_KEY[k].group for k in template.OUTCOME_KEYS))
OUTCOME_COLORS = ("#4c9a2a", "#a4d17a", "#c0392b", "#e67e22", "#7f8c8d", "#bdc3c7")

_font_state: dict[str, str | None] = {}


def find_cjk_font() -> Path | None:
    """Return the path of a CJK font shipped by ``mplfonts`` (Noto Sans CJK SC first), or None."""
    try:
        import mplfonts
    except ImportError:
        return None
    folder = Path(mplfonts.__file__).resolve().parent / "fonts"
    for name in CJK_FONT_FILES:
        if (folder / name).is_file():
            return folder / name
    found = sorted(folder.glob("*CJK*.otf"))
    return found[0] if found else None


def use_cjk_font() -> str | None:
    """Register the shipped CJK font with matplotlib and make it the first sans-serif font.

    Returns the font's family name, or None (with one warning) when no CJK font is available,
    in which case Chinese text shows as boxes but plots still work. Safe to call many times.
    """
    if "family" in _font_state:
        family = _font_state["family"]
    else:
        path = find_cjk_font()
        family = None
        if path is None:
            warnings.warn("no CJK font found (is the mplfonts package installed?): Chinese labels will show as boxes",
                          stacklevel=2)
        else:
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
        _font_state["family"] = family
    if family:
        sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
        matplotlib.rcParams["font.sans-serif"] = [family, *sans]
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def _ax(ax, height: float = 4.0, width: float = 8.0):
    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


NO_DATA = "no data · 无数据"


def no_data(ax, what: str | None = None):
    """Write "no data · 无数据" (and what is missing) in the middle of ``ax``'s frame: a plot with
    nothing to draw says so instead of showing an empty frame."""
    ax.text(0.5, 0.5, NO_DATA + (f"\n{what}" if what else ""), transform=ax.transAxes, ha="center", va="center",
            fontsize="large", color="#7f8c8d")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _all_missing(*columns: pd.Series) -> bool:
    return all(pd.Series(c).isna().all() for c in columns)


def _row_labels(df: pd.DataFrame) -> list[str]:
    """Agency and/or year of each row, e.g. '上海市人民政府办公厅 2019'."""
    parts = [c for c in ("agency", "year", "level", "region") if c in df.columns]
    if "agency" in parts:
        parts = [c for c in parts if c in ("agency", "year")]
    if not parts:
        parts = [df.columns[0]]
    labels = [" ".join(str(v) for v in row if pd.notna(v)) for row in df[parts].itertuples(index=False)]
    if "agency" in parts and "agency_key" in df.columns:  # an agency without a name: show its key
        labels = [lab if pd.notna(name) else f"{key} {lab}".strip()
                  for lab, name, key in zip(labels, df["agency"], df["agency_key"])]
    return labels


def plot_outcome_mix(shares: pd.DataFrame, ax=None, title: str = "办理结果构成 How requests ended"):
    """Given :func:`~govreports.analysis.outcome_shares`, draw one stacked bar of outcome shares per row."""
    ax = _ax(ax, height=max(2.4, 1.2 + 0.45 * len(shares)), width=10)
    ax.set_title(title)
    if not len(shares) or _all_missing(shares["handled"]):
        return no_data(ax, "办理数未知 requests handled not known")
    labels = _row_labels(shares)
    left = np.zeros(len(shares))
    for key, color in zip(OUTCOMES, OUTCOME_COLORS):
        v = shares[f"{key}_share"].astype("float64").fillna(0).to_numpy() if f"{key}_share" in shares else \
            (shares[key].astype("Float64") / shares["handled"].astype("Float64")).astype("float64").fillna(0).to_numpy()
        ax.barh(labels, v, left=left, color=color, label=LABELS[key])
        left += v
    ax.set_xlim(0, 1)
    ax.set_xlabel("占办理数比例 share of requests handled")
    ax.invert_yaxis()
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)
    return ax


def plot_refusal_reasons(reasons: pd.DataFrame, ax=None, title: str = "不予公开和无法提供的理由 Grounds of refusal"):
    """Given :func:`~govreports.analysis.refusal_reasons` (one group of rows), draw counts per reason."""
    ax = _ax(ax, height=4.5)
    if not len(reasons) or _all_missing(reasons["count"]):
        ax.set_title(title)
        return no_data(ax)
    r = reasons.groupby(["reason", "group_label", "label"], sort=False, as_index=False)["count"] \
        .agg(lambda s: s.sum(skipna=False))
    colors = np.where(r["reason"].str.startswith("denied"), "#c0392b", "#e67e22")
    ax.barh([f"{g}·{lab}" for g, lab in zip(r["group_label"], r["label"])], r["count"].astype("Float64").fillna(0),
            color=colors)
    ax.invert_yaxis()
    ax.set_xlabel("件数 requests")
    ax.set_title(title)
    return ax


def plot_volumes(vols: pd.DataFrame, ax=None, title: str = "申请来源 Who asked"):
    """Given :func:`~govreports.analysis.volumes`, draw received requests by applicant type per row."""
    ax = _ax(ax, height=max(2.4, 1.2 + 0.45 * len(vols)), width=10)
    cols = [f"received_{a}" for a in template.APPLICANT_PARTS]
    if not len(vols) or _all_missing(*(vols[c] for c in cols)):
        ax.set_title(title)
        return no_data(ax, "申请数未知 requests received not known")
    labels = _row_labels(vols)
    left = np.zeros(len(vols))
    for i, c in enumerate(cols):
        v = vols[c].astype("Float64").fillna(0).to_numpy(dtype="float64")
        ax.barh(labels, v, left=left, label=LABELS[c], color=plt.cm.tab10(i))
        left += v
    ax.invert_yaxis()
    ax.set_xlabel("本年新收申请 requests received")
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)
    return ax


def mark_template_change(ax, years) -> bool:
    """Given an axis and the years it shows, draw a dashed line where the national template
    starts (reports on 2019 onwards) when values lie on both sides of it; return whether drawn."""
    from .analysis import TEMPLATE_CHANGE_YEAR

    years = pd.to_numeric(pd.Series(years), errors="coerce").dropna()
    if not ((years < TEMPLATE_CHANGE_YEAR).any() and (years >= TEMPLATE_CHANGE_YEAR).any()):
        return False
    ax.axvline(TEMPLATE_CHANGE_YEAR - 0.5, color="grey", linestyle="--", linewidth=1)
    ax.annotate("全国模板 national template →", (TEMPLATE_CHANGE_YEAR - 0.5, 1), xycoords=("data", "axes fraction"),
                xytext=(4, -12), textcoords="offset points", fontsize="small", color="grey")
    return True


def plot_trend(cy: pd.DataFrame, ax=None, title: str | None = None):
    """Given :func:`~govreports.analysis.cross_year`, draw one line per agency that has a value; a
    year whose report has errors is marked with a red ×, a missing year leaves a gap."""
    from .analysis import MEASURES

    ax = _ax(ax, width=10)
    measure = cy["measure"].iloc[0] if len(cy) else ""
    m = MEASURES.get(measure)
    ax.set_title(title or (f"{m.zh} {m.en}" if m else measure))
    known = cy[cy["value"].notna() & cy["year"].notna()] if len(cy) else cy
    if not len(known):
        return no_data(ax)
    years_known = known.groupby("agency_key")["year"].nunique()
    points: dict[tuple[int, float], list[str]] = {}
    for key, g in known.groupby("agency_key", sort=False):
        name = g["agency"].dropna()
        label = str(name.iloc[-1] if len(name) else key)
        g = cy[cy["agency_key"] == key]  # with its missing years: a gap in the line
        if years_known[key] > 1:
            ax.plot(g["year"].astype("Int64").astype("float64"), g["value"], marker="o", label=label)
        else:  # one year only: a labelled point, not a line
            one = g[g["value"].notna()]
            ax.plot(one["year"].astype("int64"), one["value"], "o", color="#7f8c8d")
            points.setdefault((int(one["year"].iloc[0]), float(one["value"].iloc[0])), []).append(label)
        bad = g[g["has_errors"] & g["value"].notna()]
        ax.plot(bad["year"].astype("int64"), bad["value"], "x", color="red", markersize=10)
    for (year, value), labels in points.items():  # agencies on the same point: one label each, stacked
        ax.annotate("\n".join(labels), (year, value), xytext=(8, 0), textcoords="offset points", va="center",
                    fontsize="x-small", color="#34495e")
    ax.set_xlabel(LABELS["year"])
    mark_template_change(ax, cy.loc[cy["value"].notna(), "year"])
    ax.set_ylabel(m.zh if m else measure)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)
    return ax


def plot_ranking(ranked: pd.DataFrame, ax=None, title: str | None = None):
    """Given :func:`~govreports.analysis.rank_agencies`, draw a bar per agency with its counts beside."""
    from .analysis import MEASURES

    ax = _ax(ax, height=max(2.4, 1.2 + 0.4 * len(ranked)))
    measure = ranked["measure"].iloc[0] if len(ranked) else ""
    if not len(ranked) or _all_missing(ranked["value"]):
        m = MEASURES.get(measure)
        ax.set_title(title or (f"排名 Ranking: {m.zh} {m.en}" if m else "排名 Ranking"))
        return no_data(ax)
    labels = _row_labels(ranked)
    values = ranked["value"].astype("float64").fillna(0)
    ax.barh(labels, values, color="#34495e")
    is_share = bool(len(ranked)) and ranked["denominator"].notna().any()
    for y, (v, n, d) in enumerate(zip(values, ranked["numerator"], ranked["denominator"])):
        if is_share:
            txt = f"{n}/{d}" if pd.notna(n) and pd.notna(d) else "无数据 no data"
        else:
            txt = f"{n}" if pd.notna(n) else "无数据 no data"
        ax.annotate(txt, (v, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize="small")
    ax.invert_yaxis()
    m = MEASURES.get(measure)
    ax.set_xlabel(m.label if m else measure)
    ax.set_title(title or (f"排名 Ranking: {m.zh} {m.en}" if m else "排名 Ranking"))
    return ax


def plot_findings(summary: pd.DataFrame, ax=None, title: str = "检查未通过次数 Failed checks"):
    """Given :func:`~govreports.analysis.findings_summary`, draw how often each check fails."""
    ax = _ax(ax, height=max(2.4, 1.2 + 0.35 * len(summary)))
    if not len(summary):
        ax.set_title(title)
        return no_data(ax, "没有检查未通过 no check fails")
    colors = summary["severity"].map({"error": "#c0392b", "warning": "#e67e22", "info": "#95a5a6"}).fillna("#95a5a6")
    ax.barh([f"{c} ({s})" for c, s in zip(summary["check"], summary["severity"])], summary["n_findings"],
            color=list(colors))
    ax.invert_yaxis()
    ax.set_xlabel(LABELS["n_findings"])
    ax.set_title(title)
    return ax


def plot_map(frame, measure: str, level: str = "province", region: str | None = None, **kwargs):
    """A choropleth of ``measure`` by region (needs the ``[maps]`` extra): see
    :func:`govreports.maps.plot_map`, which returns ``(ax, table)``."""
    from .maps import plot_map as _plot_map

    return _plot_map(frame, measure, level=level, region=region, **kwargs)


def plot_days_late(timeliness: pd.DataFrame, ax=None, title: str = "按时公开 Days late (negative: early)"):
    """Given :func:`~govreports.analysis.timeliness`, draw how many days after (or before) its
    deadline each report was published; the deadline is the line at 0. Reports without a date
    or a deadline are counted in the title, not drawn."""
    ax = _ax(ax, height=3.5)
    days = timeliness["days_late"].dropna().astype("int64")
    n_out = len(timeliness) - len(days)
    if len(days):
        span = max(int(days.abs().max()), 1)
        step = max(1, span // 20)
        ax.hist(days, bins=np.arange(-span - step, span + 2 * step, step), color="#4c72b0")
        ax.axvline(0, color="#c0392b", linewidth=1)
    else:
        ax.text(0.5, 0.5, "没有同时具备发布日期和期限的报告 no report with both a date and a deadline",
                ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("逾期天数 days after the deadline")
    ax.set_ylabel("报告数 reports")
    ax.set_title(f"{title}: {len(days)} reports" + (f", {n_out} without a date or a deadline" if n_out else ""))
    return ax
