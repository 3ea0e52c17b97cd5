"""The project's own files: dependencies declared in step, the CI script runs the README's command."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_every_pyproject_dependency():
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = proj["optional-dependencies"]
    declared = {_name(d) for d in proj["dependencies"] + extras["dev"] + extras["ocr"]}
    env = (ROOT / "environment.yml").read_text()
    pip_part = env.split("- pip:", 1)[1]
    listed = {_name(m) for m in re.findall(r"^\s+- ([A-Za-z][^\n#]*)$", pip_part, re.M)}
    assert declared <= listed, f"missing from environment.yml: {declared - listed}"
    assert listed <= declared, f"only in environment.yml: {listed - declared}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S).group(1).strip()
    assert command in ci


def test_shipped_data_has_no_pdf_from_shared():
    assert not list((ROOT / "data").rglob("*.pdf"))


def test_generated_docs_are_up_to_date():
    from govreports.docs import render_readme
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_readme(readme) == readme, "run: python -m govreports.docs"


def test_readme_main_command_runs_the_main_job():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"<!-- main-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S).group(1)
    assert "govreports run data/reports" in command and "pip install" in command


def test_dev_extra_brings_the_ocr_extra():
    """The README's test command installs [dev]: it must bring every OCR package, so CI runs the OCR tests."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {_name(d) for d in extras["ocr"]} <= {_name(d) for d in extras["dev"]}
