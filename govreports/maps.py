"""Maps of a measure by region: a choropleth from the division names the corpus already has.

Why a module of its own: a journalist's story is often a province's or a city's; a map shows at a
glance where requests are refused most. The boundaries come from ``cnmaps`` (its data package
ships China's provinces, cities and counties; nothing is downloaded at run time), an optional
extra: ``pip install 'govreports[maps]'``.

The numbers are summed over the agencies of each region (every level, each agency-year once):
``value = Σ numerator / Σ denominator`` over the reports where both are printed, with the count
of reports behind each figure and of those left out, so a region's figure over part of its
agencies never passes for the region's whole.

>>> import govreports.plotting as gp
>>> ax, table = gp.plot_map(corpus, "refused_share", level="city", region="江苏省")   # doctest: +SKIP
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from . import analysis as ga

MAP_LEVELS = {"province": ("省", 1, "province"), "city": ("市", 2, "city"), "county": ("区县", 3, "district")}
NO_DATA = "无数据 · no data"
TABLE_COLUMNS = ["region", "name", "value", "numerator", "denominator", "n_agencies", "n_reports",
                 "n_reports_without_value"]


def _cnmaps():
    try:
        import cnmaps
    except ImportError as err:  # pragma: no cover - the test command installs the extra
        raise ImportError("maps need the optional extra: pip install 'govreports[maps]' (cnmaps and its "
                          "boundary data)") from err
    return cnmaps


def region_values(data, measure: str, level: str = "province", region: str | None = None,
                  year: int | None = None) -> pd.DataFrame:
    """Given any input of :mod:`govreports.analysis`, a measure and a map level, return one row per
    region of that level (inside ``region``, e.g. ``"江苏省"`` or ``"江苏省/淮安市"``): region (its
    path), name (as on the map), value, numerator, denominator, n_agencies, n_reports (reports with
    a value), n_reports_without_value (reports of the region whose figure is not printed)."""
    if level not in MAP_LEVELS:
        raise ValueError(f"level must be one of {', '.join(MAP_LEVELS)}, not {level!r}")
    if measure not in ga.MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of: {', '.join(ga.MEASURES)}")
    depth = MAP_LEVELS[level][1]
    f = ga.frames_of(data)
    per = ga.measure_values(f, measure, by="report")
    reports = ga._usable_reports(f)[["report_id", "agency_key", "region", "year"]]
    per = per.drop(columns=[c for c in ("agency_key", "year") if c in per.columns]).merge(reports, on="report_id")
    if year is not None:
        per = per[per["year"] == int(year)]
    from .agencies import PROVINCES

    provinces = {p.full for p in PROVINCES}
    parts = per["region"].astype("string").fillna("").str.split("/")
    per = per.assign(map_region=parts.map(lambda p: "/".join(p[:depth]) if len(p) >= depth and p[0] in provinces
                                          else None))
    per = per[per["map_region"].notna()]
    if region:
        per = per[(per["map_region"] + "/").str.startswith(region.rstrip("/") + "/")]
    m = ga.MEASURES[measure]
    has = per["numerator"].notna() & (per["denominator"].notna() if m.denominator else True)
    g = per[has].groupby("map_region")
    out = pd.DataFrame({"numerator": g["numerator"].sum(), "denominator": g["denominator"].sum() if m.denominator
                        else pd.Series(pd.NA, index=g.size().index, dtype="Int64"),
                        "n_agencies": g["agency_key"].nunique(), "n_reports": g.size()})
    missing = per[~has].groupby("map_region").size()
    out = out.reindex(out.index.union(missing.index))
    out["n_reports_without_value"] = missing.reindex(out.index).fillna(0).astype("int64")
    out["n_reports"] = out["n_reports"].fillna(0).astype("int64")
    out["n_agencies"] = out["n_agencies"].fillna(0).astype("int64")
    num = out["numerator"].astype("Float64")
    out["value"] = ga._share(num, out["denominator"], m.scale) if m.denominator else num.astype("float64")
    out = out.rename_axis("region").reset_index()
    out["name"] = out["region"].str.split("/").str[-1]
    return out[TABLE_COLUMNS].reset_index(drop=True)


@lru_cache(maxsize=16)
def _boundaries(level: str, region: str | None) -> tuple[tuple[str, object], ...]:
    """(name, shapely geometry) of each region of ``level`` inside ``region``, from cnmaps."""
    cn = _cnmaps()
    zh, depth, key = MAP_LEVELS[level]
    parts = region.split("/") if region else []
    kwargs = {"level": zh, "record": "all"}
    if parts:
        kwargs["province"] = parts[0]
    if len(parts) > 1:
        kwargs["city"] = parts[1]
    records = cn.get_adm_maps(**kwargs)
    return tuple((r[key], r["geometry"].geom) for r in records)


def _patches(geometry):
    from matplotlib.patches import Polygon

    polys = geometry.geoms if hasattr(geometry, "geoms") else [geometry]
    return [Polygon(np.asarray(p.exterior.coords), closed=True) for p in polys]


def plot_map(frame, measure: str, level: str = "province", region: str | None = None, year: int | None = None,
             ax=None, cmap: str = "OrRd"):
    """Given a corpus (or any input of :mod:`govreports.analysis`) and a measure, draw a choropleth
    of it by region at ``level`` (``province``, ``city`` or ``county``) inside ``region``; regions
    with no data are hatched and named in the legend. Return ``(ax, table)``: the table is
    :func:`region_values` (the counts behind each figure), with ``on_map`` saying which rows were
    drawn. The colour bar says what is divided by what.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch

    from . import plotting as gp

    gp.use_cjk_font()
    table = region_values(frame, measure, level, region, year)
    shapes = _boundaries(level, region)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 7))
    values = table.set_index("name")["value"]
    filled, empty, colours = [], [], []
    for name, geometry in shapes:
        patches = _patches(geometry)
        v = values.get(name, np.nan)
        if pd.notna(v):
            filled += patches
            colours += [float(v)] * len(patches)
        else:
            empty += patches
    m = ga.MEASURES[measure]
    if filled:
        coll = PatchCollection(filled, cmap=cmap, edgecolor="white", linewidth=0.4)
        coll.set_array(np.asarray(colours))
        ax.add_collection(coll)
        how = f"{' + '.join(m.numerator)} / {m.denominator}" if m.denominator else " + ".join(m.numerator)
        bar = ax.figure.colorbar(coll, ax=ax, shrink=0.7)
        bar.set_label(f"{m.zh} = {how}" + (f" × {m.scale:g}" if m.scale != 1 else ""))
    if empty:
        ax.add_collection(PatchCollection(empty, facecolor="white", edgecolor="#999999", hatch="///", linewidth=0.4))
    n_empty = sum(1 for name, _ in shapes if pd.isna(values.get(name, np.nan)))
    ax.legend(handles=[Patch(facecolor="white", edgecolor="#999999", hatch="///",
                             label=f"{NO_DATA} ({n_empty} / {len(shapes)})")], loc="lower left", fontsize="small")
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    where = region or "全国 China"
    ax.set_title(f"{m.zh} {m.en} · {where}" + (f" · {year}" if year else ""))
    table = table.assign(on_map=table["name"].isin({name for name, _ in shapes}))
    ax.gr_no_data = n_empty
    return ax, table


MIN_REGIONS = 3


def map_section(data, measure: str, region: str | None = None, year: int | None = None,
                min_regions: int = MIN_REGIONS):
    """What a notebook's map section shows: the map one level below ``region`` (provinces of
    China, cities of a province, counties of a city) when the data spans ``min_regions`` or more
    regions there, else ``None``; returns ``(ax, table, message)``."""
    depth = len(region.split("/")) if region else 0
    level = ("province", "city", "county")[min(depth, 2)]
    table = region_values(data, measure, level, region, year)
    n = int((table["n_reports"] > 0).sum())
    if n < min_regions:
        return None, table, (f"the data spans {n} region(s) at {level} level: no map (a map needs {min_regions} "
                             "or more) · 地区少于三个，不绘制地图")
    try:
        _cnmaps()
    except ImportError as err:
        return None, table, f"{err} · 未安装地图数据，只列出各地区的数字"
    ax, table = plot_map(data, measure, level=level, region=region, year=year)
    return ax, table, f"{n} regions at {level} level · {n} 个地区"
