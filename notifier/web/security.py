"""Who is asking, and may they: sessions from the cookie, roles per page, CSRF on every form.

Sessions live in the database (notifier.accounts): disabling a user ends them at once. The
cookie holds only a random token; it is HttpOnly, SameSite=Lax, and Secure when the request
came over HTTPS (directly or, behind a reverse proxy, as its forwarded headers say). Every
POST carries the session's CSRF token in a hidden field `csrf_token` and is refused with 403
without it. A page a role may not see answers 403; it is not merely left out of the menu.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Iterator

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from notifier.accounts.store import SessionUser, session_user
from notifier.db import session_for

SESSION_COOKIE = "notifier_session"
LOGIN_CSRF_COOKIE = "notifier_login_csrf"
STAFF, FINANCE, ADMIN = "staff", "finance", "admin"
EVERYONE = (STAFF, FINANCE, ADMIN)


class LoginRequired(Exception):
    """No valid session: the app answers with a redirect to /login (no personal data in it)."""


def db_session(request: Request) -> Iterator[Session]:
    with session_for(request.app.state.settings.database_url) as session:
        yield session


@dataclass(frozen=True)
class Visitor:
    """The logged-in user as pages see them."""

    name: str
    role: str
    csrf_token: str

    def may(self, *roles: str) -> bool:
        return self.role in roles


def current_visitor(request: Request, session: Session = Depends(db_session)) -> Visitor:
    token = request.cookies.get(SESSION_COOKIE, "")
    found: SessionUser | None = session_user(session, token) if token else None
    if found is None:
        raise LoginRequired()
    return Visitor(found.name, found.role, found.csrf_token)


def allow(*roles: str):
    """A dependency: the visitor, if their role may see the page; 403 otherwise."""

    def check(visitor: Visitor = Depends(current_visitor)) -> Visitor:
        if visitor.role not in roles:
            raise HTTPException(status_code=403, detail="This page is not for your role.")
        return visitor

    return check


async def form_with_csrf(request: Request, visitor: Visitor) -> dict[str, str]:
    """The posted form, refused with 403 unless it carries the session's CSRF token."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    if not hmac.compare_digest(form.get("csrf_token", ""), visitor.csrf_token):
        raise HTTPException(status_code=403, detail="The form expired or did not come from this site. Reload the page and try again.")
    return form


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=is_https(request), path="/")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)
