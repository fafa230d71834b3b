"""Arguments shared by the gate's commands: the store, the caller's token."""

from __future__ import annotations

import argparse
import getpass
import os

from harness.gate import Gate, gate_from
from harness.gate.model import User
from harness.gate.store import DEFAULT_STORE


def add_store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=None, help=f"gate store: a SQLite path or postgresql://… (default: $SHADOW_STORE "
                                                 f"or {DEFAULT_STORE})")


def add_token_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--token", default=None, help="your gate token (default: $SHADOW_TOKEN)")


def open_gate(args: argparse.Namespace) -> Gate:
    return gate_from(args.store)


def caller(args: argparse.Namespace, gate: Gate) -> User:
    """The user behind --token / $SHADOW_TOKEN (refused when missing or unknown)."""
    return gate.authenticate(args.token or os.environ.get("SHADOW_TOKEN"))


def admin_name() -> str:
    """Who ran an admin command on the store directly (the store file is the admin's trust root)."""
    try:
        return f"admin:{getpass.getuser()}"
    except Exception:  # no user name on this system
        return "admin"
