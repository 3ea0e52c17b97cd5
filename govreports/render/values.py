"""What a report prints, as plain values: the input of every renderer.

:class:`ReportValues` holds the numbers of one report keyed as in ``shared/SCHEMA.md`` (the same
keys as the gold files), plus the few printing facts that change the table's shape: which
template, whether （六）其他处理 is one row, which rows are printed blank.

Two ways to get one:

* :meth:`ReportValues.from_gold` reads a gold JSON entry (what a real report prints), so tests
  can print the gold values of every seed in every layout and read them back;
* :meth:`ReportValues.synthetic` makes a random but internally consistent report from a seed,
  for benchmarks and the synthetic corpus.
"""
from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field

from ..template import (
    APPEAL_CELLS,
    APPLICANT_KEYS,
    DISCLOSURE_ITEMS,
    OUTCOME_KEYS,
    REQUEST_KEYS,
    ROW_BY_KEY,
    TEMPLATES,
)

N_APPLICANTS = len(APPLICANT_KEYS)  # 7: six applicant columns and the total
N_APPEALS = 15
OTHER_SUBROWS = ("other.no_correction", "other.unpaid_fee")


@dataclass(frozen=True)
class ReportValues:
    """The printed values of one report.

    ``requests`` maps a row key to its 7 cells (six applicant columns, then the total); a row not
    printed is absent. ``appeals`` is the flat list of 15 numbers of SCHEMA.md, or ``None`` when
    table 4 is not printed; ``appeals_blank`` means its header is printed with every cell empty.
    ``disclosure`` maps item -> measure -> number (money in 万元). ``blank_rows`` are the table-3
    rows printed with every cell empty (their values are 0).
    """

    agency: str
    year: int
    template: str
    requests: dict[str, list[int]]
    appeals: list[int] | None = None
    disclosure: dict[str, dict[str, float]] = field(default_factory=dict)
    other_one_row: bool = False
    blank_rows: frozenset[str] = frozenset()
    appeals_blank: bool = False

    def __post_init__(self) -> None:
        if self.template not in TEMPLATES:
            raise ValueError(f"template must be one of {TEMPLATES}, not {self.template!r}")
        for key, cells in self.requests.items():
            if key not in ROW_BY_KEY:
                raise ValueError(f"unknown request row {key!r}")
            if len(cells) != N_APPLICANTS:
                raise ValueError(f"row {key!r} has {len(cells)} cells, expected {N_APPLICANTS}")
        if self.appeals is not None and len(self.appeals) != N_APPEALS:
            raise ValueError(f"appeals has {len(self.appeals)} numbers, expected {N_APPEALS}")

    # ------------------------------------------------------------------ shape
    def request_rows(self) -> list[str]:
        """The table-3 row keys this report prints, in template order."""
        return [key for key in self.template_request_keys() if key in self.requests]

    def template_request_keys(self) -> list[str]:
        """The table-3 row keys of this report's template shape (printed or not)."""
        one_row = self.template == "2019" or self.other_one_row
        keys = [r.key for r in ROW_BY_KEY.values() if self.template in r.templates]
        if one_row:
            keys = [k for k in keys if k not in OTHER_SUBROWS]
        return keys

    # ------------------------------------------------------------------ checks
    def identity_failures(self) -> list[str]:
        """Every identity of SCHEMA.md that the values break, in words (empty when consistent)."""
        out: list[str] = []
        req = self.requests
        for key, cells in req.items():
            if sum(cells[:-1]) != cells[-1]:
                out.append(f"row_total {key}: {sum(cells[:-1])} != {cells[-1]}")
        outcome_keys = [k for k in OUTCOME_KEYS if k in req]
        for col, applicant in enumerate(APPLICANT_KEYS):
            if "outcome_total" in req:
                parts = sum(req[k][col] for k in outcome_keys)
                if parts != req["outcome_total"][col]:
                    out.append(f"outcome_total {applicant}: {parts} != {req['outcome_total'][col]}")
            if all(k in req for k in ("received_new", "carried_over", "outcome_total", "carried_forward")):
                left = req["received_new"][col] + req["carried_over"][col]
                right = req["outcome_total"][col] + req["carried_forward"][col]
                if left != right:
                    out.append(f"balance {applicant}: {left} != {right}")
        if self.appeals is not None:
            for p in range(3):
                five = self.appeals[5 * p:5 * p + 5]
                if sum(five[:4]) != five[4]:
                    out.append(f"appeals_total proceeding {p}: {sum(five[:4])} != {five[4]}")
        return out

    # ------------------------------------------------------------------ constructors
    def cells(self) -> dict[tuple[str, str, str], float]:
        """Every cell these values print, keyed ``(table, row or item or proceeding, applicant or
        measure or result)``: what a reader must give back (compare with :func:`report_cells`)."""
        out = {("requests", row, a): float(x) for row, vals in self.requests.items()
               for a, x in zip(APPLICANT_KEYS, vals)}
        if self.appeals is not None:
            out.update({("appeals", p, r): float(x) for (p, r), x in zip(APPEAL_CELLS, self.appeals)})
        out.update({("disclosure", item, m): float(x) for item, ms in self.disclosure.items() for m, x in ms.items()})
        return out

    @classmethod
    def from_gold(cls, entry: dict) -> "ReportValues":
        """Build the values a gold JSON entry says a report prints.

        A string ``appeals`` means table 4's header is printed with no numbers: 15 zeros, printed
        blank. ``requests_printed_blank_rows`` may use patterns such as ``denied.*``.
        """
        template = str(entry["template"])
        requests = {k: [int(v) for v in cells] for k, cells in entry.get("requests", {}).items()}
        appeals = entry.get("appeals")
        appeals_blank = isinstance(appeals, str)
        if appeals_blank:
            appeals = [0] * N_APPEALS
        elif appeals is not None:
            appeals = [int(v) for v in appeals]
        blank = {key for pattern in entry.get("requests_printed_blank_rows", [])
                 for key in fnmatch.filter(REQUEST_KEYS, pattern)}
        other_one_row = (template == "2021" and "other.other" in requests
                         and not any(k in requests for k in OTHER_SUBROWS))
        return cls(
            agency=entry.get("agency") or entry.get("agency_as_printed") or "",
            year=int(entry.get("year") or 0),
            template=template,
            requests=requests,
            appeals=appeals,
            disclosure={item: {m: v for m, v in measures.items() if not m.startswith("_")}
                        for item, measures in entry.get("disclosure", {}).items()},
            other_one_row=other_one_row,
            blank_rows=frozenset(blank & set(requests)),
            appeals_blank=appeals_blank,
        )

    @classmethod
    def synthetic(cls, seed: int, template: str | None = None) -> "ReportValues":
        """A random, internally consistent report, the same for the same ``seed`` and ``template``.

        Every identity of SCHEMA.md holds. Numbers are mostly small, sometimes in the
        thousands, as in real reports. Without ``template`` the year decides it (≤2020: 2019).
        """
        return _Synth(random.Random(f"govreports-synthetic:{seed}:{template}"), template).build()


# --------------------------------------------------------------------------- synthetic reports
PROVINCES = ("江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东",
             "四川", "贵州", "云南", "陕西", "甘肃", "河北", "山西", "辽宁", "吉林", "黑龙江")
CITIES = ("南京", "苏州", "徐州", "宿迁", "淮安", "杭州", "温州", "合肥", "芜湖", "福州", "泉州",
          "赣州", "九江", "济南", "潍坊", "洛阳", "开封", "宜昌", "襄阳", "长沙", "岳阳", "韶关",
          "湛江", "绵阳", "遵义", "曲靖", "宝鸡", "天水", "保定", "大同", "鞍山", "吉林", "齐齐哈尔")
COUNTIES = ("沭阳县", "泗洪县", "长丰县", "桐庐县", "南安市", "瑞金市", "寿光市", "栾川县", "秭归县",
            "桃江县", "仁怀市", "宣威市", "凤翔区", "涿州市", "洪泽区", "汉阳区", "海珠区", "故城县",
            "固阳县", "微山县", "广昌县", "吴起县")
TOWNS = ("城关", "七里坪", "长桥", "两城", "铁边城", "下湿壕", "周矶", "新集", "龙泉", "白沙", "石桥", "马坊")
DEPARTMENTS = ("人民政府办公室", "发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局",
               "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
               "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会",
               "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局",
               "人民防空办公室", "地方志办公室", "林业局")

# Relative weight of each outcome row: most requests are granted or the information is not held.
OUTCOME_WEIGHTS = {"granted": 10, "partly_granted": 2, "unavailable.not_held": 6, "other.other": 2,
                   "not_processed.petition": 1.5, "not_processed.duplicate": 1, "other.no_correction": 1}
APPLICANT_WEIGHTS = (20, 4, 0.3, 0.4, 0.8, 0.5)


class _Synth:
    """Draws one synthetic report; a small class so that each part is one short method."""

    def __init__(self, rng: random.Random, template: str | None):
        self.rng = rng
        if template is None:
            self.year = rng.randint(2019, 2024)
            self.template = "2019" if self.year <= 2020 else "2021"
        else:
            if template not in TEMPLATES:
                raise ValueError(f"template must be one of {TEMPLATES}")
            self.template = template
            self.year = rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2024)

    def build(self) -> ReportValues:
        other_one_row = self.template == "2021" and self.rng.random() < 0.15
        probe = ReportValues(self.agency(), self.year, self.template, {}, other_one_row=other_one_row)
        requests = self.requests(probe.template_request_keys())
        appeals = self.appeals()
        appeals_blank = not any(appeals) and self.rng.random() < 0.2
        return ReportValues(
            agency=probe.agency, year=self.year, template=self.template, requests=requests,
            appeals=appeals, disclosure=self.disclosure(), other_one_row=other_one_row,
            blank_rows=self.blank_rows(requests), appeals_blank=appeals_blank,
        )

    # -- meta
    def agency(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.15:
            return f"{rng.choice(PROVINCES)}省{rng.choice(DEPARTMENTS).replace('局', '厅', 1)}"
        if kind < 0.55:
            return f"{rng.choice(CITIES)}市{rng.choice(DEPARTMENTS)}"
        if kind < 0.85:
            return f"{rng.choice(CITIES)}市{rng.choice(COUNTIES)}{rng.choice(DEPARTMENTS)}"
        return f"{rng.choice(COUNTIES)}{rng.choice(TOWNS)}镇人民政府"

    def size(self) -> int:
        """A count drawn like real reports: mostly small, sometimes hundreds or thousands."""
        r = self.rng.random()
        if r < 0.25:
            return 0
        if r < 0.75:
            return self.rng.randint(1, 20)
        if r < 0.93:
            return self.rng.randint(21, 400)
        return self.rng.randint(401, 6000)

    def split(self, n: int, weights: list[float]) -> list[int]:
        """Split ``n`` into len(weights) non-negative parts, roughly proportional to the weights."""
        noisy = [w * self.rng.random() for w in weights]
        total = sum(noisy)
        if n == 0 or total == 0:
            parts = [0] * len(weights)
            if n:
                parts[0] = n
            return parts
        parts = [int(n * w / total) for w in noisy]
        for _ in range(n - sum(parts)):
            parts[self.rng.choices(range(len(weights)), weights=noisy)[0]] += 1
        return parts

    # -- table 3
    def requests(self, keys: list[str]) -> dict[str, list[int]]:
        rng = self.rng
        received = self.split(self.size(), list(APPLICANT_WEIGHTS))
        carried_over = [self.rng.randint(0, max(0, v // 5)) if rng.random() < 0.3 else 0 for v in received]
        pending = [a + b for a, b in zip(received, carried_over)]
        carried_forward = [rng.randint(0, v // 4) if v and rng.random() < 0.3 else 0 for v in pending]
        outcome_keys = [k for k in keys if k in OUTCOME_KEYS]
        active = [k for k in outcome_keys if k in OUTCOME_WEIGHTS or rng.random() < 0.25]
        weights = [OUTCOME_WEIGHTS.get(k, 0.4) if k in active else 0 for k in outcome_keys]
        columns = [self.split(h - f, weights) for h, f in zip(pending, carried_forward)]
        rows = {k: [columns[c][i] for c in range(len(columns))] for i, k in enumerate(outcome_keys)}
        rows.update(received_new=received, carried_over=carried_over, carried_forward=carried_forward,
                    outcome_total=[h - f for h, f in zip(pending, carried_forward)])
        return {k: rows[k] + [sum(rows[k])] for k in keys}

    def blank_rows(self, requests: dict[str, list[int]]) -> frozenset[str]:
        """Some reports print rows of zeros as empty cells."""
        if self.rng.random() > 0.2:
            return frozenset()
        return frozenset(k for k, cells in requests.items() if not any(cells) and self.rng.random() < 0.7)

    # -- table 4
    def appeals(self) -> list[int]:
        out: list[int] = []
        for _ in range(3):
            four = [self.rng.choice((0, 0, 0, 0, 1, 2, 3, 5, 12)) for _ in range(4)]
            if self.rng.random() < 0.5:
                four = [0, 0, 0, 0]
            out += four + [sum(four)]
        return out

    # -- table 2
    def disclosure(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for item in DISCLOSURE_ITEMS[self.template]:
            out[item.key] = {m.key: self.measure(m.key) for m in item.measures}
        return out

    def measure(self, key: str) -> float:
        rng = self.rng
        if key == "amount_10k_yuan":
            return 0 if rng.random() < 0.4 else round(rng.uniform(0.5, 9000), rng.choice((0, 1, 2)))
        if key == "items_change":
            return rng.choice((0, 0, 0, 1, -1, 2, -3, 5))
        if key in ("made", "published", "issued", "repealed"):
            return rng.choice((0, 0, 1, 2, 3, 5, 12))
        if key in ("in_force_published", "in_force", "items_prev_year", "projects"):
            return rng.randint(0, 60)
        return self.size()  # decisions


_CELL_TABLES = (("requests", "row", "applicant"), ("appeals", "proceeding", "result"), ("disclosure", "item", "measure"))


def report_cells(report) -> dict[tuple[str, str, str], float]:
    """Given a Report, return every cell it read with a value, keyed as :meth:`ReportValues.cells`."""
    out = {}
    for table, a, b in _CELL_TABLES:
        df = getattr(report, table)
        out.update({(table, str(x), str(y)): float(v) for x, y, v in zip(df[a], df[b], df["value"])
                    if v is not None and str(v) != "<NA>"})
    return out


def compare_cells(report, expected: dict[tuple[str, str, str], float]) -> dict:
    """Given a Report and the cells it should give (:meth:`ReportValues.cells`), return cells,
    exact (counts), missing (keys), wrong and silent ((key, expected, found): silent where no
    error or warning of its table says anything)."""
    got = report_cells(report)
    f = report.findings
    flagged = set(f.loc[f["severity"].isin(["error", "warning"]), "table"])
    out = {"cells": len(expected), "exact": 0, "missing": [], "wrong": [], "silent": []}
    for key, want in expected.items():
        if key not in got:
            out["missing"].append(key)
        elif abs(got[key] - want) > 1e-6:
            out["wrong"].append((key, want, got[key]))
            if key[0] not in flagged:
                out["silent"].append((key, want, got[key]))
        else:
            out["exact"] += 1
    return out
