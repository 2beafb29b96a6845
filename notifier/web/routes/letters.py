"""/letters (staff, admin): find letters by letter id, IMb digits or person id; a letter's PDF.

The same services as `notifier letters find|list|proof`. A search is a GET (the URL holds only
the id typed); the PDF is drawn again from the letter's notice into a temporary file, as a
print file draws it. Both are views of personal data and go to the audit trail.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from notifier.audit import record_view
from notifier.errors import NotifierError
from notifier.letters.ids import make_letter_id
from notifier.letters.renderer import Renderer
from notifier.letters.store import letter_proof, search_letters
from notifier.web.pages import STATUS, page
from notifier.web.security import ADMIN, STAFF, Visitor, allow, db_session

router = APIRouter()
MENU = ("Letters", "letters", (STAFF, ADMIN))


@router.get("/letters", name="letters")
def letters(request: Request, q: str = "", visitor: Visitor = Depends(allow(STAFF, ADMIN)), session: Session = Depends(db_session)):
    found, message, status = None, "", 200
    if q.strip():
        try:
            found = search_letters(session, q)
        except NotifierError as exc:
            message, status = str(exc), STATUS.get(exc.code, 500)
        if found:
            record_view(session, visitor.name, "letters.search", [row.letter_id for row in found])
    return page(request, "letters.html", status, title="Letters", visitor=visitor, q=q.strip(), found=found, message=message)


@router.get("/letters/{letter_number}.pdf", name="letter_pdf")
def letter_pdf(letter_number: int, request: Request, visitor: Visitor = Depends(allow(STAFF, ADMIN)), session: Session = Depends(db_session)):
    renderer = Renderer.from_settings(request.app.state.settings)
    letter_id = make_letter_id(letter_number)
    with tempfile.TemporaryDirectory(prefix="notifier-letter-") as folder:
        drawn = letter_proof(session, renderer, letter_number, Path(folder) / f"letter-{letter_id}.pdf")
        content = drawn.path.read_bytes()
    record_view(session, visitor.name, "letters.pdf", [letter_id], subject="letter", subject_id=letter_number)
    return Response(content, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="letter-{letter_id}.pdf"'})
