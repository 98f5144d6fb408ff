"""Logins, sessions and roles on the web: the FastAPI side of ``hub/access.py``.

Every route but the login page and the static files names the roles it serves with
``Depends(need(...))``. Without a session a page sends the browser to the login page and an
API route answers 401; with a session but not the role, 403. Every form that changes
something carries the session's CSRF token; the login form, before there is a session,
carries a token that must match a cookie set with the form (double submit).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData

from hub import access
from hub.store.users import Session
from hub.web.texts import LANGUAGES, Language

SESSION_COOKIE = "tourkasse_session"
LOGIN_COOKIE = "tourkasse_login"
LANGUAGE_COOKIE = "lang"


class NotLoggedIn(Exception):
    """No valid session: a page goes to the login, an API route answers 401."""


class NotAllowed(Exception):
    """A session without the role this route serves."""


class CsrfRefused(Exception):
    """A form without the right token: not sent from our own page, or stale."""


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/events"


def language(request: Request) -> Language:
    chosen = request.cookies.get(LANGUAGE_COOKIE, "de")
    return chosen if chosen in LANGUAGES else "de"  # type: ignore[return-value]


def login_target(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += f"?{request.url.query}"
    return f"/login?next={quote(target, safe='')}"


def safe_next(target: str | None) -> str:
    """Only a path of this site: never send someone elsewhere after logging in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def need(*roles: str) -> Callable[[Request], Session]:
    """A dependency: the request's session, if it holds one of ``roles`` (any role if none)."""

    def check(request: Request) -> Session:
        stores = request.app.state.stores
        now = datetime.now(UTC)
        with stores() as store:
            session = access.session_of(store.users, request.cookies.get(SESSION_COOKIE), now)
            if session is None:
                session = _token_session(request, store.users, now)
        if session is None:
            raise NotLoggedIn()
        if roles and not (session.user.roles & set(roles)):
            raise NotAllowed()
        request.state.session = session
        return session

    return check


def _token_session(request: Request, users: Any, now: datetime) -> Session | None:
    """An accountant's tool reads the API with a token (``Authorization: Bearer tk_…``).

    Only to read: a token opens no form (it has no CSRF token) and no page."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    if request.method not in ("GET", "HEAD") or not request.url.path.startswith("/api/"):
        return None
    user = access.token_owner(users, token.strip(), now)
    if user is None:
        return None
    # no CSRF token: posted() refuses every form sent with this session
    return Session(user, csrf="", expires_at=now)


async def posted(request: Request, session: Session) -> FormData:
    """The form of a POST, once its CSRF token is checked."""
    form = await request.form()
    token = form.get("csrf") or request.headers.get("x-csrf-token")
    if not access.csrf_matches(session, token if isinstance(token, str) else None):
        raise CsrfRefused()
    return form


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def login_token_matches(request: Request, sent: Any) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE)
    return bool(cookie) and isinstance(sent, str) and secrets.compare_digest(cookie, sent)


def session_lifetime(hours: int) -> timedelta:
    return timedelta(hours=hours)
