"""/ : counts per step and what needs attention (counts only: every role may see it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from notifier.status import status
from notifier.web.pages import page
from notifier.web.security import EVERYONE, Visitor, allow, db_session

router = APIRouter()
MENU = ("Dashboard", "dashboard", EVERYONE)


def attention(counts: dict) -> list[tuple[str, int, str]]:
    """(what, how many, who acts) for everything that waits for a person, in the order staff work it."""
    letters, addresses = counts["letters"], counts["addresses"]
    batches = counts["batches"]
    items = [
        ("Rows to fix in the quarantine", counts["quarantined"] + counts["conflicts"], "staff"),
        ("Addresses in the review queue", addresses.get("needs_review", 0) + addresses.get("undeliverable", 0), "staff"),
        ("Identity conflicts (letters held)", counts["identity_conflicts"], "staff"),
        ("Decisions not final yet", counts["not_final"], "staff"),
        ("Letters that failed their print checks", letters.get("failed", 0), "staff"),
        ("Tasks parked after failing", counts["failed"], "admin"),
        ("Batches not mailed yet", sum(batches.get(state, 0) for state in ("draft", "frozen", "printed")), "staff"),
    ]
    return [item for item in items if item[1]]


@router.get("/", name="dashboard")
def dashboard(request: Request, visitor: Visitor = Depends(allow(*EVERYONE)), session: Session = Depends(db_session)):
    counts = status(session)
    return page(request, "dashboard.html", title="Dashboard", visitor=visitor, counts=counts, attention=attention(counts))
