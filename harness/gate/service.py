"""The gate: the one place that records submissions and reviews and enforces the rules.

The CLI, the HTTP server and the MCP server all call this class with an
authenticated ``User``; none of them decides anything itself. Every state change and
its audit entry are written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from harness.bundles.model import Bundle
from harness.errors import BadInput, GateRefused, NotPermitted, Unauthenticated, UnknownSubmission
from harness.estate.snapshot import Snapshot
from harness.gate import approvals, audit, bundlefiles, keys
from harness.gate.approvals import Assessment, iso
from harness.gate.model import (
    APPLYING,
    APPROVED,
    OPEN,
    QUEUED,
    REJECTED,
    ROLES,
    SUPERSEDED,
    VOID,
    ApplyRecord,
    AuditEntry,
    Review,
    Submission,
    User,
    Waiver,
)
from harness.gate.store import Store
from harness.gate.store.base import Tx
from harness.gate.tokens import hash_token, new_token

NAME = re.compile(r"^(agent|user):[a-z0-9][a-z0-9._-]{0,62}$")
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Gate:
    """Submissions, reviews, waivers and the audit log over one store."""

    def __init__(self, store: Store, *, clock: Clock = utcnow, approval_ttl: dt.timedelta = approvals.DEFAULT_TTL):
        self.store = store
        self.clock = clock
        self.approval_ttl = approval_ttl

    def now(self) -> dt.datetime:
        return self.clock()

    def _audit(self, tx: Tx, actor: str, action: str, sid: int | None, data: dict[str, Any]) -> None:
        audit.append(tx, actor=actor, action=action, submission_id=sid, data=data, at=iso(self.now()))

    # identities ---------------------------------------------------------------------------
    def add_user(self, name: str, role: str, public_key: str | None = None, *, actor: str = "admin") -> User:
        """Register (or update) a user; reviewers need an ed25519 public key."""
        if not NAME.match(name):
            raise BadInput(f"{name!r} is not a valid user name", hint="Write agent:NAME or user:NAME (lowercase)")
        if role not in ROLES:
            raise BadInput(f"unknown role {role!r}", hint=f"Use one of: {', '.join(ROLES)}")
        if (role == "agent") != name.startswith("agent:"):
            raise BadInput(f"{name} cannot have the role {role}",
                           hint="Agents are named agent:NAME and have the role agent; people are user:NAME")
        if role == "reviewer" and not public_key:
            raise BadInput(f"reviewer {name} needs a public key", hint="Pass --public-key NAME.pub (shadow keygen)")
        public = keys.parse_public(public_key) if public_key else None
        user = User(name=name, role=role, public_key=public, created_at=iso(self.now()))
        with self.store.tx() as tx:
            tx.put_user(user)
            self._audit(tx, actor, "user", None, {"name": name, "role": role, "public_key": public})
        return user

    def issue_token(self, name: str, *, actor: str = "admin") -> str:
        """A new bearer token for ``name`` (replacing the old one); only its hash is stored."""
        token = new_token()
        with self.store.tx() as tx:
            if tx.get_user(name) is None:
                raise BadInput(f"no user {name}", hint="Add it first with `shadow gate user add`")
            tx.set_token_hash(name, hash_token(token))
            self._audit(tx, actor, "token", None, {"name": name})
        return token

    def authenticate(self, token: str | None) -> User:
        if not token:
            raise Unauthenticated("no token given", hint="Pass --token or set SHADOW_TOKEN (or log in)")
        with self.store.tx(write=False) as tx:
            user = tx.user_by_token_hash(hash_token(token))
        if user is None:
            raise Unauthenticated("unknown or replaced token", hint="Ask an admin for a token: shadow gate user token")
        return user

    def users(self) -> dict[str, User]:
        with self.store.tx(write=False) as tx:
            return {u.name: u for u in tx.users()}

    # submissions --------------------------------------------------------------------------
    def submit(self, actor: User, bundle: Bundle, snapshot: Snapshot, doc: dict[str, Any]) -> Submission:
        """Record one simulated bundle; promoted ones join the queue, older open ones are superseded."""
        if doc.get("bundle", {}).get("digest") != bundle.digest or \
                doc.get("snapshot", {}).get("digest") != snapshot.digest:
            raise BadInput("the report was not made from this bundle and snapshot", where="submit")
        from harness.report.model import report_digest

        if report_digest(doc) != doc.get("digest"):
            raise BadInput("the report's digest does not match its content", where="submit")
        files, bundle_file = bundlefiles.pack(bundle)
        verdict = doc["verdict"]
        promoted = verdict["outcome"] == "promoted"
        sub = Submission(
            id=0, name=bundle.name, author=bundle.author, submitted_by=actor.name, bundle_digest=bundle.digest,
            snapshot_digest=snapshot.digest, report_digest=doc["digest"], outcome=verdict["outcome"],
            approvals_required=int(verdict["approvals_required"]), destructive=bool(verdict["destructive"]),
            elevated=bool(verdict["elevated"]), status=QUEUED if promoted else REJECTED,
            status_note="" if promoted else f"verdict {verdict['outcome']}",
            created_at=iso(self.now()), headline=doc.get("headline", ""), findings=list(doc.get("findings", [])),
            report=doc, files=files,
            bundle_file=bundle_file)
        with self.store.tx() as tx:
            tx.put_snapshot(snapshot.digest, snapshot.to_json(), sub.created_at)
            older = [s for s in tx.submissions(name=sub.name, submitted_by=actor.name) if s.open]
            tx.insert_submission(sub)
            self._audit(tx, actor.name, "submit", sub.id, {
                "name": sub.name, "author": sub.author, "bundle_digest": sub.bundle_digest,
                "snapshot_digest": sub.snapshot_digest, "report_digest": sub.report_digest,
                "outcome": sub.outcome, "approvals_required": sub.approvals_required,
                "destructive": sub.destructive, "elevated": sub.elevated, "headline": doc.get("headline", "")})
            for old in older:
                self._void(tx, old.id, SUPERSEDED, f"superseded by submission {sub.id}: the bundle, snapshot or "
                                                   "report changed", actor.name)
        return sub

    def get(self, sid: int, *, tx: Tx | None = None) -> Submission:
        if tx is None:
            with self.store.tx(write=False) as own:
                return self.get(sid, tx=own)
        sub = tx.get_submission(int(sid))
        if sub is None:
            raise UnknownSubmission(f"no submission {sid}", hint="List them with `shadow gate list`")
        return sub

    def get_for(self, user: User, sid: int) -> Submission:
        """``sid`` if ``user`` may read it: agents read only what they submitted, reviewers everything."""
        sub = self.get(sid)
        if not user.can_review and sub.submitted_by != user.name:
            raise NotPermitted(f"submission {sid} was not submitted by {user.name}")
        return sub

    def list(self, *, status: str | None = None, submitted_by: str | None = None) -> list[Submission]:
        with self.store.tx(write=False) as tx:
            return tx.submissions(status=status, submitted_by=submitted_by)

    def reviews(self, sid: int) -> list[Review]:
        with self.store.tx(write=False) as tx:
            return tx.reviews(sid)

    def waivers(self, sid: int) -> list[Waiver]:
        with self.store.tx(write=False) as tx:
            return tx.waivers(sid)

    def assess(self, sid: int, *, tx: Tx | None = None) -> Assessment:
        """Whether ``sid`` may be applied now, and why not."""
        if tx is None:
            with self.store.tx(write=False) as own:
                return self.assess(sid, tx=own)
        sub = self.get(sid, tx=tx)
        users = {u.name: u for u in tx.users()}
        waived = bool(tx.waivers(sid))
        return approvals.assess(sub, tx.reviews(sid), users, now=self.now(), waived=waived,
                                reviewable=sub.status in OPEN)

    def statement(self, sid: int, reviewer: str, decision: str = "approve") -> dict[str, Any]:
        """The statement ``reviewer`` would sign now for ``sid``."""
        if decision not in approvals.DECISIONS:
            raise BadInput(f"unknown decision {decision!r}", hint="Use approve or reject")
        return approvals.statement(self.get(sid), decision, reviewer, issued_at=self.now(), ttl=self.approval_ttl)

    # reviews ------------------------------------------------------------------------------
    def review(self, actor: User, sid: int, stmt: dict[str, Any], signature: str, *, confirm: str | None = None,
               comment: str = "") -> Review:
        """Record a signed approval or rejection after checking every rule."""
        with self.store.tx() as tx:
            sub = self.get(sid, tx=tx)
            if not actor.can_review:
                raise NotPermitted(f"{actor.name} is an {actor.role}: only reviewers approve or reject",
                                   hint="Agent tokens can submit bundles and read verdicts, never approve, "
                                        "waive or apply")
            if sub.status not in OPEN:
                raise GateRefused(f"submission {sid} is {sub.status}" + (f": {sub.status_note}" if sub.status_note
                                                                          else ""), hint="Only queued submissions "
                                                                                         "can be reviewed")
            _issued, expires = approvals.check_statement(sub, stmt, signature, actor, now=self.now(),
                                                        max_ttl=self.approval_ttl)
            if stmt["decision"] == "approve" and sub.destructive:
                target = most_destructive(sub)
                if target and (confirm or "").strip() != target:
                    raise GateRefused(f"this change is destructive: type {target} to confirm the approval",
                                      where=f"submission {sid}", hint="Confirm with the address of the most "
                                                                      "destructive resource, exactly")
            if any(r.reviewer == actor.name and r.decision == stmt["decision"] for r in tx.reviews(sid)):
                raise GateRefused(f"{actor.name} already made this decision on submission {sid}",
                                  hint="A second approval by the same person never counts")
            review = Review(id=0, submission_id=sid, reviewer=actor.name, decision=stmt["decision"], statement=stmt,
                            signature=signature, created_at=iso(self.now()), expires_at=iso(expires),
                            comment=comment)
            tx.insert_review(review)
            self._audit(tx, actor.name, stmt["decision"], sid, {"statement": stmt, "signature": signature,
                                                                 "public_key": actor.public_key,
                                                                 "comment": comment})
            if review.decision == "reject":
                tx.set_status(sid, REJECTED, f"rejected by {actor.name}" + (f": {comment}" if comment else ""))
            elif self.assess(sid, tx=tx).ready:
                tx.set_status(sid, APPROVED, f"approved by {len(self.assess(sid, tx=tx).approvers)} reviewer(s)")
        return review

    def waive(self, actor: User, sid: int, rule: str, reason: str, address: str | None = None) -> Waiver:
        """A reviewer waives one blocking finding; when none is left the bundle queues for two approvers."""
        if not actor.can_review:
            raise NotPermitted(f"{actor.name} is an {actor.role}: only reviewers waive findings",
                               hint="Agent tokens can submit bundles and read verdicts, never approve, waive or apply")
        if not reason.strip():
            raise BadInput("a waiver needs a reason", hint="Say why this finding is acceptable")
        with self.store.tx() as tx:
            sub = self.get(sid, tx=tx)
            if actor.name in sub.authors:
                raise NotPermitted(f"{actor.name} is the author of submission {sid} and cannot waive its findings")
            if sub.outcome != "rejected" or sub.status != REJECTED or tx.reviews(sid):
                raise GateRefused(f"submission {sid} is {sub.status} ({sub.outcome}): only a bundle rejected by "
                                  "policy, not yet reviewed, can have findings waived",
                                  hint="An inconclusive simulation cannot be waived: fix it and re-simulate")
            blocking = [f for f in sub.findings if f.get("blocking")]
            matches = [f for f in blocking if f["rule"] == rule and (address is None or f.get("address") == address)]
            if not matches:
                rules = ", ".join(sorted({f["rule"] for f in blocking})) or "none"
                raise BadInput(f"submission {sid} has no blocking finding {rule}"
                               + (f" on {address}" if address else ""), hint=f"Blocking findings: {rules}")
            waiver = Waiver(id=0, submission_id=sid, reviewer=actor.name, rule=rule, address=address, reason=reason,
                            created_at=iso(self.now()))
            tx.insert_waiver(waiver)
            self._audit(tx, actor.name, "waive", sid, {"rule": rule, "address": address, "reason": reason})
            waived = tx.waivers(sid)
            left = [f for f in blocking if not any(w.rule == f["rule"] and w.address in (None, f.get("address"))
                                                   for w in waived)]
            if not left:
                tx.set_status(sid, QUEUED, "every blocking finding waived: two distinct approvers needed")
        return waiver

    def void(self, sid: int, reason: str, *, actor: str, status: str = VOID) -> None:
        with self.store.tx() as tx:
            self._void(tx, sid, status, reason, actor)

    def _void(self, tx: Tx, sid: int, status: str, reason: str, actor: str) -> None:
        voided = tx.void_reviews(sid, reason)
        tx.set_status(sid, status, reason)
        self._audit(tx, actor, "void", sid, {"status": status, "reason": reason, "approvals_voided": voided})

    # apply ---------------------------------------------------------------------------------
    def begin_apply(self, actor: User, sid: int) -> ApplyRecord:
        """Claim ``sid`` for applying, if the approvals hold now; otherwise refuse and say why."""
        if not actor.can_apply:
            raise NotPermitted(f"{actor.name} is an {actor.role}: only reviewers apply",
                               hint="Agent tokens can submit bundles and read verdicts, never approve, waive or apply")
        with self.store.tx() as tx:
            assessment = self.assess(sid, tx=tx)
            if not assessment.ready:
                self._audit(tx, actor.name, "apply-refused", sid, {"problems": assessment.problems})
                refusal = GateRefused(f"submission {sid} cannot be applied: {'; '.join(assessment.problems)}",
                                      hint="It needs valid approvals from reviewers other than its author")
            else:
                refusal = None
                record = ApplyRecord(id=0, submission_id=sid, actor=actor.name, started_at=iso(self.now()))
                tx.insert_apply(record)
                tx.set_status(sid, APPLYING, f"being applied by {actor.name}")
                self._audit(tx, actor.name, "apply-start", sid, {"approvers": assessment.approvers})
        if refusal is not None:
            raise refusal  # raised after the commit, so that the refusal stays in the audit log
        return record

    def finish_apply(self, record: ApplyRecord, outcome: str, status: str, note: str,
                     detail: dict[str, Any]) -> None:
        """Close an apply: its outcome, the submission's new status and the audit entry, together."""
        record.outcome, record.finished_at, record.detail = outcome, iso(self.now()), detail
        with self.store.tx() as tx:
            tx.finish_apply(record)
            if status == VOID:
                voided = tx.void_reviews(record.submission_id, note)
                detail = {**detail, "approvals_voided": voided}
            tx.set_status(record.submission_id, status, note)
            self._audit(tx, record.actor, f"apply-{outcome}", record.submission_id, detail)

    def applies(self, sid: int) -> list[ApplyRecord]:
        with self.store.tx(write=False) as tx:
            return tx.applies(sid)

    def put_snapshot(self, snapshot: Snapshot, *, actor: str) -> str:
        """Keep a production snapshot that submissions may be simulated against; return its digest."""
        with self.store.tx() as tx:
            if tx.get_snapshot(snapshot.digest) is None:
                tx.put_snapshot(snapshot.digest, snapshot.to_json(), iso(self.now()))
                self._audit(tx, actor, "snapshot", None, {"digest": snapshot.digest,
                                                          "account": snapshot.source.account,
                                                          "captured_at": snapshot.captured_at,
                                                          "resources": len(snapshot.resources)})
        return snapshot.digest

    def snapshot_doc(self, digest: str) -> dict[str, Any] | None:
        with self.store.tx(write=False) as tx:
            return tx.get_snapshot(digest)

    # audit --------------------------------------------------------------------------------
    def audit_entries(self, *, submission_id: int | None = None) -> list[AuditEntry]:
        with self.store.tx(write=False) as tx:
            return tx.audit_entries(submission_id=submission_id)

    def verify_audit(self) -> audit.Verification:
        with self.store.tx(write=False) as tx:
            return audit.verify(tx.audit_entries(), audit.recorded_head(tx))


def most_destructive(sub: Submission) -> str | None:
    """The address a reviewer must type to confirm a destructive approval."""
    radius = sub.report.get("blast_radius") or []
    destructive = [line for line in radius if line.get("action") in ("delete", "replace")]
    pick = destructive[0] if destructive else (radius[0] if radius else None)
    return pick["address"] if pick else None


def gate_from(url: str | None, **options: Any) -> Gate:
    """A Gate over the store at ``url`` (default: SHADOW_STORE or .shadow/gate.db)."""
    from harness.gate.store import open_store

    return Gate(open_store(url), **options)
