"""/login and /logout."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from notifier.accounts.store import log_in, log_out
from notifier.errors import NotifierError
from notifier.web.pages import page
from notifier.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Visitor, current_visitor, db_session, form_with_csrf, new_login_csrf, set_cookie

router = APIRouter()


def _login_page(request: Request, message: str = "", status_code: int = 200):
    token = new_login_csrf()
    response = page(request, "login.html", status_code, title="Sign in", csrf_token=token, message=message)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login", name="login_form")
def login_form(request: Request):
    return _login_page(request)


@router.post("/login")
async def login(request: Request, session: Session = Depends(db_session)):
    form = {key: str(value) for key, value in (await request.form()).items()}
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(form.get("csrf_token", ""), expected):
        raise HTTPException(status_code=403, detail="The sign-in form expired. Reload the page and try again.")
    address = request.client.host if request.client else ""
    try:
        signed_in = log_in(session, form.get("username", "").strip(), form.get("password", ""), address=address)
    except NotifierError as exc:
        return _login_page(request, exc.what, 401 if exc.code == "invalid_input" else 429)
    response = RedirectResponse(request.url_for("dashboard").path, status_code=303)
    set_cookie(response, request, SESSION_COOKIE, signed_in.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, visitor: Visitor = Depends(current_visitor), session: Session = Depends(db_session)):
    await form_with_csrf(request, visitor)
    log_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse(request.url_for("login_form").path, status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
