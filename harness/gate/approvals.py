"""Review statements and the rules that decide whether a submission may be applied.

A review is a statement signed by the reviewer's ed25519 key over exactly what was
reviewed: the submission, the digests of bundle, snapshot and report, the decision,
the reviewer, when it was made and when it expires. Because the digests are inside
the signed bytes, an approval cannot be replayed onto another bundle, snapshot or
report, and a changed artifact voids it. The rules (author never approves, two
distinct approvers for destructive or elevated changes, any rejection blocks,
expiry) are checked here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from harness.config import parse_time
from harness.errors import GateRefused, NotPermitted
from harness.estate.canonical import canonical_bytes
from harness.gate import keys
from harness.gate.model import Review, Submission, User

FORMAT = "shadow.review/v1"
DECISIONS = ("approve", "reject")
DEFAULT_TTL = dt.timedelta(hours=24)
CLOCK_SKEW = dt.timedelta(minutes=5)
FIELDS = ("format", "submission", "bundle_digest", "snapshot_digest", "report_digest", "decision", "reviewer",
          "issued_at", "expires_at")


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def statement(sub: Submission, decision: str, reviewer: str, *, issued_at: dt.datetime,
              ttl: dt.timedelta = DEFAULT_TTL) -> dict[str, Any]:
    """The statement a reviewer signs for ``sub``."""
    return {"format": FORMAT, "submission": sub.id, "bundle_digest": sub.bundle_digest,
            "snapshot_digest": sub.snapshot_digest, "report_digest": sub.report_digest, "decision": decision,
            "reviewer": reviewer, "issued_at": iso(issued_at), "expires_at": iso(issued_at + ttl)}


def signed_bytes(stmt: dict[str, Any]) -> bytes:
    return canonical_bytes(stmt)


def sign(stmt: dict[str, Any], key_path: str) -> str:
    return keys.sign(keys.load_private(key_path), signed_bytes(stmt))


def check_statement(sub: Submission, stmt: dict[str, Any], signature: str, user: User, *, now: dt.datetime,
                    max_ttl: dt.timedelta = DEFAULT_TTL) -> tuple[dt.datetime, dt.datetime]:
    """Refuse (GateRefused / NotPermitted) unless ``user`` may make this signed review now."""
    if not user.can_review:
        raise NotPermitted(f"{user.name} is an {user.role}: only reviewers approve or reject",
                           hint="Agent tokens can submit bundles and read verdicts, never approve, waive or apply")
    if not isinstance(stmt, dict) or sorted(stmt) != sorted(FIELDS) or stmt.get("format") != FORMAT:
        raise GateRefused("the review statement is malformed", where=f"submission {sub.id}",
                          hint=f"Sign the statement shown by `shadow gate show {sub.id}` unchanged")
    if stmt["decision"] not in DECISIONS:
        raise GateRefused(f"unknown decision {stmt['decision']!r}", hint="Use approve or reject")
    if stmt["reviewer"] != user.name:
        raise NotPermitted(f"the statement is made out to {stmt['reviewer']}, but you are {user.name}",
                           hint="Each reviewer signs their own statement with their own key")
    if stmt["decision"] == "approve" and user.name in sub.authors:
        raise NotPermitted(f"{user.name} is the author of submission {sub.id} and can never approve it",
                           hint="Another reviewer must approve it")
    for key in ("bundle_digest", "snapshot_digest", "report_digest"):
        if stmt[key] != getattr(sub, key):
            what = key.split("_")[0]
            raise GateRefused(f"the statement approves {what} {stmt[key][:23]}…, but submission {sub.id} is "
                              f"{what} {getattr(sub, key)[:23]}…: a review cannot be replayed onto another digest",
                              hint="Review and sign this submission's own statement")
    if stmt["submission"] != sub.id:
        raise GateRefused(f"the statement is for submission {stmt['submission']}, not {sub.id}",
                          hint="Review and sign this submission's own statement")
    if not user.public_key:
        raise NotPermitted(f"{user.name} has no public key registered", hint="Register one with "
                           "`shadow gate user add NAME --role reviewer --public-key NAME.pub`")
    if not keys.verify(user.public_key, signed_bytes(stmt), signature):
        raise GateRefused(f"the signature does not verify with {user.name}'s registered key: forged or "
                          "signed over other content", hint="Sign the statement exactly as shown, with your own key")
    issued = parse_time(stmt["issued_at"], "issued_at")
    expires = parse_time(stmt["expires_at"], "expires_at")
    if issued > now + CLOCK_SKEW:
        raise GateRefused(f"the statement is issued in the future ({stmt['issued_at']})", hint="Check your clock")
    if expires <= now:
        raise GateRefused(f"the statement expired at {stmt['expires_at']}", hint="Sign a fresh statement")
    if expires - issued > max_ttl or expires <= issued:
        raise GateRefused(f"the statement is valid for {expires - issued}, longer than the allowed {max_ttl}",
                          hint="Sign a statement with a shorter expiry")
    return issued, expires


@dataclass
class Assessment:
    """Where a submission stands: valid approvals, rejections, what is missing."""

    required: int
    approvers: list[str] = field(default_factory=list)
    rejected_by: list[str] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (reviewer, why it does not count)
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"required": self.required, "approvers": self.approvers, "rejected_by": self.rejected_by,
                "ignored": [{"reviewer": r, "why": w} for r, w in self.ignored], "problems": self.problems,
                "ready": self.ready}


def required_approvals(sub: Submission, waived: bool) -> int:
    """Two for destructive, elevated or waived changes; the verdict's number otherwise."""
    return max(sub.approvals_required, 2 if (sub.destructive or sub.elevated or waived) else 1)


def assess(sub: Submission, reviews: list[Review], users: dict[str, User], *, now: dt.datetime,
           waived: bool = False, reviewable: bool = True) -> Assessment:
    """Count the approvals that still hold now (re-verifying every signature)."""
    out = Assessment(required=required_approvals(sub, waived))
    counted: set[str] = set()
    for review in reviews:
        why = _not_counting(review, sub, users.get(review.reviewer), now)
        if review.decision == "reject":
            if why is None or why.startswith("expired"):
                out.rejected_by.append(review.reviewer)  # a rejection blocks even after it expires
            else:
                out.ignored.append((review.reviewer, f"rejection {why}"))
            continue
        if why is None and review.reviewer in counted:
            why = "a second approval by the same reviewer"
        if why is not None:
            out.ignored.append((review.reviewer, why))
            continue
        counted.add(review.reviewer)
        out.approvers.append(review.reviewer)
    if not reviewable:
        out.problems.append(f"the submission is {sub.status}" + (f" ({sub.status_note})" if sub.status_note else ""))
    if out.rejected_by:
        out.problems.append(f"rejected by {', '.join(sorted(set(out.rejected_by)))}")
    if len(out.approvers) < out.required:
        need = out.required - len(out.approvers)
        kind = " (destructive or elevated: two distinct approvers)" if out.required > 1 else ""
        out.problems.append(f"needs {need} more approval{'s' if need > 1 else ''}{kind}")
    return out


def _not_counting(review: Review, sub: Submission, user: User | None, now: dt.datetime) -> str | None:
    """Why a stored review does not count now, or None when it does."""
    if review.void_reason:
        return f"void: {review.void_reason}"
    stmt = review.statement
    if stmt.get("reviewer") != review.reviewer or stmt.get("decision") != review.decision:
        return "its statement does not match its record"
    if any(stmt.get(k) != getattr(sub, k) for k in ("bundle_digest", "snapshot_digest", "report_digest")) or \
            stmt.get("submission") != sub.id:
        return "signed for other digests (the bundle, snapshot or report changed)"
    if review.decision == "approve" and review.reviewer in sub.authors:
        return "the author cannot approve"
    if user is None or not user.can_review or not user.public_key:
        return "the reviewer is no longer registered with a key"
    if not keys.verify(user.public_key, signed_bytes(stmt), review.signature):
        return "its signature does not verify"
    if parse_time(stmt["expires_at"], "expires_at") <= now:
        return f"expired at {stmt['expires_at']}"
    return None
