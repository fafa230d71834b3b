"""The JSON API (OpenAPI at /openapi.json): agents submit and read; reviewers also decide.

Every route authenticates a bearer token and hands the user to the Gate, which
enforces the rules; an agent's token is refused by the Gate on approvals, rejections
and waivers, and there is no apply route at all (apply needs production credentials
and runs from ``shadow apply``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from harness.errors import BadInput, NotPermitted
from harness.gate import intake
from harness.gate.model import Submission, User
from harness.server.settings import Settings

router = APIRouter(tags=["api"])


def settings(request: Request) -> Settings:
    return request.app.state.settings


def caller(request: Request) -> User:
    return settings(request).auth.bearer(request)


Caller = Annotated[User, Depends(caller)]


class BundleIn(BaseModel):
    """A bundle as files (path -> content), or the name of a scenario the server holds."""

    files: dict[str, str] | None = Field(None, description="relative path -> file content; must hold bundle.yaml")
    encoding: Literal["utf-8", "base64"] = "utf-8"
    snapshot: str | None = Field(None, description="digest of a production snapshot the gate holds "
                                                   "(default: the server's --snapshot)")
    scenario: str | None = Field(None, description="submit this scenario's bundle against its production")


class ReviewIn(BaseModel):
    statement: dict[str, Any] = Field(description="the statement from GET /submissions/{id}/statement, unchanged")
    signature: str = Field(description="base64 ed25519 signature over the canonical statement (shadow gate sign)")
    confirm: str | None = Field(None, description="destructive changes: the address of the most destructive resource")
    comment: str = ""


class WaiverIn(BaseModel):
    rule: str
    reason: str
    address: str | None = None


def submission_json(s: Settings, sub: Submission, request: Request) -> dict[str, Any]:
    return {**sub.summary(), "report_url": str(request.url_for("review_page", sid=sub.id)),
            "verdict": sub.report.get("verdict", {}), "findings": sub.findings}


@router.post("/bundles", status_code=201, summary="Submit a bundle: simulate it, judge it, queue it if promoted")
def post_bundle(body: BundleIn, request: Request, user: Caller) -> dict[str, Any]:
    s = settings(request)
    if body.scenario:
        sub = intake.submit_scenario(s.gate, user, s.scenarios, body.scenario, **s.simulation)
    elif body.files:
        sub = intake.submit_files(s.gate, user, body.files, s.snapshot_for(body.snapshot), encoding=body.encoding,
                                  **s.simulation)
    else:
        raise BadInput("send files (with bundle.yaml) or a scenario name", where="POST /bundles")
    return submission_json(s, sub, request)


@router.get("/submissions", summary="List submissions (agents: their own)")
def list_submissions(request: Request, user: Caller, status: str | None = None) -> list[dict]:
    s = settings(request)
    subs = s.gate.list(status=status, submitted_by=None if user.can_review else user.name)
    return [sub.summary() for sub in subs]


@router.get("/submissions/{sid}", summary="One submission: verdict, findings, approvals, applies")
def get_submission(sid: int, request: Request, user: Caller) -> dict[str, Any]:
    s = settings(request)
    sub = s.gate.get_for(user, sid)
    return {**submission_json(s, sub, request), "assessment": s.gate.assess(sid).to_json(),
            "reviews": [r.to_json() for r in s.gate.reviews(sid)],
            "waivers": [w.to_json() for w in s.gate.waivers(sid)],
            "applies": [a.to_json() for a in s.gate.applies(sid)]}


@router.get("/submissions/{sid}/report", summary="The report: json (default), text, markdown or html")
def get_report(sid: int, request: Request, user: Caller, format: str = "json") -> Any:
    from harness.report import RENDERERS

    s = settings(request)
    sub = s.gate.get_for(user, sid)
    if format == "json":
        return sub.report
    return PlainTextResponse(RENDERERS.get(format)(sub.report),
                             media_type="text/html" if format == "html" else "text/plain")


@router.get("/submissions/{sid}/statement", summary="The statement the caller signs to approve or reject")
def get_statement(sid: int, request: Request, user: Caller,
                  decision: Literal["approve", "reject"] = "approve") -> dict[str, Any]:
    if not user.can_review:
        raise NotPermitted(f"{user.name} is an agent: only reviewers approve or reject")
    return settings(request).gate.statement(sid, user.name, decision)


@router.get("/submissions/{sid}/approvals", summary="Reviews and whether the approvals hold now")
def get_approvals(sid: int, request: Request, user: Caller) -> dict[str, Any]:
    s = settings(request)
    s.gate.get_for(user, sid)
    return {"assessment": s.gate.assess(sid).to_json(), "reviews": [r.to_json() for r in s.gate.reviews(sid)]}


@router.post("/submissions/{sid}/approvals", status_code=201, summary="Approve with a signed statement")
def post_approval(sid: int, body: ReviewIn, request: Request, user: Caller) -> dict[str, Any]:
    return _review(sid, body, "approve", request, user)


@router.post("/submissions/{sid}/rejections", status_code=201, summary="Reject with a signed statement")
def post_rejection(sid: int, body: ReviewIn, request: Request, user: Caller) -> dict[str, Any]:
    return _review(sid, body, "reject", request, user)


def _review(sid: int, body: ReviewIn, decision: str, request: Request, user: User) -> dict[str, Any]:
    if body.statement.get("decision") != decision:
        raise BadInput(f"this route takes {decision} statements", where=f"submission {sid}")
    s = settings(request)
    review = s.gate.review(user, sid, body.statement, body.signature, confirm=body.confirm, comment=body.comment)
    return {"review": review.to_json(), "assessment": s.gate.assess(sid).to_json()}


@router.post("/submissions/{sid}/waivers", status_code=201, summary="Waive one blocking finding (reviewers)")
def post_waiver(sid: int, body: WaiverIn, request: Request, user: Caller) -> dict[str, Any]:
    s = settings(request)
    waiver = s.gate.waive(user, sid, body.rule, body.reason, body.address)
    return {"waiver": waiver.to_json(), "submission": s.gate.get(sid).summary()}


@router.get("/audit", summary="Audit entries (reviewers)")
def get_audit(request: Request, user: Caller, submission: int | None = None) -> list[dict]:
    if not user.can_review:
        raise NotPermitted(f"{user.name} is an agent: the audit log is for reviewers")
    return [e.to_json() for e in settings(request).gate.audit_entries(submission_id=submission)]


@router.get("/audit/verify", summary="Verify the audit chain")
def verify_audit(request: Request, user: Caller) -> dict[str, Any]:
    if not user.can_review:
        raise NotPermitted(f"{user.name} is an agent: the audit log is for reviewers")
    return settings(request).gate.verify_audit().to_json()


@router.get("/scenarios", summary="Scenarios the server can submit by name")
def get_scenarios(request: Request, user: Caller) -> list[dict[str, Any]]:
    del user
    return intake.scenario_list(settings(request).scenarios)
