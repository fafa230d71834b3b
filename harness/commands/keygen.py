"""``shadow keygen``: create a reviewer's ed25519 key pair (the private key never leaves you)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.gate.keys import write_pair


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="create a reviewer key pair (ed25519)",
                       description="Write NAME.key (private, mode 0600; keep it) and NAME.pub (give it to the gate "
                                   "admin: shadow gate user add user:NAME --role reviewer --public-key NAME.pub).")
    p.add_argument("name", help="your reviewer name, e.g. user:ana (the files are named after it)")
    p.add_argument("--out", default=".", help="folder for the two files (default: here)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    stem = Path(args.out) / args.name.replace(":", "-")
    private, public = write_pair(stem, args.name, force=args.force)
    print(f"private key: {private} (keep it; never send it anywhere)")
    print(f"public key:  {public}")
    print(public.read_text().strip())
    print(f"register it: shadow gate user add {args.name} --role reviewer --public-key {public}")
    return 0
