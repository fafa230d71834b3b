"""``create_app``: the FastAPI application (JSON API + review pages) over one Gate.

Errors keep their meaning over HTTP: bad input 400, unknown submission 404, no or
unknown token 401, a role that may not act 403, a gate rule 409. Every response
carries a strict Content-Security-Policy (the pages use no script at all), and the
interactive docs (which would load scripts from a CDN) are off; the OpenAPI document
is served at /openapi.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from harness import __version__
from harness.errors import BadInput, GateRefused, NotPermitted, ShadowError, Unauthenticated, UnknownSubmission
from harness.gate import Gate
from harness.server import api, pages
from harness.server.auth import Auth, session_secret
from harness.server.settings import Settings

CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
       "form-action 'self'; frame-ancestors 'self'; base-uri 'none'")


def status_of(err: ShadowError) -> int:
    if isinstance(err, Unauthenticated):
        return 401
    if isinstance(err, NotPermitted):
        return 403
    if isinstance(err, GateRefused):
        return 409
    if isinstance(err, UnknownSubmission):
        return 404
    if isinstance(err, BadInput):
        return 400
    return 500


def create_app(gate: Gate, *, snapshot: str | None = None, scenarios: Path | None = None,
               simulation: dict[str, Any] | None = None) -> FastAPI:
    """The app; ``snapshot`` is the digest of the default production snapshot (already stored)."""
    app = FastAPI(title="shadow gate", version=__version__, docs_url=None, redoc_url=None,
                  description="Submit change bundles (agents), read verdicts and reports, review them (people).")
    app.state.settings = Settings(gate=gate, auth=Auth(gate, session_secret(gate)), snapshot=snapshot,
                                  scenarios=scenarios or Path("scenarios"), simulation=dict(simulation or {}))
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(ShadowError)
    def shadow_error(request: Request, err: ShadowError) -> Response:
        status = status_of(err)
        if request.headers.get("authorization") or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": str(err), "what": err.what, "where": err.where, "hint": err.hint},
                                status_code=status)
        return pages.render(request, "error.html", status=status, session=None, error=str(err))

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if isinstance(response, HTMLResponse) or response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
