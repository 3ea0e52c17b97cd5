"""The one error family of govreports.

A broken sum in a report is not an error: it is a finding (see :mod:`govreports.checks`).
``ReportError`` is for a file that cannot be read as a report at all: empty, binary, no report
in it, undecodable. Its message always names the file.
"""
from __future__ import annotations


class ReportError(ValueError):
    """A file that is not a readable report; ``str(err)`` names the file and what is wrong."""

    def __init__(self, source: str, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class UnsupportedFormatError(ReportError):
    """A format govreports cannot read here (e.g. legacy .doc without LibreOffice)."""


class CorpusLockedError(RuntimeError):
    """Another build is writing the same corpus folder; the message names it (pid, host, start)."""


class CorrectionsError(ValueError):
    """A corrections file that cannot be applied: every bad line, by its line number
    (``corrections.csv line 4: no cell ('granted', 'people') in table 3 ...``)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("corrections not applied:\n  " + "\n  ".join(self.problems))
