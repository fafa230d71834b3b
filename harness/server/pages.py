"""Review pages for people: log in with a token, see the queue, read a report, approve or reject.

Server-rendered (Jinja2, no script at all). Approving means pasting a signature made
with the reviewer's own key (``shadow gate sign``) over the statement shown on the
page: the server never holds a private key. A destructive change also needs the
address of its most destructive resource typed in.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from harness.errors import NotPermitted, ShadowError, Unauthenticated
from harness.gate.model import OPEN
from harness.gate.service import most_destructive
from harness.server.auth import COOKIE, SESSION_MAX_AGE_S, Session
from harness.server.settings import Settings

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("harness.server") / "templates"))


def settings(request: Request) -> Settings:
    return request.app.state.settings


def session_or_login(request: Request) -> Session | RedirectResponse:
    session = settings(request).auth.session(request)
    if session is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return session


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/login", name="login_page")
def login_page(request: Request, next: str = "/", error: str | None = None) -> HTMLResponse:
    return render(request, "login.html", next=_local(next), error=error)


@router.post("/login")
def login(request: Request, token: str = Form(...), next: str = Form("/")) -> Response:
    try:
        _user, value = settings(request).auth.login(token)
    except Unauthenticated as exc:
        return render(request, "login.html", status=401, next=_local(next), error=str(exc))
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(COOKIE, value, max_age=SESSION_MAX_AGE_S, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    session = session_or_login(request)
    if isinstance(session, Session):
        settings(request).auth.check_csrf(session, csrf)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/", name="queue_page")
def queue_page(request: Request) -> Response:
    session = session_or_login(request)
    if not isinstance(session, Session):
        return session
    gate = settings(request).gate
    subs = gate.list(submitted_by=None if session.user.can_review else session.user.name)
    rows = [{"sub": s, "assessment": gate.assess(s.id) if s.status in OPEN else None} for s in subs]
    open_rows = [r for r in rows if r["sub"].status in OPEN]
    closed_rows = [r for r in rows if r["sub"].status not in OPEN]
    return render(request, "queue.html", session=session, open_rows=open_rows, closed_rows=closed_rows)


@router.get("/review/{sid}", name="review_page")
def review_page(request: Request, sid: int, msg: str | None = None, error: str | None = None) -> Response:
    session = session_or_login(request)
    if not isinstance(session, Session):
        return session
    gate = settings(request).gate
    sub = gate.get_for(session.user, sid)
    reviewer = session.user.can_review and sub.status in OPEN
    statements = {}
    if reviewer:
        for decision in ("approve", "reject"):
            stmt = gate.statement(sid, session.user.name, decision)
            statements[decision] = json.dumps(stmt, sort_keys=True, separators=(",", ":"))
    return render(request, "review.html", session=session, sub=sub, doc=sub.report, verdict=sub.report["verdict"],
                  assessment=gate.assess(sid), reviews=gate.reviews(sid), waivers=gate.waivers(sid),
                  applies=gate.applies(sid), statements=statements, reviewer=reviewer,
                  is_author=session.user.name in sub.authors,
                  confirm_address=most_destructive(sub) if sub.destructive else None, msg=msg, error=error)


@router.get("/review/{sid}/report", name="report_page")
def report_page(request: Request, sid: int) -> Response:
    session = session_or_login(request)
    if not isinstance(session, Session):
        return session
    from harness.report import RENDERERS

    sub = settings(request).gate.get_for(session.user, sid)
    if "html" in RENDERERS:
        return HTMLResponse(RENDERERS.get("html")(sub.report))
    text = RENDERERS.get("text")(sub.report)
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>report {sid}</title>"
                        f"<pre style='white-space:pre-wrap'>{escape(text)}</pre>")


@router.post("/review/{sid}/{decision}")
def decide(request: Request, sid: int, decision: str, statement: str = Form(...), signature: str = Form(""),
           confirm: str = Form(""), comment: str = Form(""), csrf: str = Form("")) -> Response:
    session = session_or_login(request)
    if not isinstance(session, Session):
        return session
    s = settings(request)
    where = request.url_for("review_page", sid=sid)
    try:
        s.auth.check_csrf(session, csrf)
        if decision not in ("approve", "reject"):
            raise NotPermitted(f"unknown decision {decision!r}")
        stmt = json.loads(statement)
        if stmt.get("decision") != decision:
            raise NotPermitted("the statement does not match the button pressed")
        s.gate.review(session.user, sid, stmt, signature.strip(), confirm=confirm, comment=comment)
    except (ShadowError, ValueError, AttributeError) as exc:
        return RedirectResponse(f"{where}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"{where}?msg={quote(decision + 'd' if decision == 'approve' else 'rejected')}",
                            status_code=303)


def _local(target: str) -> str:
    """Only redirect inside this site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
