"""The ``shadow`` command: parses arguments, calls the package, prints. No logic here.

Each subcommand lives in ``harness/commands/<name>.py`` with ``add_parser`` and
``run``; they are listed explicitly in ``COMMANDS``. Any ``ShadowError`` becomes one
line on stderr (what, where, what to do) and its exit code; nothing else is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from harness import __version__
from harness.errors import ShadowError

# command name -> module under harness.commands (explicit, in --help order)
COMMANDS: dict[str, str] = {
    "capture": "capture",
    "sandbox": "sandbox",
    "demo": "demo",
    "run": "run",
    "validate": "validate",
    "submit": "submit",
    "gate": "gate",
    "apply": "apply",
    "audit": "audit",
    "serve": "serve",
    "mcp": "mcp",
    "keygen": "keygen",
    "scenarios": "scenarios",
    "policies": "policies",
    "bench": "bench",
}


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line error (argparse's own convention)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"shadow: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shadow",
        description="Simulate an agent's infrastructure change against a clone of production "
                    "before a human is asked to approve it.",
    )
    parser.add_argument("--version", action="version", version=f"shadow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, module in COMMANDS.items():
        import_module(f"harness.commands.{module}").add_parser(sub, name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ShadowError as err:
        print(f"shadow: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("shadow: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: say so in one line unless debugging
        if os.environ.get("SHADOW_DEBUG"):
            raise
        print(f"shadow: internal error: {type(err).__name__}: {err} "
              "(a bug in shadow; rerun with SHADOW_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
