"""/users (admin): accounts and roles; the same services as `notifier users`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from notifier.accounts.store import ROLES, add_user, disable_user, list_users, reset_password
from notifier.web.pages import page
from notifier.web.security import ADMIN, Visitor, allow, db_session, form_with_csrf

router = APIRouter()
MENU = ("Users", "users", (ADMIN,))


@router.get("/users", name="users")
def users(request: Request, visitor: Visitor = Depends(allow(ADMIN)), session: Session = Depends(db_session)):
    return page(request, "users.html", title="Users", visitor=visitor, users=list_users(session), roles=ROLES, done=request.query_params.get("done", ""))


@router.post("/users")
async def change_user(request: Request, visitor: Visitor = Depends(allow(ADMIN)), session: Session = Depends(db_session)):
    form = await form_with_csrf(request, visitor)
    action, name = form.get("action", ""), form.get("name", "").strip()
    if action == "add":
        add_user(session, name, form.get("role", ""), form.get("password", ""), actor=visitor.name)
    elif action == "disable":
        disable_user(session, name, actor=visitor.name)
    elif action == "reset":
        reset_password(session, name, form.get("password", ""), actor=visitor.name)
    return RedirectResponse(request.url_for("users").path + f"?done={action}", status_code=303)
