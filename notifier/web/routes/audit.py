"""/audit (admin): the audit trail, newest first, filtered by date, who and what.

Events name people and records by ids only (`notifier.audit`): reading the trail shows no
personal value, so it is not itself recorded.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from notifier.audit import list_events
from notifier.cli.common import parse_date
from notifier.web.pages import page
from notifier.web.security import ADMIN, Visitor, allow, db_session

router = APIRouter()
MENU = ("Audit", "audit", (ADMIN,))
LIMIT = 200


@router.get("/audit", name="audit")
def audit(request: Request, visitor: Visitor = Depends(allow(ADMIN)), session: Session = Depends(db_session)):
    query = {name: request.query_params.get(name, "").strip() for name in ("since", "actor", "action")}
    day = parse_date(query["since"], "Since")
    since = datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None
    events = list_events(session, since=since, actor=query["actor"], action=query["action"], limit=LIMIT)
    return page(request, "audit.html", title="Audit trail", visitor=visitor, events=events, query=query, limit=LIMIT)
