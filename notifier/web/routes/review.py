"""/review (staff, admin): the address review queue, one item at a time, worked with the keyboard.

Each item shows the address as imported beside the standardized one, why it waits and the
suggested fix; the clerk accepts the suggestion, edits the fields or marks it undeliverable
(the same `fix_address` as `notifier addresses fix`), and lands on the next item. Every item
shown is a view of personal data and is audited by its notice id.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from notifier.addresses.check import AddressStatus, ZipDatabaseVerifier
from notifier.addresses.store import Fix, fix_address, review_queue
from notifier.audit import record_view
from notifier.errors import InvalidInputError
from notifier.web.pages import page
from notifier.web.security import ADMIN, STAFF, Visitor, allow, db_session, form_with_csrf

router = APIRouter()
MENU = ("Review", "review", (STAFF, ADMIN))
ROLES = (STAFF, ADMIN)

FIELDS = (("line1", "Line 1"), ("line2", "Line 2"), ("city", "City"), ("state", "State"), ("zip", "ZIP"))
STATUSES = {AddressStatus.VERIFIED, AddressStatus.CORRECTED, AddressStatus.NEEDS_REVIEW, AddressStatus.UNDELIVERABLE}
KEYS = {"accept": "a", "edit": "s", "undeliverable": "u", "next": "n"}


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


@router.get("/review", name="review")
def review(request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    """The first item after notice `after` (from the start again past the last one)."""
    queue = review_queue(session)
    after = _number(request.query_params.get("after"))
    item = next((waiting for waiting in queue if waiting.notice_id > after), queue[0] if queue else None)
    if item is not None:
        record_view(session, visitor.name, "review.item", [item.notice_id], subject="notice", subject_id=item.notice_id)
    status = request.query_params.get("status", "")
    return page(
        request, "review.html", title="Address review", visitor=visitor, item=item, total=len(queue),
        position=queue.index(item) + 1 if item is not None else 0, fields=FIELDS, labels=dict(FIELDS), keys=KEYS,
        fixed=_number(request.query_params.get("fixed")), status=status if status in STATUSES else "",
    )


@router.post("/review", name="review_fix")
async def fix(request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    form = await form_with_csrf(request, visitor)
    notice_id = _number(form.get("notice_id"))
    if not notice_id:
        raise InvalidInputError(f"'{form.get('notice_id', '')}' is not a notice id", todo="open the item from the review queue")
    result = fix_address(session, _fix_of(form, notice_id), ZipDatabaseVerifier(), visitor.name)
    return RedirectResponse(request.url_for("review").path + f"?after={notice_id}&fixed={notice_id}&status={result.status}", status_code=303)


def _fix_of(form: dict[str, str], notice_id: int) -> Fix:
    """The clerk's choice as a Fix: the suggestion, the fields they changed, or undeliverable with a reason."""
    action = form.get("action", "")
    if action == "accept":
        return Fix(notice_id, accept_suggestion=True)
    if action == "edit":
        typed = {name: form.get(name, "").strip() for name, _ in FIELDS}
        return Fix(notice_id, changes={name: text for name, text in typed.items() if text != form.get(f"was_{name}", "").strip()})
    if action == "undeliverable":
        reason = form.get("reason", "").strip()
        if not reason:
            raise InvalidInputError("no reason given for giving up on the address", todo="say why it is undeliverable, for example 'no such street'")
        return Fix(notice_id, undeliverable=reason)
    raise InvalidInputError(f"'{action}' is not a review action", todo="accept the suggestion, edit the address or mark it undeliverable")
