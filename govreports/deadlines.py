"""When a report was due: the Regulations' publication deadlines, declared once, as data.

Why a module of its own: "was the report published on time?" is asked every year by researchers
and by the disclosure offices themselves, and the answer depends on the kind of agency. The
Regulations on the Disclosure of Government Information (《中华人民共和国政府信息公开条例》)
set two dates since the 2019 revision (art. 49), and one date for every agency before it (2007
text, art. 31). A kind the Regulations give no date for (a township, a street office), or a
kind the name cannot tell, gets no deadline and a reason, never a guessed date.

>>> kind_of("沭阳县发展和改革局")
('department', '')
>>> kind_of("淮安市洪泽区人民政府")
('government', '')
>>> deadline_for("department", 2020)
Timestamp('2021-01-31 00:00:00')
>>> kind_of("七里坪镇人民政府")[0], deadline_for("township", 2020)
('township', None)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .agencies import level_of, split_name

REGULATIONS_2019 = "《中华人民共和国政府信息公开条例》（2019年修订）第四十九条"
REGULATIONS_2007 = "《中华人民共和国政府信息公开条例》（2007年）第三十一条"
FIRST_YEAR_OF_2019_RULES = 2019  # reports on 2019 and later are due under the 2019 revision


@dataclass(frozen=True)
class Deadline:
    """A publication deadline: reports on year N are due by ``month``/``day`` of year N + 1."""

    kind: str          # which agencies: "department", "government" or "any" (before 2019)
    zh: str            # the agencies as the Regulations name them
    month: int
    day: int
    first_year: int    # the first and last year reported on that this rule covers
    last_year: int | None
    article: str       # the article cited
    text: str          # what it says


DEADLINES: tuple[Deadline, ...] = (
    Deadline("department", "县级以上人民政府部门", 1, 31, FIRST_YEAR_OF_2019_RULES, None, REGULATIONS_2019,
             "县级以上人民政府部门应当在每年1月31日前向本级政府信息公开工作主管部门提交本行政机关上一年度"
             "政府信息公开工作年度报告并向社会公布。"),
    Deadline("government", "县级以上地方人民政府（由其政府信息公开工作主管部门公布）", 3, 31,
             FIRST_YEAR_OF_2019_RULES, None, REGULATIONS_2019,
             "县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级政府上一年度"
             "政府信息公开工作年度报告。"),
    Deadline("any", "各级行政机关", 3, 31, 2008, FIRST_YEAR_OF_2019_RULES - 1, REGULATIONS_2007,
             "各级行政机关应当在每年3月31日前公布本行政机关的政府信息公开工作年度报告。"),
)

# The kinds the name can tell; those without a deadline say why.
KINDS: dict[str, str] = {
    "department": "a department of a government at county level or above (县级以上人民政府部门)",
    "government": "a local government at county level or above: its own report (县级以上地方人民政府)",
    "township": "a township, town or street office (乡镇人民政府、街道办事处)",
    "government_office": "a government's general office (人民政府办公厅/办公室): its own report or the government's",
    "unknown": "the name does not say",
}
NO_DEADLINE: dict[str, str] = {
    "township": "art. 49 sets dates only for governments at county level and above and their departments; "
                "a township's or street office's date is set locally, if at all",
    "government_office": "a general office publishes its own report (a department: 31 January) and, as the "
                         "disclosure office, the government's (31 March); neither the name nor the title tells which",
    "unknown": "the kind of agency is unknown",
}

_OFFICE = re.compile(r"^(?:人民)?政府办公[厅室]$")
_PLACE_END = re.compile(r"(?:省|市|区|县|旗|州|盟|地区|特别行政区)$")


def kind_of(agency: str | None, level: str | None = None, title: str | None = None) -> tuple[str, str]:
    """Given an agency name (and its level and the report's title where known), return
    ``(kind, reason)``: one of :data:`KINDS`, and why where the kind is ``unknown``.

    A general office (人民政府办公厅/办公室) whose name the title prints publishes its own report
    there (a department); without a title naming it, it stays ``government_office``.

    >>> kind_of("上海市人民政府办公厅", title="上海市人民政府办公厅2019年政府信息公开工作年度报告")
    ('department', '')
    >>> kind_of("上海市人民政府办公厅")[0]
    'government_office'
    >>> kind_of("审计局")
    ('unknown', 'the name names no place, so not its level')
    """
    if not isinstance(agency, str) or not agency.strip():
        return "unknown", "no agency name"
    name = re.sub(r"\s+", "", agency)
    level = level if isinstance(level, str) and level else level_of(name)
    if level is None:
        return "unknown", "the name names no place, so not its level"
    if level == "township":
        return "township", ""
    place, dept = split_name(name)
    if level == "national":
        if dept == "" and place == "国务院":
            return "unknown", "the State Council's own report: art. 49 dates local governments and departments"
        return "department", ""
    if dept in ("", "人民政府", "政府"):
        if _PLACE_END.search(place):
            return "government", ""
        return "unknown", "neither a government nor a department by its name"
    if _OFFICE.match(dept):
        if isinstance(title, str) and dept in re.sub(r"\s+", "", title):
            return "department", ""
        return "government_office", ""
    return "department", ""


def rule_for(kind: str, year: int) -> Deadline | None:
    """Given a kind and the year reported on, return the :class:`Deadline` that applies, or None."""
    for d in DEADLINES:
        if year < d.first_year or (d.last_year is not None and year > d.last_year):
            continue
        if d.kind == "any" or d.kind == kind:
            return d
    return None


def deadline_for(kind: str, year) -> pd.Timestamp | None:
    """Given a kind and the year reported on, return the last day to publish, or None."""
    if year is None or pd.isna(year):
        return None
    d = rule_for(kind, int(year))
    return pd.Timestamp(int(year) + 1, d.month, d.day) if d else None


def why_no_deadline(kind: str, reason: str, year) -> str:
    """Given a kind without a deadline (and why the kind is unknown), return one sentence."""
    if year is None or pd.isna(year):
        return "the year reported on is unknown"
    if kind == "unknown":
        return f"the kind of agency is unknown: {reason}" if reason else NO_DEADLINE["unknown"]
    return NO_DEADLINE.get(kind, f"no deadline declared for {kind} reports on {int(year)}")
