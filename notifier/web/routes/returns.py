"""/returns (staff, admin): the returns desk. Scan or type, Enter, next envelope.

The scan field (id `scan`) has the focus whenever the page loads: after each Enter the page
comes back (POST, redirect, GET) focused on it, with the reason still chosen, the confirmation
in a status message and the running tally. A refusal (a typo, an unmailed letter) comes back
at once with the message and the field focused; nothing was recorded.

The tally counts the visitor's own `return.record` audit events since they last signed in
(the trail already holds one per envelope recorded; a repeat scan records nothing): no state
kept in the browser or the URL, and it is the same on every worker of the app.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from notifier.accounts.store import list_users
from notifier.addresses.check import RawAddress, ZipDatabaseVerifier
from notifier.audit import list_events
from notifier.errors import NotifierError
from notifier.returns.rules import load_policy
from notifier.returns.store import FORWARD_FIELDS, record_return
from notifier.web.pages import STATUS, page
from notifier.web.security import ADMIN, STAFF, Visitor, allow, db_session, form_with_csrf

router = APIRouter()
MENU = ("Returns desk", "returns", (STAFF, ADMIN))
TALLY_LIMIT = 100_000  # events read for the tally: far more than a desk records in a sign-in


def _desk(request: Request, visitor: Visitor, session: Session, status_code: int = 200, *, reason: str = "", message: str = "", done: dict | None = None):
    policy = load_policy(request.app.state.settings.config_dir)
    since = next((user.last_login_at for user in list_users(session) if user.name == visitor.name), None)
    events = list_events(session, since=since, actor=visitor.name, action="return.record", limit=TALLY_LIMIT)
    tally = Counter(event.details.get("outcome", "") for event in events)
    return page(
        request, "returns.html", status_code, title="Returns desk", visitor=visitor, reasons=policy.reasons,
        reason=reason if reason in policy.reasons else next(iter(policy.reasons)), message=message, done=done,
        tally=tally, recorded=len(events), since=since,
    )


@router.get("/returns", name="returns")
def returns_desk(request: Request, visitor: Visitor = Depends(allow(STAFF, ADMIN)), session: Session = Depends(db_session)):
    query = request.query_params
    done = {key: query.get(key, "") for key in ("letter", "outcome", "was", "attempt", "already")} if query.get("letter") else None
    return _desk(request, visitor, session, reason=query.get("reason", ""), done=done)


@router.post("/returns")
async def record(request: Request, visitor: Visitor = Depends(allow(STAFF, ADMIN)), session: Session = Depends(db_session)):
    form = await form_with_csrf(request, visitor)
    reason = form.get("reason", "")
    forward = RawAddress(**{name: form.get(f"forward_{name}", "").strip() for name in FORWARD_FIELDS})
    try:
        recorded = record_return(
            session, load_policy(request.app.state.settings.config_dir), ZipDatabaseVerifier(), letter_text=form.get("scan", ""),
            reason=reason, returned_on=date.today(), forward=forward, note="", actor=visitor.name,
        )
    except NotifierError as exc:  # back to the desk at once, focused on the scan field: the next envelope waits
        session.rollback()
        return _desk(request, visitor, session, STATUS.get(exc.code, 500), reason=reason, message=str(exc))
    query = {"letter": recorded.letter_id, "outcome": recorded.outcome, "was": recorded.reason, "attempt": recorded.attempt,
             "already": int(recorded.already), "reason": reason}  # ids and codes only
    return RedirectResponse(f"{request.url_for('returns').path}?{urlencode(query)}", status_code=303)
