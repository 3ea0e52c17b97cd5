"""Documentation generated from the declarations, so that it cannot drift from the code.

``python -m govreports.docs`` rewrites the generated blocks of README.md (the template and the
list of checks) and ``docs/checks.md``; ``tests/test_project.py`` fails when they are stale.
"""
from __future__ import annotations

import re
from pathlib import Path

from .findings import checks_markdown
from .template import docs_markdown

ROOT = Path(__file__).resolve().parents[1]


def _body(markdown: str) -> str:
    """Drop a leading H1 so the text nests under a README heading."""
    return re.sub(r"\A# [^\n]*\n+", "", markdown).replace("\n## ", "\n### ")


def blocks() -> dict[str, str]:
    return {"template": docs_markdown(), "checks": _body(checks_markdown())}


def render_readme(readme: str) -> str:
    """Given the README text, return it with every generated block filled in."""
    for name, text in blocks().items():
        readme = re.sub(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
                        lambda m: m.group(1) + text.rstrip("\n") + "\n" + m.group(2), readme, flags=re.S)
    return readme


def main() -> None:
    readme = ROOT / "README.md"
    readme.write_text(render_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "checks.md").write_text(checks_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main()
