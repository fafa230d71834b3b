"""Who is calling: bearer tokens for the API, a signed session cookie and CSRF tokens for pages.

The session cookie names the user and the hash of the token they logged in with, so
replacing a user's token ends their sessions. Every form carries the session's CSRF
token; a POST without the matching one is refused.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from harness.errors import NotPermitted, Unauthenticated
from harness.gate import Gate
from harness.gate.model import User

COOKIE = "shadow_session"
SESSION_MAX_AGE_S = 12 * 3600
SECRET_KEY = "session_secret"


def session_secret(gate: Gate) -> str:
    """A random secret kept in the store, so sessions survive a restart and are shared by replicas."""
    with gate.store.tx() as tx:
        secret = tx.get_meta(SECRET_KEY)
        if secret is None:
            secret = secrets.token_urlsafe(48)
            tx.set_meta(SECRET_KEY, secret)
    return secret


@dataclass
class Session:
    user: User
    csrf: str


class Auth:
    def __init__(self, gate: Gate, secret: str):
        self.gate = gate
        self.signer = URLSafeTimedSerializer(secret, salt="shadow-session")

    def bearer(self, request: Request) -> User:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("no bearer token", hint="Send Authorization: Bearer <token>")
        return self.gate.authenticate(token.strip())

    def login(self, token: str) -> tuple[User, str]:
        """Check a token; return the user and the cookie value of a new session."""
        user = self.gate.authenticate(token)
        value = self.signer.dumps({"u": user.name, "h": user.token_hash, "c": secrets.token_urlsafe(24)})
        return user, value

    def session(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self.signer.loads(raw, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        user = self.gate.users().get(data.get("u", ""))
        if user is None or not user.token_hash or not hmac.compare_digest(user.token_hash, data.get("h", "")):
            return None  # the token was replaced: the session ends
        return Session(user, data["c"])

    @staticmethod
    def check_csrf(session: Session, sent: str | None) -> None:
        if not sent or not hmac.compare_digest(session.csrf, sent):
            raise NotPermitted("the form's CSRF token is missing or wrong", hint="Reload the page and try again")
