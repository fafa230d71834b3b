"""``shadow gate``: the review queue from the terminal: list, show, sign, approve, reject, waive, users."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.commands.gatecommon import add_store_arg, add_token_arg, admin_name, caller, open_gate
from harness.errors import BadInput
from harness.gate import approvals
from harness.gate.service import most_destructive


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="review queue: list, show, approve, reject, waive, users",
                       description="Work with the gate's queue. Approvals and rejections are signed with your own "
                                   "ed25519 key (shadow keygen) over the bundle, snapshot and report digests.")
    inner = p.add_subparsers(dest="gate_command", metavar="ACTION")
    inner.required = True

    ls = inner.add_parser("list", help="list submissions")
    ls.add_argument("--status", help="only this status (queued, approved, rejected, void, applied, ...)")
    ls.set_defaults(handler=run_list)

    show = inner.add_parser("show", help="a submission: report, approvals, what is missing")
    show.add_argument("submission", type=int)
    show.add_argument("--format", default="text", help="report format: text (default), json, markdown, html")
    show.set_defaults(handler=run_show)

    st = inner.add_parser("statement", help="print the statement a reviewer signs (JSON)")
    st.add_argument("submission", type=int)
    st.add_argument("--reviewer", required=True, help="user:NAME")
    st.add_argument("--decision", default="approve", choices=approvals.DECISIONS)
    st.set_defaults(handler=run_statement)

    sign = inner.add_parser("sign", help="sign a statement with your key; prints the signature",
                            description="Read a statement (the JSON shown on the review page) from FILE or stdin "
                                        "and print its base64 ed25519 signature. Runs offline.")
    sign.add_argument("statement", nargs="?", default="-", help="statement file (default: stdin)")
    sign.add_argument("--key", required=True, help="your private key (NAME.key from shadow keygen)")
    sign.set_defaults(handler=run_sign)

    for decision in approvals.DECISIONS:
        d = inner.add_parser(decision, help=f"{decision} a submission (signs with --key and records it)")
        d.add_argument("submission", type=int)
        d.add_argument("--key", required=True, help="your private key (NAME.key)")
        d.add_argument("--comment", default="", help="why")
        if decision == "approve":
            d.add_argument("--confirm", help="destructive changes: the address of the most destructive resource")
        d.set_defaults(handler=run_review, decision=decision)

    waive = inner.add_parser("waive", help="waive one blocking finding of a rejected bundle (reviewers)")
    waive.add_argument("submission", type=int)
    waive.add_argument("rule", help="finding id, e.g. SHD-DATA-LOSS")
    waive.add_argument("--reason", required=True)
    waive.add_argument("--address", help="only on this address")
    waive.set_defaults(handler=run_waive)

    user = inner.add_parser("user", help="users and tokens (admin, on the store directly)")
    uinner = user.add_subparsers(dest="user_command", metavar="ACTION")
    uinner.required = True
    add = uinner.add_parser("add", help="add or update a user")
    add.add_argument("name", help="agent:NAME or user:NAME")
    add.add_argument("--role", required=True, choices=("agent", "reviewer"))
    add.add_argument("--public-key", help="reviewers: NAME.pub from shadow keygen")
    add.set_defaults(handler=run_user_add)
    tok = uinner.add_parser("token", help="issue a new token (replaces the old one); printed once")
    tok.add_argument("name")
    tok.set_defaults(handler=run_user_token)
    uls = uinner.add_parser("list", help="list users")
    uls.set_defaults(handler=run_user_list)

    for parser in (ls, show, st, *(inner.choices[d] for d in approvals.DECISIONS), waive, add, tok, uls):
        add_store_arg(parser)
    for parser in (*(inner.choices[d] for d in approvals.DECISIONS), waive):
        add_token_arg(parser)


def run_list(args: argparse.Namespace) -> int:
    gate = open_gate(args)
    subs = gate.list(status=args.status)
    if not subs:
        print("no submissions")
    for s in subs:
        gate_state = ""
        if s.open:
            a = gate.assess(s.id)
            gate_state = f" approvals {len(a.approvers)}/{a.required}"
        print(f"{s.id:>5}  {s.status:<10} {s.outcome:<12} {s.name} by {s.author}{gate_state}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from harness.report import RENDERERS

    gate = open_gate(args)
    sub = gate.get(args.submission)
    sys.stdout.write(RENDERERS.get(args.format)(sub.report))
    if args.format != "text":
        return 0
    assessment = gate.assess(sub.id)
    print(f"\nsubmission {sub.id}: {sub.status}" + (f" ({sub.status_note})" if sub.status_note else ""))
    print(f"digests: bundle {sub.bundle_digest}\n         snapshot {sub.snapshot_digest}\n"
          f"         report {sub.report_digest}")
    print(f"approvals: {len(assessment.approvers)} of {assessment.required}"
          + (f" ({', '.join(assessment.approvers)})" if assessment.approvers else ""))
    for who, why in assessment.ignored:
        print(f"  not counted: {who}: {why}")
    for problem in assessment.problems:
        print(f"  missing: {problem}")
    if sub.destructive and sub.open:
        print(f"destructive: approve with --confirm {most_destructive(sub)}")
    return 0


def run_statement(args: argparse.Namespace) -> int:
    print(json.dumps(open_gate(args).statement(args.submission, args.reviewer, args.decision), sort_keys=True))
    return 0


def run_sign(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.statement == "-" else Path(args.statement).read_text()
    try:
        stmt = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"the statement is not JSON ({exc.msg})", where=args.statement,
                       hint="Copy the statement from the review page or `shadow gate statement`") from None
    print(approvals.sign(stmt, args.key))
    return 0


def run_review(args: argparse.Namespace) -> int:
    gate = open_gate(args)
    user = caller(args, gate)
    stmt = gate.statement(args.submission, user.name, args.decision)
    review = gate.review(user, args.submission, stmt, approvals.sign(stmt, args.key),
                         confirm=getattr(args, "confirm", None), comment=args.comment)
    assessment = gate.assess(args.submission)
    print(f"{review.decision} by {review.reviewer} recorded (expires {review.expires_at})")
    print("ready to apply" if assessment.ready else f"not ready: {'; '.join(assessment.problems)}")
    return 0


def run_waive(args: argparse.Namespace) -> int:
    gate = open_gate(args)
    user = caller(args, gate)
    gate.waive(user, args.submission, args.rule, args.reason, args.address)
    sub = gate.get(args.submission)
    print(f"{args.rule} waived by {user.name}; submission {sub.id} is {sub.status}"
          + (f" ({sub.status_note})" if sub.status_note else ""))
    return 0


def run_user_add(args: argparse.Namespace) -> int:
    public = None
    if args.public_key:
        path = Path(args.public_key)
        public = path.read_text() if path.is_file() else args.public_key
    user = open_gate(args).add_user(args.name, args.role, public, actor=admin_name())
    print(f"{user.name} ({user.role}) registered; issue a token with: shadow gate user token {user.name}")
    return 0


def run_user_token(args: argparse.Namespace) -> int:
    token = open_gate(args).issue_token(args.name, actor=admin_name())
    print(token)
    print(f"(shown once; only its hash is stored. Give it to {args.name}: SHADOW_TOKEN=…)", file=sys.stderr)
    return 0


def run_user_list(args: argparse.Namespace) -> int:
    for user in open_gate(args).users().values():
        print(f"{user.name:<30} {user.role:<9} key {'yes' if user.public_key else 'no ':<4} "
              f"token {'yes' if user.token_hash else 'no'}")
    return 0
