"""The template is declared once (govreports/template.py): no printed label of the template and no
row key of table 3 is written as a string literal elsewhere in the package, except in the modules
that are declarations themselves and in the allow-list below, which is the to-do list (each entry
says why it is still there). A stale allow-list entry fails too, so the list only shrinks."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from govreports import template

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "govreports"

# Modules that are declarations: the template itself; the renderer, whose printing templates print
# the labels and fill the rows by key (it is the one way gold values become printings); docs.py,
# the documentation generated from the declarations.
DECLARATIONS = ("template.py", "render/", "docs.py")

_KEYS_AS_DATA = ("table-3 row keys used as the SCHEMA keys they are (data contract); to do: name them "
                 "through template constants (ROW_BY_KEY / OUTCOME_KEYS) instead of literals")
# (module, literal) -> why it is still written there
ALLOWED: dict[tuple[str, str], str] = {
    ("export.py", "合计"): "the codebook's Chinese name of a rollup column (a sum), not the template's 合计 of table 4",
}


def _labels() -> set[str]:
    """Every printed label and label phrase of the template, as printed and in key form."""
    out: set[str] = set()
    for r in template.REQUEST_ROWS:
        out |= {r.label, *r.phrases, r.group_label}
    for a in template.APPLICANTS:
        out |= {a.label, *a.phrases}
    for items in template.DISCLOSURE_ITEMS.values():
        for it in items:
            out |= {it.label, *it.phrases}
            for m in it.measures:
                out |= {m.label, *m.phrases}
    for p in (*template.PROCEEDINGS, *template.RESULTS):
        out |= {p.label, *p.phrases}
    for phrases in template.GROUP_PHRASES.values():
        out |= set(phrases)
    out |= {template.label_key(x) for x in out}
    out.discard("")
    return out


def _literals(path: Path):
    """The string constants of a module (parts of f-strings included), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings:
            yield n.lineno, n.value


def _strays() -> dict[tuple[str, str], list[int]]:
    labels, keys = _labels(), set(template.REQUEST_KEYS)
    out: dict[tuple[str, str], list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if module.startswith(DECLARATIONS):
            continue
        for line, text in _literals(path):
            words = text.split()
            if text in keys or text in labels or template.label_key(text) in labels \
                    or (0 < len(words) <= 3 and len(words[0]) > 1 and words[0] in labels):  # '予以公开 granted'
                out.setdefault((module, text), []).append(line)
    return out


def test_no_template_label_or_row_key_outside_the_declarations():
    strays = _strays()
    new = {k: v for k, v in strays.items() if k not in ALLOWED}
    assert not new, "template labels or row keys written as literals (declare them in template.py): " + \
        "; ".join(f"{m}:{lines[0]} {text!r}" for (m, text), lines in sorted(new.items()))


def test_the_allow_list_is_not_stale():
    stale = sorted(set(ALLOWED) - set(_strays()))
    assert not stale, f"no longer written there, remove from ALLOWED: {stale}"


def test_the_finder_finds_a_planted_stray(tmp_path, monkeypatch):
    """The test above would fail if a label were written outside the declarations."""
    fake = tmp_path / "govreports"
    fake.mkdir()
    (fake / "stray.py").write_text('"""doc 七总计"""\nX = ("七总计", "保护第三方合法权益")\nY = "denied.third_party"\n'
                                   'Z = "自然人 natural persons"\n', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    found = {text for _, text in _strays()}
    assert found == {"七总计", "保护第三方合法权益", "denied.third_party", "自然人 natural persons"}
