"""The national report template, declared once, as data.

Every annual report since the 2019 revision of the Regulations prints the same three tables
(国办公开办函〔2019〕60号, revised for reports on 2021 and later by 国办公开办函〔2021〕30号).
This module names every cell of them with the stable keys of ``shared/SCHEMA.md`` and keeps,
beside each key, the label the template prints and the variants real reports print instead.

Everything else derives from these declarations: the reader matches printed labels against
``phrases``, the tidy frames take their keys and Chinese labels from here, the identities in
``IDENTITIES`` drive the checks, and ``docs_markdown()`` renders the documentation.

Label matching works on a *key form* of the text (see :func:`label_key`): Chinese characters,
letters and digits only, simplified, so that ``（三） 不 予 公 开`` and ``(三)不予公开`` are one.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

TEMPLATES = ("2019", "2021")
LAST_YEAR_OF_2019_TEMPLATE = 2020  # reports on 2019–2020 use the 2019 template, on 2021+ the 2021 one


def template_for_year(year: int) -> str:
    """The template reports on ``year`` are meant to use (a few agencies use the other one: the
    reader decides from the tables, this only serves where the tables do not say)."""
    return "2019" if year <= LAST_YEAR_OF_2019_TEMPLATE else "2021"
SEVERITIES = ("error", "warning", "info")
LEVELS = ("national", "provincial", "city", "county", "township")
FORMATS = ("text", "markdown", "html", "pdf", "docx", "spreadsheet", "pdf-ocr", "image")
# Where ReportMeta.published was read: the page's 发布时间, the date printed at the report's end,
# a fetch manifest's date.
PUBLISHED_SOURCES = ("page", "signature", "manifest")


# --------------------------------------------------------------------------- table 3: requests
@dataclass(frozen=True)
class Applicant:
    """A column of table 3: who asked."""

    key: str
    label: str
    phrases: tuple[str, ...]


APPLICANTS: tuple[Applicant, ...] = (
    Applicant("natural_person", "自然人", ("自然人",)),
    Applicant("commercial", "商业企业", ("商业企业",)),
    Applicant("research", "科研机构", ("科研机构",)),
    Applicant("social_org", "社会公益组织", ("社会公益组织", "社会组织")),
    Applicant("legal_service", "法律服务机构", ("法律服务机构",)),
    Applicant("other_org", "其他", ("其他",)),
    Applicant("total", "总计", ("总计",)),
)
APPLICANT_KEYS = tuple(a.key for a in APPLICANTS)
APPLICANT_PARTS = APPLICANT_KEYS[:-1]


@dataclass(frozen=True)
class RequestRow:
    """A row of table 3.

    ``phrases`` are distinctive parts of the printed label in key form; any one found in a
    printed cell identifies the row. ``templates`` lists the templates that print the row.
    """

    key: str
    label: str
    phrases: tuple[str, ...]
    templates: tuple[str, ...] = TEMPLATES
    group_label: str = ""

    @property
    def group(self) -> str:
        return self.key.split(".")[0]

    @property
    def is_outcome(self) -> bool:
        return self.key not in (RECEIVED_NEW, CARRIED_OVER, OUTCOME_TOTAL, CARRIED_FORWARD)


REQUEST_ROWS: tuple[RequestRow, ...] = (
    RequestRow("received_new", "一、本年新收政府信息公开申请数量", ("本年新收政府信息公开申请", "本年新收")),
    RequestRow("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转政府信息公开申请", "上年结转")),
    RequestRow("granted", "（一）予以公开", ("予以公开",), group_label="三、本年度办理结果"),
    RequestRow("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",)),
    RequestRow("denied.state_secret", "1.属于国家秘密", ("属于国家秘密", "国家秘密"), group_label="（三）不予公开"),
    RequestRow("denied.prohibited_by_law", "2.其他法律行政法规禁止公开", ("其他法律行政法规禁止公开", "法律行政法规禁止公开")),
    RequestRow("denied.security_stability", "3.危及“三安全一稳定”", ("危及三安全一稳定", "三安全一稳定")),
    RequestRow("denied.third_party", "4.保护第三方合法权益", ("保护第三方合法权益", "第三方合法权益")),
    RequestRow("denied.internal_affairs", "5.属于三类内部事务信息", ("属于三类内部事务信息", "三类内部事务")),
    RequestRow("denied.deliberative", "6.属于四类过程性信息", ("属于四类过程性信息", "四类过程性")),
    RequestRow("denied.enforcement_file", "7.属于行政执法案卷", ("属于行政执法案卷", "行政执法案卷")),
    RequestRow("denied.query_service", "8.属于行政查询事项", ("属于行政查询事项", "行政查询事项")),
    RequestRow("unavailable.not_held", "1.本机关不掌握相关政府信息", ("本机关不掌握相关政府信息", "不掌握相关政府信息"),
               group_label="（四）无法提供"),
    RequestRow("unavailable.needs_creation", "2.没有现成信息需要另行制作", ("没有现成信息需要另行制作", "需要另行制作")),
    RequestRow("unavailable.unclear", "3.补正后申请内容仍不明确", ("补正后申请内容仍不明确", "申请内容仍不明确")),
    RequestRow("not_processed.petition", "1.信访举报投诉类申请", ("信访举报投诉类申请", "信访举报投诉"),
               group_label="（五）不予处理"),
    RequestRow("not_processed.duplicate", "2.重复申请", ("重复申请",)),
    RequestRow("not_processed.publication", "3.要求提供公开出版物", ("要求提供公开出版物", "公开出版物")),
    RequestRow("not_processed.excessive", "4.无正当理由大量反复申请", ("无正当理由大量反复申请", "大量反复申请")),
    RequestRow("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息",
               ("要求行政机关确认或重新出具已获取信息", "确认或重新出具")),
    RequestRow("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
               ("申请人无正当理由逾期不补正", "逾期不补正"), templates=("2021",), group_label="（六）其他处理"),
    RequestRow("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
               ("申请人逾期未按收费通知要求缴纳费用", "收费通知", "缴纳费用"), templates=("2021",)),
    # 2019 template and some 2021-template reports: （六）其他处理 printed as one row.
    RequestRow("other.other", "（六）其他处理 / 3.其他", ("其他处理",)),
    RequestRow("outcome_total", "（七）总计", ("七总计",)),
    RequestRow("carried_forward", "四、结转下年度继续办理", ("结转下年度继续办理", "结转下年度")),
)
REQUEST_KEYS = tuple(r.key for r in REQUEST_ROWS)
ROW_BY_KEY = {r.key: r for r in REQUEST_ROWS}
REQUEST_GROUPS = ("denied", "unavailable", "not_processed", "other")
# the SCHEMA keys of the rows code names one by one (the other rows are named through their group)
RECEIVED_NEW = "received_new"
CARRIED_OVER = "carried_over"
OUTCOME_TOTAL = "outcome_total"
CARRIED_FORWARD = "carried_forward"
GRANTED = "granted"
PARTLY_GRANTED = "partly_granted"
OTHER_OTHER = "other.other"
OTHER_NO_CORRECTION = "other.no_correction"
OTHER_UNPAID_FEE = "other.unpaid_fee"
"""Row keys of table 3 that code names on its own (each is the SCHEMA key of its row in REQUEST_ROWS):
一、本年新收, 二、上年结转, （七）总计, 四、结转下年度, （一）予以公开, （二）部分公开, （六）其他处理 / 3.其他,
（六）1.逾期不补正, （六）2.逾期未缴费."""
assert {RECEIVED_NEW, CARRIED_OVER, OUTCOME_TOTAL, CARRIED_FORWARD, GRANTED, PARTLY_GRANTED, OTHER_OTHER,
        OTHER_NO_CORRECTION, OTHER_UNPAID_FEE} <= set(ROW_BY_KEY)
OUTCOME_KEYS = tuple(r.key for r in REQUEST_ROWS if r.is_outcome)

# Group labels printed in their own cell before the first row of a group (key form).
GROUP_PHRASES: dict[str, tuple[str, ...]] = {
    "outcomes": ("本年度办理结果",),
    "denied": ("三不予公开", "不予公开"),
    "unavailable": ("四无法提供", "无法提供"),
    "not_processed": ("五不予处理", "不予处理"),
    "other": ("六其他处理",),
}
# In the 2021 template （六）其他处理 is a group with three sub-rows; its third row is printed "3.其他".
OTHER_OTHER_SUBROW_KEY = "3其他"
OTHER_OTHER_SUBROW = re.compile(rf"^{OTHER_OTHER_SUBROW_KEY}$")
OUTCOME_TOTAL_BARE = "总计"
# （七）总计 in key form, also printed with its number after it
OUTCOME_TOTAL_FORMS = ("七总计", "总计七")
# words that begin a header or structural cell of table 3 or 4, never the rest of a row's label
STRUCTURAL_WORDS = ("第二十条", "信息内容", "申请人情况", "法人或其他组织", APPLICANTS[0].label, OUTCOME_TOTAL_BARE,
                    "行政复议", "行政诉讼")
# table 3's header and first row printed in one line (prose that restates the table never prints them)
TABLE3_HEADER_WORDS = ("申请人情况", APPLICANTS[0].label, "本年新收")


# --------------------------------------------------------------------------- table 2: disclosure
@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    phrases: tuple[str, ...]
    unit: str = "count"  # or "10k_yuan"
    may_be_negative: bool = False


@dataclass(frozen=True)
class DisclosureItem:
    key: str
    label: str
    phrases: tuple[str, ...]
    measures: tuple[Measure, ...]
    section: str  # 第二十条第（x）项
    sub_rows_sum: bool = False  # some agencies print sub-rows that sum into this item


_MEASURES_2019 = {
    "made": Measure("made", "本年新制作数量", ("新制作",)),
    "published": Measure("published", "本年新公开数量", ("新公开",)),
    "in_force_published": Measure("in_force_published", "对外公开总数量", ("对外公开总数",)),
    "items_prev_year": Measure("items_prev_year", "上一年项目数量", ("上一年项目数",)),
    "items_change": Measure("items_change", "本年增/减", ("本年增减", "增减"), may_be_negative=True),
    "decisions": Measure("decisions", "处理决定数量", ("处理决定数",)),
    "projects": Measure("projects", "采购项目数量", ("采购项目数",)),
    "amount_10k_yuan": Measure("amount_10k_yuan", "采购总金额", ("采购总金额", "采购预算总金额"), unit="10k_yuan"),
}
_MEASURES_2021 = {
    "issued": Measure("issued", "本年制发件数", ("制发件数", "制发")),
    "repealed": Measure("repealed", "本年废止件数", ("废止件数", "废止")),
    "in_force": Measure("in_force", "现行有效件数", ("现行有效件数", "现行有效")),
    "decisions": Measure("decisions", "本年处理决定数量", ("处理决定数",)),
    "amount_10k_yuan": Measure("amount_10k_yuan", "本年收费金额（单位：万元）", ("收费金额",), unit="10k_yuan"),
}
_LICENSING_2019 = (_MEASURES_2019["items_prev_year"], _MEASURES_2019["items_change"], _MEASURES_2019["decisions"])

DISCLOSURE_ITEMS: dict[str, tuple[DisclosureItem, ...]] = {
    "2019": (
        DisclosureItem("regulations", "规章", ("规章",), (_MEASURES_2019["made"], _MEASURES_2019["published"], _MEASURES_2019["in_force_published"]),
                       "第二十条第（一）项"),
        DisclosureItem("normative_docs", "规范性文件", ("规范性文件", "规范性档案"),
                       (_MEASURES_2019["made"], _MEASURES_2019["published"], _MEASURES_2019["in_force_published"]), "第二十条第（一）项"),
        DisclosureItem("licensing", "行政许可", ("行政许可",), _LICENSING_2019, "第二十条第（五）项"),
        DisclosureItem("other_services", "其他对外管理服务事项", ("其他对外管理服务事项", "对外管理服务事项"), _LICENSING_2019,
                       "第二十条第（五）项", sub_rows_sum=True),
        DisclosureItem("penalty", "行政处罚", ("行政处罚",), _LICENSING_2019, "第二十条第（六）项"),
        DisclosureItem("coercion", "行政强制", ("行政强制",), _LICENSING_2019, "第二十条第（六）项"),
        DisclosureItem("fees", "行政事业性收费", ("行政事业性收费",), (_MEASURES_2019["items_prev_year"], _MEASURES_2019["items_change"]),
                       "第二十条第（八）项"),
        DisclosureItem("procurement", "政府集中采购", ("政府集中采购",), (_MEASURES_2019["projects"], _MEASURES_2019["amount_10k_yuan"]),
                       "第二十条第（九）项"),
    ),
    "2021": (
        DisclosureItem("regulations", "规章", ("规章",), (_MEASURES_2021["issued"], _MEASURES_2021["repealed"], _MEASURES_2021["in_force"]),
                       "第二十条第（一）项"),
        DisclosureItem("normative_docs", "行政规范性文件", ("行政规范性文件", "规范性文件", "规范性档案"),
                       (_MEASURES_2021["issued"], _MEASURES_2021["repealed"], _MEASURES_2021["in_force"]), "第二十条第（一）项"),
        DisclosureItem("licensing", "行政许可", ("行政许可",), (_MEASURES_2021["decisions"],), "第二十条第（五）项"),
        DisclosureItem("penalty", "行政处罚", ("行政处罚",), (_MEASURES_2021["decisions"],), "第二十条第（六）项"),
        DisclosureItem("coercion", "行政强制", ("行政强制",), (_MEASURES_2021["decisions"],), "第二十条第（六）项"),
        DisclosureItem("fees", "行政事业性收费", ("行政事业性收费",), (_MEASURES_2021["amount_10k_yuan"],), "第二十条第（八）项"),
    ),
}
# A table-2 label naming 规范性文件 is never the 规章 item, even where it also says 规章.
NORMATIVE_DOCS_MARK = "规范性"
# Header words that tell the templates apart (SCHEMA.md: decided from table 2's shape).
TEMPLATE_MARKERS = {"2019": ("新制作", "新公开", "对外公开总数", "上一年项目数", "采购项目数"),
                    "2021": ("制发件数", "废止件数", "现行有效", "收费金额")}


# --------------------------------------------------------------------------- table 4: appeals
@dataclass(frozen=True)
class Proceeding:
    """A row (proceeding) or column (result) of table 4; ``phrases`` identify its printed label,
    most specific first (tables printed as labelled rows, or transposed, are read by label)."""

    key: str
    label: str
    phrases: tuple[str, ...] = ()


PROCEEDINGS = (
    Proceeding("review", "行政复议", ("行政复议",)),
    Proceeding("suit_direct", "行政诉讼 · 未经复议直接起诉", ("未经复议直接起诉", "直接起诉")),
    Proceeding("suit_after_review", "行政诉讼 · 复议后起诉", ("复议后起诉",)),
)
# '复议后起诉' and '行政诉讼（未经复议直接起诉）' also contain '复议': match the suits first
PROCEEDING_MATCH_ORDER = ("suit_direct", "suit_after_review", "review")
RESULTS = (
    Proceeding("upheld", "结果维持", ("结果维持", "维持")),
    Proceeding("corrected", "结果纠正", ("结果纠正", "纠正")),
    Proceeding("other", "其他结果", ("其他结果",)),
    Proceeding("pending", "尚未审结", ("尚未审结", "未审结")),
    Proceeding("total", "总计", ("总计", "合计")),
)
PROCEEDING_KEYS = tuple(p.key for p in PROCEEDINGS)
RESULT_KEYS = tuple(r.key for r in RESULTS)
# words of table 4's header (结果维持 … 复议后起诉): the results but 总计, and the two suits
APPEAL_HEADER_WORDS = tuple(r.phrases[0] for r in RESULTS if r.key != "total") + \
    tuple(p.phrases[0] for p in PROCEEDINGS if p.key != "review")
APPEAL_CELLS = tuple((p, r) for p in PROCEEDING_KEYS for r in RESULT_KEYS)


# --------------------------------------------------------------------------- sections
@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    pattern: re.Pattern  # matched against the key form of a short line


SECTIONS = (
    Section("overview", "一、总体情况", re.compile(r"^(?:一|1)?总体情况")),
    Section("disclosure", "二、主动公开政府信息情况", re.compile(r"^(?:二|2)?(?:行政机关)?主动公开政府信息(?:情况)?$")),
    Section("requests", "三、收到和处理政府信息公开申请情况",
            re.compile(r"^(?:三|3)?(?:行政机关)?收到和处理政府信息公开申请(?:情况)?$")),
    Section("appeals", "四、政府信息公开行政复议、行政诉讼情况",
            re.compile(r"^(?:四|4)?.{0,16}行政复议.{0,3}行政诉讼(?:的)?(?:情况)?$")),
    Section("problems", "五、存在的主要问题及改进情况",
            re.compile(r"^(?:五|5)?.{0,12}(?:存在的?主要问题|存在问题).{0,12}$")),
    Section("other", "六、其他需要报告的事项", re.compile(r"^(?:六|6)?其他需要报告的?事项$")),
)


# --------------------------------------------------------------------------- identities
@dataclass(frozen=True)
class Identity:
    """One arithmetic identity the template prints (勾稽关系), checked on printed values.

    ``total`` must equal the sum of ``parts`` (each part a row key, a group such as
    ``denied.*``, or for per-row checks an applicant key). ``scope`` says what it ranges over.
    """

    id: str
    table: str
    description: str
    scope: str  # "per_applicant", "per_row", "per_proceeding"
    total: tuple[str, ...]
    parts: tuple[str, ...]


IDENTITIES = (
    Identity("row_total", "requests", "每行：总计 = 各类申请人之和 (a row's total equals the sum of its six applicant columns)",
             "per_row", ("total",), APPLICANT_PARTS),
    Identity("balance", "requests",
             "第一项加第二项之和，等于第三项加第四项之和 (received_new + carried_over = outcome_total + carried_forward)",
             "per_applicant", ("outcome_total", "carried_forward"), ("received_new", "carried_over")),
    Identity("outcome_total", "requests", "（七）总计 = 各办理结果之和 (outcome_total equals the sum of the outcome rows)",
             "per_applicant", ("outcome_total",), OUTCOME_KEYS),
    Identity("appeals_total", "appeals", "总计 = 维持 + 纠正 + 其他 + 尚未审结 (each proceeding's total equals its four results)",
             "per_proceeding", ("total",), RESULT_KEYS[:-1]),
)


# --------------------------------------------------------------------------- text forms
_KEEP = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")


def label_key(text: str) -> str:
    """Given printed text, return its key form: NFKC, only CJK, letters and digits.

    >>> label_key("（三） 不 予 公 开")
    '三不予公开'
    """
    return _KEEP.sub("", unicodedata.normalize("NFKC", text))


def docs_markdown() -> str:
    """Render the template (keys beside printed labels) and its identities as markdown."""
    out = ["### Table 3 (`requests`) rows", "", "| key | printed | templates |", "|---|---|---|"]
    out += [f"| `{r.key}` | {r.label} | {', '.join(r.templates)} |" for r in REQUEST_ROWS]
    out += ["", "### Table 3 columns", "", "| key | printed |", "|---|---|"]
    out += [f"| `{a.key}` | {a.label} |" for a in APPLICANTS]
    for t, items in DISCLOSURE_ITEMS.items():
        out += ["", f"### Table 2 (`disclosure`), {t} template", "", "| item | printed | measures |", "|---|---|---|"]
        out += [f"| `{i.key}` | {i.label} | " + ", ".join(f"`{m.key}` ({m.label})" for m in i.measures) + " |"
                for i in items]
    out += ["", "### Table 4 (`appeals`)", "", "proceedings: " + ", ".join(f"`{p.key}` ({p.label})" for p in PROCEEDINGS),
            "", "results: " + ", ".join(f"`{r.key}` ({r.label})" for r in RESULTS)]
    out += ["", "### Reports before the template (2008–2018): `legacy` and the modern cells they fill", "",
            "| key | printed (statistics table) | meaning | goes to |", "|---|---|---|---|"]
    out += [f"| `{f.key}` | {f.label} | {f.meaning}{' (元)' if f.unit == 'yuan' else ''} | "
            f"{'`' + '.'.join(f.target) + '`' if f.target else '`legacy`'} |" for f in LEGACY_FIGURES]
    for name, secs in (("modern", SECTIONS), ("pre-2019", PRE2019_SECTIONS)):
        out += ["", f"### Sections ({name}): `Report.sections`", "",
                ", ".join(f"`{s.key}` ({s.heading})" for s in secs) + "; text before the first heading: `preamble`"]
    return "\n".join(out) + "\n"


# =========================================================================== checks (issue 4)
# Every finding govreports emits is declared here, once: its stable id, the table it is about,
# its severity, and what it means in Chinese and English. The code that emits a finding names
# one of these ids (a test asserts it), and docs/checks.md is generated from this list
# (``govreports.docs.checks_markdown``), so the list, its documentation and its code cannot
# drift apart. ``by`` says which module emits it.
@dataclass(frozen=True)
class Check:
    """One declared check: a finding's ``check`` column is one of these ids."""

    id: str
    table: str        # requests, appeals, disclosure, text, meta, corpus; '*': the table concerned
    severity: str     # error, warning, info (the usual severity; see SCHEMA.md 'Findings')
    zh: str
    en: str
    by: str           # the module that emits it: readers, parse, report, checks, corpus, ocr


FINDING_TABLES = ("requests", "appeals", "disclosure", "text", "meta", "corpus", "legacy")


def _from_identity(ident: Identity) -> Check:
    """Given an identity, return its check (its description is 'zh (en)')."""
    zh, _, en = ident.description.partition(" (")
    return Check(ident.id, ident.table, "error", zh, en.rstrip(")"), "checks")


CHECKS: tuple[Check, ...] = (
    # --- the template's identities (IDENTITIES above): printed numbers contradict each other
    *(_from_identity(i) for i in IDENTITIES),
    # --- values that cannot be right
    Check("requests_count", "requests", "error", "申请数量应为非负整数",
          "a table-3 cell holds a negative or fractional count", "checks"),
    Check("appeals_count", "appeals", "error", "复议、诉讼数量应为非负整数",
          "a table-4 cell holds a negative or fractional count", "checks"),
    Check("disclosure_count", "disclosure", "error", "主动公开数量应为非负整数（本年增/减可为负）",
          "a table-2 count is negative or fractional (本年增/减 items_change may be negative), "
          "or an amount is negative", "checks"),
    Check("money_unit", "disclosure", "warning", "金额按万元读取明显过大，可能实为元",
          "an amount read in 万元 (the template's unit) is implausibly large for the agency's level; "
          "the message gives both readings (万元 and 元)", "checks"),
    # --- prose against tables
    Check("text_table", "text", "warning", "正文所述数字与表格不一致",
          "the prose restates a table figure (共收到申请X件, 办结Y件, 予以公开X件, 行政复议Z起 ...) "
          "with a different number", "checks"),
    # --- meta
    Check("template_year", "meta", "warning", "报告年度与表格模板不符",
          "the table template does not fit the year reported on (a 2021-template table in a report "
          "on 2020 or earlier, or a 2019-template table on 2021 or later)", "checks"),
    Check("agency_unknown", "meta", "warning", "未印出机关名称", "the report prints no agency name", "report"),
    Check("agency_partial", "meta", "info", "机关名称可能不完整",
          "the agency name was read from the text, not a title or signature; it may be partial", "report"),
    Check("year_unknown", "meta", "warning", "未印出报告年度", "the report prints no year it reports on", "report"),
    Check("pages_skipped", "meta", "warning", "页数过多，仅读取前若干页",
          "the PDF has more pages than a report can have (a compilation of reports?): only the first "
          "pages were read (govreports.limits.Limits.pdf_pages, GOVREPORTS_PDF_PAGES)", "report"),
    Check("template_from_year", "meta", "info", "按年度推定模板",
          "table 2's shape is not printed; the template is assumed from the year", "parse"),
    Check("missing_table", "*", "warning", "缺少表格", "one of tables 2, 3, 4 is not printed or not found "
          "(the finding's table names which)", "parse"),
    Check("missing_rows", "requests", "warning", "表三缺少行", "template rows of table 3 were not read", "parse"),
    Check("truncated", "*", "warning", "报告不完整",
          "the text ends inside a table: the report is cut short (the finding's table names where)", "parse"),
    # --- reading
    Check("placed_by_order", "requests", "warning", "按模板顺序放置",
          "a row printed without its label was placed by template order", "parse"),
    Check("values_above_label", "requests", "warning", "数值印在标签上一行",
          "a text layer printed a row's seven values on the line above its label (centred in a tall row): "
          "read as that row's", "parse"),
    Check("group_subtotal", "requests", "info", "分组小计行",
          "（六）其他处理 printed with values of its own above its three sub-rows: a subtotal, not other.other",
          "parse"),
    Check("blank_row_inferred", "requests", "warning", "推定为空白行",
          "a row label printed alone where the rows around it print their values on their own line "
          "(a text layer's printing of a blank row): read as seven blank cells", "parse"),
    Check("label_inexact", "requests", "warning", "标签不完全匹配", "a printed label matched a template row inexactly",
          "parse"),
    Check("unlabelled_row", "requests", "warning", "无标签行", "a row of values with no label could not be placed",
          "parse"),
    Check("duplicate_row", "requests", "warning", "重复行", "a template row is printed twice", "parse"),
    Check("columns_ambiguous", "*", "warning", "列数不符",
          "a row prints a number of values that does not fit the columns; left missing "
          "(table 3 or table 2: the finding's table names which)", "parse"),
    Check("non_template_row", "disclosure", "info", "非模板行", "table 2 prints a row the template does not have",
          "parse"),
    Check("unit_assumed", "disclosure", "info", "未注明单位，按万元读取",
          "an amount printed without a unit is read as 万元, the template's unit", "parse"),
    Check("printed_blank", "*", "info", "表格印出但无数字",
          "a table is printed with its header but no numbers: every cell blank (0)", "parse"),
    Check("appeals_unreadable", "appeals", "warning", "表四数字个数不符",
          "table 4 prints a number of values other than 15; left missing", "parse"),
    # --- reports before the template (2008–2018)
    Check("legacy_balance", "legacy", "warning", "答复数与申请数不符",
          "a pre-2019 report's answers do not account for its requests (no carried-forward existed then): "
          "the answers by kind do not sum to the answers, or the answers differ from the requests", "legacy"),
    Check("legacy_cumulative", "legacy", "warning", "本年度数与历年累计数无法分开",
          "a statistics-table row prints the year's figure glued to the running total since 2008 and more "
          "than one split fits; left missing", "legacy"),
    # --- OCR (scanned PDFs, images)
    Check("ocr_doubt", "*", "warning", "OCR识别存疑",
          "a number read by OCR that the identities cannot vouch for: ink in a cell but nothing legible, "
          "or a low-confidence reading in a failing identity (left missing), or one no identity covers "
          "(kept); the message gives what OCR read and its confidence, location the cell's box", "ocr"),
    Check("table_as_image", "*", "warning", "表格为图片",
          "a page prints a table as an image that is not available locally (only linked): its numbers "
          "are missing; the message names the image URL", "ocr"),
    # --- across reports (corpus)
    Check("carry_over", "corpus", "error", "上年结转数与上一年度报告的结转下年度数不一致",
          "carried_forward of year N (one report) differs from carried_over of year N+1 (the same "
          "agency's next report); a warning where the agencies were linked by a guess", "corpus"),
    Check("year_duplicate", "corpus", "warning", "同一机关同一年度有两份不同报告",
          "one agency has two different reports on the same year (a year printed twice, or a report "
          "filed under the wrong year)", "corpus"),
    Check("year_misfiled", "corpus", "warning", "文件名年度与报告年度不符",
          "the year in the file's name is neither the year reported on nor the year after it", "corpus"),
    Check("year_gap", "corpus", "info", "缺少中间年度的报告",
          "an agency has reports on years N-1 and N+1 but none on N: the carry-over pair cannot be "
          "checked", "corpus"),
    Check("unreadable", "meta", "warning", "文件无法读取", "a file could not be read as a report", "corpus"),
    # --- printings of real archives (issue 11)
    Check("bad_bytes", "*", "warning", "个别字节无法解码",
          "a few bytes (at most 0.1% of the file: a stray byte, NUL bytes inside text) are not valid in the "
          "file's encoding; read as U+FFFD, their byte offsets in the message (the finding's table names "
          "where they fall)", "readers"),
    Check("duplicate_copy", "*", "info", "报告重复印出",
          "the page prints the report twice (a print copy, a mirror): one copy is read; a warning when the "
          "two copies differ (the first is read)", "parse"),
    Check("labels_aligned", "requests", "warning", "行标签与数值分离，按模板顺序对齐",
          "row labels printed apart from their values (loose wrapped text before a run of unlabelled rows, as "
          "PDF-to-markdown tools print them) were aligned with the rows in template order; kept only where every "
          "identity holds", "parse"),
    # --- crawler text: cells glued into runs of digits (govreports.split)
    Check("split_by_identity", "*", "info", "连写数字按勾稽关系拆分",
          "a row (or table 4) printed as one run of glued digits was cut into its cells: the only cut that "
          "satisfies every identity (row totals, outcome rows = （七）总计 and the balance per column, each "
          "proceeding's total)", "parse"),
    Check("split_ambiguous", "*", "warning", "连写数字无法唯一拆分",
          "a run of glued digits can be cut into its cells in several ways that satisfy every identity, or "
          "in none (table 2's runs have no identity): left missing; the message names the candidates", "parse"),
)
CHECK_BY_ID = {c.id: c for c in CHECKS}
# =========================================================================== end of checks


# =========================================================================== before the template (2008–2018)
# Reports on 2008–2018 print no national table. They state figures in prose and, in many
# provinces, in the agency's own statistics table (指标名称 | 计量单位 | YYYY年度 | 历年累计).
# Where a figure means what a modern cell means it goes there (the ``total`` column only: the
# applicant columns are missing, not 0); every other figure goes to ``Report.legacy`` under one
# of these keys. ``row`` matches the key form of a statistics-table label (ordinals and 其中
# stripped); ``prose`` are patterns over the prose (NFKC, no whitespace) whose group ``n`` is the
# number, or which state a zero in words (no group: the figure is 0).
PRE2019 = "pre2019"
SCOPES = ("agency", "aggregate")
LAST_PRE_TEMPLATE_YEAR = 2018


@dataclass(frozen=True)
class LegacyFigure:
    """One figure a pre-2019 report states: where it lands and how it is printed."""

    key: str                       # the legacy key, also used in findings
    label: str                     # the usual label of its statistics-table row
    meaning: str
    target: tuple[str, str, str] | None  # (table, key, column) of the modern cell, or None: Report.legacy
    unit: str = "count"            # count | yuan
    row: re.Pattern | None = None
    prose: tuple[str, ...] = ()


_ASKED = r"(?:政府信息公开|信息公开|公开政府信息|依申请公开|公开信息)"
_NUM = r"(?P<n>\d+)"
_UNIT = r"(?:条|件|份|次|宗|个)"
LEGACY_FIGURES: tuple[LegacyFigure, ...] = (
    LegacyFigure("received", "受理依申请公开信息总数", "requests received in the year",
                 ("requests", "received_new", "total"),
                 row=re.compile(r"^(?:受理|收到)(?:依申请公开|政府信息公开|信息公开)?(?:信息)?(?:的)?申请(?:总数|数)?$"
                                r"|^受理依申请公开(?:信息|政府信息)?(?:总数|数)$|^依申请公开申请(?:总数|数)$"),
                 prose=(r"(?:收到|接到|受理)(?:了)?(?:有关|涉及)?(?:群众|公民|社会公众|申请人)?[^。；，]{0,12}?" + _ASKED
                        + r"[^。；，]{0,8}?申请(?:共计|共|总计|合计)?" + _NUM + _UNIT,
                        r"(?:收到|接到|受理)(?:了)?(?:各类)?" + _NUM + _UNIT + r"[^。；，]{0,10}?" + _ASKED + r"[^。；，]{0,8}?申请",
                        r"(?:没有|未|尚未|无)(?:接到|收到|受理|发生)(?:过)?[^。；，]{0,24}?(?:公开|政府信息)[^。；，]{0,12}?申请")),
    LegacyFigure("answered", "对申请的答复总数", "requests answered in the year", ("requests", "outcome_total", "total"),
                 row=re.compile(r"^对申请的?答复(?:总数|数)$|^(?:申请)?答复总数$|^已答复(?:申请)?数$"),
                 prose=(r"对(?:申请|上述申请)?的?答复(?:总数)?(?:共计|共)?" + _NUM + _UNIT,)),
    LegacyFigure("granted", "同意公开答复数", "answered by granting the information", ("requests", "granted", "total"),
                 row=re.compile(r"^同意公开(?:答复)?数$"),
                 prose=(r"(?<!部分)同意公开(?:答复)?(?:数)?(?:的)?(?:共计|共)?" + _NUM + _UNIT,)),
    LegacyFigure("partly_granted", "同意部分公开答复数", "answered by granting part", ("requests", "partly_granted", "total"),
                 row=re.compile(r"^(?:同意)?部分公开(?:答复)?数$"),
                 prose=(r"同意部分公开(?:答复)?(?:数)?(?:的)?(?:共计|共)?" + _NUM + _UNIT,)),
    LegacyFigure("refused_all", "不予公开答复数",
                 "every kind of refusal in one figure (not the modern denied.*: it also holds what 2019 calls "
                 "unavailable or not processed)", None,
                 row=re.compile(r"^(?:不予公开|否决公开|不同意公开)(?:答复)?数$"),
                 prose=(r"(?:否决公开|不予公开|不同意公开)(?:答复)?(?:数)?(?:的)?(?:共计|共)?" + _NUM + _UNIT,)),
    LegacyFigure("other_answers", "其他类型答复数", "answers of any other kind", None,
                 row=re.compile(r"^(?:其他|其它)(?:类型)?(?:答复|公开)(?:数)?$"),
                 prose=(r"(?:其他|其它)(?:类型)?(?:答复|公开)(?:数)?(?:共计|共)?" + _NUM + _UNIT,)),
    LegacyFigure("review", "行政复议数", "administrative reviews about disclosure", ("appeals", "review", "total"),
                 row=re.compile(r"^(?:政府信息公开)?(?:申请)?行政复议(?:案件)?(?:数|件数)$"),
                 prose=(r"行政复议(?:案件|申请)?(?:共计|共)?" + _NUM + r"(?:件|起|宗|次)",
                        r"(?:没有|未|尚未|无)(?:收到|接到|发生|出现|提起)(?:过)?[^。；]{0,30}?行政复议")),
    LegacyFigure("suits_total", "行政诉讼数", "lawsuits about disclosure (not split into direct and after review)", None,
                 row=re.compile(r"^(?:政府信息公开)?行政诉讼(?:案件)?(?:数|件数)$"),
                 prose=(r"(?<!接受)行政诉讼(?:案件)?(?:共计|共)?" + _NUM + r"(?:件|起|宗|次)",
                        r"(?:没有|未|尚未|无)(?:收到|接到|发生|出现|提起)(?:过)?[^。；]{0,40}?行政诉讼")),
    LegacyFigure("complaints", "行政申诉数", "complaints (申诉) about disclosure", None,
                 row=re.compile(r"^(?:行政)?申诉(?:案件)?(?:数|件数)$"),
                 prose=(r"申诉(?:案件)?(?:共计|共)?" + _NUM + r"(?:件|起|宗|次)",
                        r"(?:没有|未|尚未|无)(?:收到|接到|发生|出现|提起)(?:过)?[^。；]{0,50}?申诉")),
    LegacyFigure("fees_yuan", "政府信息公开收费减免金额", "fees charged for disclosure, in yuan", None, unit="yuan",
                 row=re.compile(r"^(?:政府信息公开)?(?:依申请公开)?收费(?:及)?(?:减免)?(?:金额|总额|数额)?$"
                                r"|^(?:政府信息公开)?收(?:取)?费用?(?:金额|总额)?$"),
                 prose=(r"收(?:取)?(?:了)?[^。；，,]{0,10}?(?:费用|费)(?:共计|共|合计)?(?P<n>\d+(?:\.\d+)?)元",
                        r"(?:暂不|没有|未|不|尚未|均未|免于|免予|无)(?:收取|收)(?:任何)?(?:费用|费)")),
    LegacyFigure("channel_in_person", "当面申请数", "requests made in person", None, row=re.compile(r"^当面申请数$")),
    LegacyFigure("channel_online", "网上申请数", "requests made online", None, row=re.compile(r"^(?:网上|网络|在线)申请数$")),
    LegacyFigure("channel_letter_fax", "信函、传真申请数", "requests by letter or fax (one figure)", None,
                 row=re.compile(r"^信函传真申请数$")),
    LegacyFigure("channel_letter", "信函申请数", "requests by letter", None, row=re.compile(r"^信函申请数$")),
    LegacyFigure("channel_fax", "传真申请数", "requests by fax", None, row=re.compile(r"^传真申请数$")),
    LegacyFigure("channel_email", "电子邮件申请数", "requests by e-mail", None, row=re.compile(r"^电子邮件申请数$")),
    LegacyFigure("channel_other", "其他形式申请数", "requests by other channels", None,
                 row=re.compile(r"^其他(?:形式|方式)申请数$")),
)
LEGACY_BY_KEY = {f.key: f for f in LEGACY_FIGURES}
LEGACY_KEYS = tuple(f.key for f in LEGACY_FIGURES if f.target is None)
# Printed near a request count but never a disclosure request (licensing, consultations, documents
# classed by kind, an agency's own spending): a prose figure whose span holds one is not read.
LEGACY_NOT_REQUESTS = re.compile(r"审批|行政服务中心|服务中心|窗口|许可|人次|咨询|来电|来访|信访|万元|经费|支出")
# The statistics table: its header, its units, and the column of running totals since 2008.
LEGACY_TABLE_HEADER = re.compile(r"指标名称")
LEGACY_CUMULATIVE = re.compile(r"历年累计|累计")
LEGACY_UNITS = ("万元", "人次", "条", "件", "元", "个", "次", "项", "份")
# Whole-region reports add up their agencies' figures (SCHEMA: meta.scope = aggregate).
SCOPE_AGGREGATE = re.compile(r"全(?:省|市|区|县|州|盟|旗)[^。]{0,60}?(?:各部门|各乡镇|各乡\(镇\)|各街道|各单位|区直|县直|市直|"
                             r"省直|各级)|(?:各部门|各乡镇|区直各|县直各|市直各)[^。]{0,40}?全(?:省|市|区|县)")

# Sections of a pre-2019 report (the same keys as the modern ones where they mean the same).
PRE2019_SECTIONS = (
    Section("overview", "一、概述", re.compile(r"^(?:[一二三四五六七八九十]|\d)?(?:概述|概况|总体情况|基本情况)$")),
    Section("disclosure", "二、主动公开政府信息情况",
            re.compile(r"^(?:[一二三四五六七八九十]|\d)?(?:政府信息)?(?:主动)?公开(?:政府信息)?(?:的)?(?:工作)?(?:情况)?$")),
    Section("requests", "三、政府信息依申请公开情况",
            re.compile(r"^(?:[一二三四五六七八九十]|\d)?(?:政府信息)?依申请公开(?:政府信息)?(?:工作)?(?:的)?(?:办理)?(?:情况)?$")),
    Section("fees", "四、政府信息公开的收费及减免情况",
            re.compile(r"^(?:[一二三四五六七八九十]|\d)?.{0,10}收费(?:及|和|与)?(?:减免)?(?:的)?(?:情况)?$")),
    Section("appeals", "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
            re.compile(r"^(?:[一二三四五六七八九十]|\d)?.{0,16}(?:行政复议|复议).{0,12}(?:情况)$")),
    Section("problems", "六、主要问题和改进措施",
            re.compile(r"^(?:[一二三四五六七八九十]|\d)?.{0,12}(?:存在的?)?(?:主要)?问题(?:和|及|与)?(?:改进|今后|下一步)"
                       r"(?:的)?(?:措施|工作|打算|方向|计划|情况|思路)?$")),
    Section("other", "七、其他需要报告的事项", re.compile(r"^(?:[一二三四五六七八九十]|\d)?其他需要报告的?事项$")),
    Section("statistics", "统计表", re.compile(r"^(?:[一二三四五六七八九十]|\d)?.{0,24}统计表$")),
)

# =========================================================================== prose figures
# What the prose restates of the tables (共收到申请X件, 办结Y件 ...), checked by ``checks.check_prose``
# (``text_table``). Patterns are matched against the prose with whitespace removed (NFKC).
@dataclass(frozen=True)
class ProseFigure:
    """A table figure the prose often restates, and how the prose says it.

    ``patterns`` are matched against the prose with whitespace removed (NFKC); group 1 is the
    number. The figure is the sum over ``rows`` (table-3 rows, or for ``appeals`` proceedings'
    totals); the prose agrees when it equals any of the figure's readings (see
    :func:`_readings`), so a restatement only becomes a finding when no reading fits.
    """

    key: str
    label: str
    table: str  # requests | appeals
    rows: tuple[str, ...]
    patterns: tuple[str, ...]
    also: tuple[tuple[str, ...], ...] = ()  # other row sets the prose may mean by it


def _group(g: str) -> tuple[str, ...]:
    return tuple(k for k in REQUEST_KEYS if k.startswith(g + "."))


_N = r"(\d+(?:\.\d+)?)"
_SEP = r"[^。;；,，\d]{0,12}?"
# Between 受理/办理/办结 and the number: words that say what was received or handled, never an
# outcome, a part of the figure, or another figure (其中予以公开3件 is not the total).
_GAP = r"(?:(?!予以|部分|不予|无法|其他处理|结转|复议|诉讼|其中|结果|答复|期限|工作日|平均)[^。;；,，\d]){0,24}?"
# 办理…件 names a disclosure request only with 申请 and none of the words of licensing or casework
# (seed 003: 已办理行政许可类事项共计33件 is not a figure of table 3)
_GAP_REQUEST = (r"(?:(?!许可|审批|事项|案件|业务|服务|予以|部分|不予|无法|其他处理|结转|复议|诉讼|其中|结果|答复|期限|工作日|平均)"
                r"[^。;；,，\d]){0,24}?")
PROSE_FIGURES: tuple[ProseFigure, ...] = (
    ProseFigure("received_new", "共收到申请", "requests", ("received_new",), (
        r"(?:收到|受理|接收|新收)(?:各类|公民、法人或其他组织(?:提出的)?)?(?:政府信息公开|依申请公开|公开政府信息|信息公开)?"
        r"(?:的)?申请(?:件)?(?:共计|总计|共)?" + _N + "件",
        r"(?:收到|受理)依申请公开(?:件|申请)?(?:共计|共)?" + _N + "件",
        r"受理" + _GAP + r"(?:共计|总计|共)?" + _N + "件"),
        also=(("received_new", "carried_over"),)),
    ProseFigure("outcome_total", "办结/答复", "requests", ("outcome_total",), (
        r"(?:办结|答复|办理完结|处理完毕)(?:了)?(?:政府信息公开|依申请公开|信息公开)?(?:申请)?(?:共计|共)?" + _N + "件",
        r"办结" + _GAP + r"(?:共计|共)?" + _N + "件"),
        also=(OUTCOME_KEYS,)),
    # 共办理政府信息公开申请X件: what was handled, said of the year's requests or of their outcomes
    ProseFigure("handled", "办理申请", "requests", ("outcome_total",), (
        r"办理(?!完结|结果)" + _GAP_REQUEST + r"申请(?:共计|共)?" + _N + "件",),
        also=(("received_new", "carried_over"), ("received_new",), OUTCOME_KEYS)),
    ProseFigure("carried_over", "上年结转", "requests", ("carried_over",), (
        r"(?:上年度?|上一年度?)结转(?:的)?(?:政府信息公开)?(?:申请)?" + _N + "件",)),
    ProseFigure("carried_forward", "结转下年度", "requests", ("carried_forward",), (
        _N + r"件(?:申请)?" + _SEP + r"(?:顺延|结转|转入|延续)(?:到|至)?下一?年度?",)),
    ProseFigure("granted+partly_granted", "予以公开及部分公开", "requests", ("granted", "partly_granted"), (
        r"予以公开(?:及|和|、|与)部分公开(?:的)?(?:共)?" + _N + "件",)),
    ProseFigure("granted", "予以公开", "requests", ("granted",), (r"予以公开(?:的)?" + _N + "件",)),
    ProseFigure("partly_granted", "部分公开", "requests", ("partly_granted",), (r"(?<![及和、与])部分公开(?:的)?" + _N + "件",)),
    ProseFigure("denied", "不予公开", "requests", _group("denied"), (r"不予公开(?:的)?" + _N + "件",)),
    ProseFigure("unavailable", "无法提供", "requests", _group("unavailable"), (r"无法提供(?:的)?" + _N + "件",)),
    ProseFigure("not_processed", "不予处理", "requests", _group("not_processed"), (r"不予处理(?:的)?" + _N + "件",)),
    ProseFigure("other", "其他处理", "requests", _group("other"), (r"其他处理(?:的)?" + _N + "件",)),
    ProseFigure("review", "行政复议", "appeals", ("review",), (
        r"行政复议(?:案件|申请)?(?:共计|共)?" + _N + "(?:件|起|宗)",)),
    ProseFigure("suit", "行政诉讼", "appeals", ("suit_direct", "suit_after_review"), (
        r"诉讼(?:案件)?(?:共计|共)?" + _N + "(?:件|起|宗)",)),
)


# =========================================================================== indicators (统计指标)
# The measures analyses, plots, widgets and releases compute, each declared once: its labels and
# the per-report figures whose sum is its numerator and which figure is its denominator.
# A figure is a row key of table 3 (its figure: the printed total, or the sum of the applicant
# cells where the total is blank), a group of rows (``REQUEST_GROUPS``: the sum of its rows),
# ``HANDLED`` (the sum of the outcome rows, not the printed （七）总计), a figure of table 4
# (``REVIEWS``: 行政复议 total; ``SUITS``: both 行政诉讼 totals; ``*_CORRECTED``: their 纠正 cells;
# ``CONCLUDED``: 维持 + 纠正 + 其他 of both), of reports before 2019 (``REFUSED_ALL``,
# ``ANSWERED``) or of their publication dates (``ON_TIME``, ``TIMED``).
HANDLED = "handled"
REVIEWS, SUITS = "reviews", "suits"
REVIEWS_CORRECTED, SUITS_CORRECTED, CONCLUDED = "reviews_corrected", "suits_corrected", "concluded"
REFUSED_ALL, ANSWERED = "refused_all", "answered"
ON_TIME, TIMED = "on_time", "timed"
DENIED, UNAVAILABLE, NOT_PROCESSED = REQUEST_GROUPS[:3]


@dataclass(frozen=True)
class Indicator:
    """An indicator (统计指标): ``value = sum(numerator figures) / denominator figure * scale``, or
    a count where ``denominator`` is None. ``pre2019`` says whether reports before the national
    template (2008–2018) state it with the same meaning. (:class:`Measure` is something else: a
    column of table 2.)"""

    zh: str
    en: str
    numerator: tuple[str, ...]
    denominator: str | None
    scale: float = 1.0
    pre2019: bool = False

    @property
    def label(self) -> str:
        return f"{self.zh} ({self.en})"


INDICATORS: dict[str, Indicator] = {
    "refused_share": Indicator("不予公开占比", "share refused (denied / handled)", (DENIED,), HANDLED),
    "unanswerable_share": Indicator("无法提供占比", "share unanswerable (unavailable / handled)", (UNAVAILABLE,),
                                    HANDLED),
    "refused_or_unanswerable_share": Indicator("不予公开或无法提供占比", "share refused or unanswerable",
                                               (DENIED, UNAVAILABLE), HANDLED),
    "granted_share": Indicator("予以公开占比", "share granted (granted / handled)", (GRANTED,), HANDLED),
    "partly_granted_share": Indicator("部分公开占比", "share partly granted", (PARTLY_GRANTED,), HANDLED),
    "not_processed_share": Indicator("不予处理占比", "share not processed", (NOT_PROCESSED,), HANDLED),
    "received": Indicator("本年新收申请数", "requests received", (RECEIVED_NEW,), None, pre2019=True),
    "granted": Indicator("予以公开数", "requests granted", (GRANTED,), None, pre2019=True),
    "refused_all_share": Indicator("否决公开占比（2019年前）", "share refused, every kind of refusal (before 2019: "
                                   "refused_all / answered)", (REFUSED_ALL,), ANSWERED, pre2019=True),
    "handled": Indicator("本年办理数", "requests handled", (HANDLED,), None),
    "carried_forward": Indicator("结转下年度数", "requests carried forward", (CARRIED_FORWARD,), None),
    "reviews": Indicator("行政复议数", "administrative reviews", (REVIEWS,), None, pre2019=True),
    "suits": Indicator("行政诉讼数", "lawsuits", (SUITS,), None, pre2019=True),
    "reviews_per_100": Indicator("每百件申请行政复议数", "reviews per 100 handled requests", (REVIEWS,), HANDLED, 100.0),
    "suits_per_100": Indicator("每百件申请行政诉讼数", "suits per 100 handled requests", (SUITS,), HANDLED, 100.0),
    "corrected_share": Indicator("纠正率", "share corrected of concluded reviews and suits",
                                 (REVIEWS_CORRECTED, SUITS_CORRECTED), CONCLUDED),
    "on_time_share": Indicator("按时公开占比", "share published on time (reports with a date and a deadline)",
                               (ON_TIME,), TIMED, pre2019=True),
}
