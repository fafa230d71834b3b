"""The gate's records: users, submissions, reviews (approvals and rejections), waivers,
applies and audit entries. Plain dataclasses; the store reads and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("agent", "reviewer")  # agents submit and read; reviewers also review, waive and apply
# submission status: what the gate will still do with it
QUEUED = "queued"  # promoted, waiting for approvals
APPROVED = "approved"  # enough valid approvals (recomputed at apply; informational here)
REJECTED = "rejected"  # the verdict was rejected/inconclusive, or a reviewer rejected it
SUPERSEDED = "superseded"  # a newer submission of the same bundle name replaced it
VOID = "void"  # production drifted since the simulation: re-simulate
APPLYING = "applying"  # an apply holds it; nothing else may happen to it meanwhile
APPLIED = "applied"
DIVERGED = "diverged"  # applied, but the real effect differs from the simulated one
FAILED = "failed"  # applied, but the change itself failed in production
STATUSES = (QUEUED, APPROVED, REJECTED, SUPERSEDED, VOID, APPLYING, APPLIED, DIVERGED, FAILED)
OPEN = (QUEUED, APPROVED)


@dataclass
class User:
    """Someone who talks to the gate: an agent (submits, reads) or a reviewer (also reviews and applies)."""

    name: str  # "agent:deploy-bot" or "user:ana"
    role: str
    public_key: str | None = None  # ed25519, base64 of the 32 raw bytes (reviewers)
    token_hash: str | None = None  # sha256 of the bearer token; the token itself is never stored
    created_at: str = ""

    @property
    def can_review(self) -> bool:
        return self.role == "reviewer"

    @property
    def can_apply(self) -> bool:
        return self.role == "reviewer"


@dataclass
class Submission:
    """One simulated bundle: what was simulated (exact bytes), against what, and the verdict."""

    id: int
    name: str  # bundle metadata.name
    author: str  # bundle metadata.author
    submitted_by: str  # the authenticated user who submitted it
    bundle_digest: str
    snapshot_digest: str
    report_digest: str
    outcome: str  # promoted | rejected | inconclusive
    approvals_required: int
    destructive: bool
    elevated: bool
    status: str
    created_at: str
    headline: str = ""  # the report's first line, kept apart so that lists need not load reports
    findings: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)  # the shadow.report/v1 document
    files: dict[str, str] = field(default_factory=dict)  # bundle file + carried files: path -> base64
    bundle_file: str = "bundle.yaml"  # which of ``files`` is the bundle document
    status_note: str = ""

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def authors(self) -> set[str]:
        """Everyone who counts as the author: the bundle's author and whoever submitted it."""
        return {self.author, self.submitted_by}

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "author": self.author, "submitted_by": self.submitted_by,
                "bundle_digest": self.bundle_digest, "snapshot_digest": self.snapshot_digest,
                "report_digest": self.report_digest, "outcome": self.outcome,
                "approvals_required": self.approvals_required, "destructive": self.destructive,
                "elevated": self.elevated, "status": self.status, "status_note": self.status_note,
                "created_at": self.created_at, "headline": self.headline}


@dataclass
class Review:
    """A signed decision of one reviewer on one submission (approve or reject)."""

    id: int
    submission_id: int
    reviewer: str
    decision: str  # approve | reject
    statement: dict[str, Any]
    signature: str  # base64 ed25519 signature over the canonical statement
    created_at: str
    expires_at: str
    comment: str = ""
    void_reason: str = ""  # set when drift or a newer submission voided it

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "submission_id": self.submission_id, "reviewer": self.reviewer,
                "decision": self.decision, "statement": self.statement, "signature": self.signature,
                "created_at": self.created_at, "expires_at": self.expires_at, "comment": self.comment,
                "void_reason": self.void_reason}


@dataclass
class Waiver:
    """A reviewer's waiver of one blocking finding on one submission, with a reason."""

    id: int
    submission_id: int
    reviewer: str
    rule: str
    address: str | None
    reason: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "submission_id": self.submission_id, "reviewer": self.reviewer, "rule": self.rule,
                "address": self.address, "reason": self.reason, "created_at": self.created_at}


@dataclass
class ApplyRecord:
    """One attempt to apply a submission to production and what came of it."""

    id: int
    submission_id: int
    actor: str
    started_at: str
    outcome: str = "running"  # running | applied | refused | diverged | failed
    finished_at: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "submission_id": self.submission_id, "actor": self.actor,
                "started_at": self.started_at, "finished_at": self.finished_at, "outcome": self.outcome,
                "detail": self.detail}


@dataclass
class AuditEntry:
    """One link of the hash chain: ``hash`` covers everything but ``seq`` and itself."""

    seq: int
    at: str
    actor: str
    action: str
    submission_id: int | None
    data: dict[str, Any]
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {"at": self.at, "actor": self.actor, "action": self.action, "submission_id": self.submission_id,
                "data": self.data, "prev": self.prev}

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, **self.body(), "hash": self.hash}
