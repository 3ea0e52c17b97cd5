"""The ``govreports`` command line.

Each subcommand lives in ``govreports/commands/<name>.py`` and exposes ``add_parser(subparsers)``
which registers itself with ``set_defaults(func=...)``; ``func(args) -> int`` is the exit code.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("run", "parse", "check", "corpus", "notebooks")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govreports", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"govreports.commands.{name}")
        except ModuleNotFoundError as err:  # a command not written yet
            if err.name != f"govreports.commands.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
