"""The ``govreports`` command line.

Each subcommand lives in ``govreports/commands/<name>.py`` and exposes ``add_parser(subparsers)``
which registers itself with ``set_defaults(func=...)``; ``func(args) -> int`` is the exit code.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("run", "parse", "check", "corpus", "notebooks", "fetch", "brief", "export")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="govreports", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"govreports {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"govreports.commands.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .exceptions import CorrectionsError, ReportError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ReportError, CorrectionsError, FileNotFoundError, NotADirectoryError) as err:  # bad input: one line, no traceback
        print(f"govreports {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
