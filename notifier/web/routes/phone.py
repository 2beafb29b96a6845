"""/phone (staff, admin): a person calls about a letter: what was sent, when, to which address, what came back.

Found by the letter id (a GET: the URL holds only that id) or by last name and date of birth
(a POST, so neither is ever in a URL; it redirects to the person ids found). The history is one
read, `notifier.returns.history.person_history`; showing it is a view of personal data.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from notifier.audit import record_view
from notifier.errors import InvalidInputError, NotifierError
from notifier.returns.history import person_history
from notifier.returns.rules import load_policy
from notifier.web.pages import STATUS, page
from notifier.web.security import ADMIN, STAFF, Visitor, allow, db_session, form_with_csrf

router = APIRouter()
MENU = ("Phone desk", "phone", (STAFF, ADMIN))


@router.get("/phone", name="phone")
def phone(
    request: Request,
    letter: str = "",
    person: list[str] = Query(default=[]),
    found: str = "",
    visitor: Visitor = Depends(allow(STAFF, ADMIN)),
    session: Session = Depends(db_session),
):
    people, message, status = None, "", 200
    if letter.strip() or person:
        try:
            people = person_history(session, letter_text=letter, person_ids=person)
        except NotifierError as exc:
            message, status = str(exc), STATUS.get(exc.code, 500)
        if people:
            record_view(session, visitor.name, "phone.history", [p.person_id for p in people])
    elif found == "0":
        people = []
    reasons = load_policy(request.app.state.settings.config_dir).reasons
    return page(request, "phone.html", status, title="Phone desk", visitor=visitor, letter=letter.strip(), people=people, message=message, reasons=reasons)


@router.post("/phone")
async def find_caller(request: Request, visitor: Visitor = Depends(allow(STAFF, ADMIN)), session: Session = Depends(db_session)):
    form = await form_with_csrf(request, visitor)
    born = form.get("date_of_birth", "").strip()
    try:
        date_of_birth = date.fromisoformat(born) if born else None
    except ValueError:
        raise InvalidInputError("the date of birth is not a date", todo="give it as year-month-day, for example 1980-02-29") from None
    people = person_history(session, last_name=form.get("last_name", ""), date_of_birth=date_of_birth)
    query = urlencode([("person", p.person_id) for p in people]) if people else "found=0"  # ids only: never the name or the date
    return RedirectResponse(f"{request.url_for('phone').path}?{query}", status_code=303)
