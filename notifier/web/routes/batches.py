"""/batches (staff, admin): mail runs; the same services as `notifier batches`.

The list and a draft from a wave; each batch's page: its summary, freeze, print (a run of
tasks: the page follows its progress and returns at once), the preflight of its files, the
files to download, mark mailed with the actual postage, close and cancel. Print files and the
manifest hold personal data (names and addresses; letter ids and ZIP codes): each download is
recorded in the audit trail. Finance may not open these pages.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import NoReturn

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from notifier.audit import record_view
from notifier.batches.preflight import COVER, MANIFEST, preflight_batch
from notifier.batches.rules import load_waves
from notifier.batches.store import cancel_batch, close_batch, create_batch, freeze_batch, list_batches, mark_mailed, show_batch
from notifier.cli.common import parse_date
from notifier.costs.money import dollars, parse_dollars
from notifier.errors import InvalidInputError
from notifier.pipeline import latest_print_run, print_preflight, run_summary, start_print, stuck
from notifier.settings import Settings
from notifier.web.pages import page
from notifier.web.security import ADMIN, STAFF, Visitor, allow, db_session, form_with_csrf

router = APIRouter()
MENU = ("Batches", "batches", (STAFF, ADMIN))
ROLES = (STAFF, ADMIN)
REFRESH_SECONDS = 2
ACTIONS = ("freeze", "print", "mark-mailed", "close", "cancel")


@router.get("/batches", name="batches")
def batches(request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    waves = load_waves(request.app.state.settings.config_dir)
    return page(request, "batches.html", title="Batches", visitor=visitor, batches=list_batches(session), waves=waves, dollars=dollars)


@router.post("/batches")
async def create(request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    form = await form_with_csrf(request, visitor)
    batch_id = await run_in_threadpool(_create, session, request.app.state.settings, form, visitor.name)  # the event loop serves others meanwhile
    return _back_to(request, batch_id, "create")


def _create(session: Session, settings: Settings, form: dict[str, str], actor: str) -> int:
    limit = form.get("limit", "").strip()
    if limit and not (limit.isdigit() and int(limit) > 0):
        raise InvalidInputError(f"at most '{limit}' letters is not a number of letters", todo="write a whole number, or leave it empty for every letter")
    mail_date = parse_date(form.get("mail_date", "").strip(), "Mail date") or _required("Mail date")
    return create_batch(session, settings, mail_date=mail_date, wave=form.get("wave") or None, limit=int(limit) if limit else None, postage_class=None, actor=actor).id


@router.get("/batches/{batch_id}", name="batch")
def batch(request: Request, batch_id: int, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    summary = show_batch(session, batch_id)
    run_id = latest_print_run(session, batch_id)
    run = run_summary(session, run_id) if run_id else None
    stalled = bool(run) and stuck(run)  # failed tasks wait for staff: refreshing would change nothing
    running = bool(run) and not run["done"] and not stalled
    reload_seconds = REFRESH_SECONDS if running and request.query_params.get("refresh") != "off" else 0
    preflight = print_preflight(session, run_id) if run else None  # read back by the run itself: the page stays fast
    response = page(
        request,
        "batches_show.html",
        title=f"Batch {batch_id}",
        visitor=visitor,
        batch=summary,
        run=run,
        running=running,
        stuck=stalled,
        preflight=preflight,
        files=[Path(path).name for path in summary.files],
        personal=_personal,
        refresh_seconds=reload_seconds,
        done=request.query_params.get("done", ""),
        dollars=dollars,
    )
    return response


@router.get("/batches/{batch_id}/preflight", name="batch_preflight")
def preflight(request: Request, batch_id: int, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    """The batch's files read back again now (every problem listed); about a second and a half per 1,000 letters."""
    report = preflight_batch(session, request.app.state.settings, batch_id)
    return page(request, "batches_preflight.html", title=f"Preflight of batch {batch_id}", visitor=visitor, batch_id=batch_id, preflight=report, again=True)


@router.post("/batches/{batch_id}")
async def act(request: Request, batch_id: int, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    form = await form_with_csrf(request, visitor)
    action = form.get("action", "")
    await run_in_threadpool(_act, session, request.app.state.settings, batch_id, action, form, visitor.name)  # freezing 50,000 letters takes a while
    return _back_to(request, batch_id, action)


def _act(session: Session, settings: Settings, batch_id: int, action: str, form: dict[str, str], actor: str) -> None:
    """The one service of the action asked for."""
    if action == "freeze":
        freeze_batch(session, settings, batch_id, actor)
    elif action == "print":
        _start_printing(session, settings, batch_id, actor)
    elif action == "mark-mailed":
        mark_mailed(
            session,
            batch_id,
            actor,
            postage_cents=parse_dollars(form.get("postage", "").strip(), "Actual postage"),
            print_cents=parse_dollars(form.get("print", "").strip() or None, "Invoiced print cost"),
            envelope_cents=parse_dollars(form.get("envelopes", "").strip() or None, "Invoiced envelope cost"),
            statement=form.get("statement", "").strip() or _required("Postage statement number"),
            invoice=form.get("invoice", "").strip(),
        )
    elif action == "close":
        close_batch(session, batch_id, actor)
    elif action == "cancel":
        cancel_batch(session, batch_id, actor)
    else:
        raise InvalidInputError(f"no batch action '{action}'", todo=f"use one of: {', '.join(ACTIONS)}")


@router.get("/batches/{batch_id}/files/{name}", name="batch_file")
def batch_file(request: Request, batch_id: int, name: str, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    """One of the batch's files as written when it was printed (only those: a name is never a path)."""
    found = {Path(path).name: Path(path) for path in show_batch(session, batch_id).files}
    if name not in found or not found[name].is_file():
        raise HTTPException(status_code=404, detail=f"Batch {batch_id} has no file {name}.")
    if _personal(name):
        record_view(session, visitor.name, f"batches.{'manifest' if name == MANIFEST else 'print_file'}", [name], subject="batch", subject_id=batch_id)
    media = "text/csv" if name.endswith(".csv") else "application/pdf"
    return FileResponse(found[name], media_type=media, filename=f"batch-{batch_id}-{name}")


def _personal(name: str) -> bool:
    """Print files carry names and addresses, the manifest letter ids and ZIPs; the cover only counts."""
    return name != COVER


def _start_printing(session: Session, settings: Settings, batch_id: int, actor: str) -> None:
    """Plans the print run and returns at once: workers do it on a broker, a thread here otherwise."""
    from notifier.workers import enqueue_print, run_locally  # the broker is chosen when this is first imported

    if settings.broker_url:
        enqueue_print(settings.database_url, settings, batch_id, actor)
        return
    _, task_ids = start_print(session, settings, batch_id, actor)
    threading.Thread(target=run_locally, args=(settings.database_url, settings, task_ids), name=f"print-batch-{batch_id}", daemon=True).start()


def _back_to(request: Request, batch_id: int, action: str) -> RedirectResponse:
    return RedirectResponse(request.url_for("batch", batch_id=batch_id).path + f"?done={action}", status_code=303)


def _required(label: str) -> NoReturn:
    raise InvalidInputError(f"{label} is missing", todo=f"fill in the {label.lower()}")
