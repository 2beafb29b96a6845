"""/imports (staff, admin): upload a decision file or an address file, watch it run, each run's quarantine.

An upload is saved under the output folder (uploads/, owner-only) and imported in a thread
of its own, in a session of its own, through the same services as `notifier import` and
`notifier addresses import`: the request returns at once and the page refreshes itself while
anything runs. Decision imports are import runs in the database (their counts, their
quarantined rows with reasons, a CSV of the rows to fix); an address file is no run, so its
result (counts, and the rows not attached) is kept with the upload in this server process.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlmodel import Session
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from notifier.addresses.check import ZipDatabaseVerifier
from notifier.csvfiles import private_dir
from notifier.audit import record_view
from notifier.db import session_for
from notifier.errors import InvalidInputError, NotifierError
from notifier.intake import quarantine
from notifier.intake.address_file import import_addresses
from notifier.intake.mapping import Mapping, load_mapping
from notifier.intake.readers import detect_format
from notifier.intake.runs import COUNTS, get_import_run, list_import_runs, mapping_names
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.pipeline import run_summary, stage_file
from notifier.settings import Settings
from notifier.web.pages import page
from notifier.web.security import ADMIN, STAFF, Visitor, allow, db_session, form_with_csrf
from notifier.workers import run_locally

log = logging.getLogger(__name__)

router = APIRouter()
MENU = ("Imports", "imports", (STAFF, ADMIN))
ROLES = (STAFF, ADMIN)

DECISIONS, ADDRESSES = "decisions", "addresses"
REFRESH_SECONDS = 2
SHOWN_ROWS = 500  # quarantined rows or address problems on one page; the download has them all
KEPT_UPLOADS = 50
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Upload:
    """One uploaded file and what became of it (in this server process)."""

    id: int
    kind: str
    file: str
    mapping: str
    by: str
    started_at: datetime
    state: str = "running"  # running, done, failed
    message: str = ""
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)  # an address file's rows not attached: line, person_id, field, message

    @property
    def running(self) -> bool:
        return self.state == "running"


class Uploads:
    """The app's recent uploads, newest first; the import threads write their outcome here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Upload] = []
        self._ids = itertools.count(1)

    def add(self, kind: str, file: str, mapping: str, by: str) -> Upload:
        with self._lock:
            upload = Upload(next(self._ids), kind, file, mapping, by, datetime.now(timezone.utc))
            self._items.insert(0, upload)
            del self._items[KEPT_UPLOADS:]
            return upload

    def recent(self) -> list[Upload]:
        with self._lock:
            return list(self._items)

    def get(self, upload_id: int) -> Upload:
        found = next((upload for upload in self.recent() if upload.id == upload_id), None)
        if found is None:
            raise HTTPException(status_code=404, detail=f"No upload {upload_id} in this server's recent uploads (they are kept until it restarts).")
        return found


def uploads_of(request: Request) -> Uploads:
    state = request.app.state
    if not hasattr(state, "uploads"):
        state.uploads = Uploads()
    return state.uploads


@router.get("/imports", name="imports")
def imports(request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    settings: Settings = request.app.state.settings
    runs = list_import_runs(session)
    uploads = uploads_of(request).recent()
    running = any(upload.running for upload in uploads) or any(run.running for run in runs)
    still = request.query_params.get("refresh") == "off"
    return page(
        request, "imports.html", title="Imports", visitor=visitor, runs=runs, uploads=uploads, mappings=mapping_names(settings.config_dir),
        running=running, refresh=REFRESH_SECONDS if running and not still else 0, started=request.query_params.get("started", ""),
    )


@router.post("/imports", name="imports_upload")
async def upload(request: Request, visitor: Visitor = Depends(allow(*ROLES))):
    form = await form_with_csrf(request, visitor)
    settings: Settings = request.app.state.settings
    kind = form.get("kind", "")
    if kind not in (DECISIONS, ADDRESSES):
        raise InvalidInputError(f"'{kind}' is not a kind of file to import", todo="upload a decision file or an address file")
    received = (await request.form()).get("file")
    if not isinstance(received, UploadFile) or not received.filename:
        raise InvalidInputError("no file was chosen", todo="choose the file to import")
    name = safe_file_name(received.filename)
    fmt = (form.get("format") or None) if kind == DECISIONS else None
    if kind == DECISIONS:
        detect_format(Path(name), fmt)  # refused now, not in the thread: a CSV or JSONL file
    mapping = _mapping(settings, form.get("mapping", ""), form.get("decision_date", "") if kind == DECISIONS else "")
    path = await _save(received, settings.output_dir / "uploads", name)
    started = uploads_of(request).add(kind, name, mapping.name, visitor.name)
    threading.Thread(target=_import, args=(settings, started, path, mapping, fmt), name=f"import-upload-{started.id}").start()
    return RedirectResponse(request.url_for("imports").path + f"?started={started.id}", status_code=303)


def safe_file_name(given: str) -> str:
    """The uploaded file's own name (runs and messages show it), without folders or odd characters."""
    name = _SAFE_NAME.sub("_", Path(given.replace("\\", "/")).name).strip("._")[-100:]
    return name or "upload"


def _mapping(settings: Settings, name: str, decision_date: str) -> Mapping:
    """The chosen mapping ("" is none), with the decision date as a fixed value (as `--decision-date` gives it)."""
    if name and name not in mapping_names(settings.config_dir):
        raise InvalidInputError(f"'{name}' is not one of the column mappings", todo="choose a mapping from the list, or none")
    mapping = load_mapping(settings.config_dir, name or None)
    if not decision_date.strip():
        return mapping
    try:
        day = date.fromisoformat(decision_date.strip())
    except ValueError:
        raise InvalidInputError(f"decision date '{decision_date}' is not a date", todo="write it as YYYY-MM-DD") from None
    return mapping.with_fixed(decision_date=day.isoformat())


async def _save(received: UploadFile, uploads: Path, name: str) -> Path:
    """Writes the upload into a folder of its own under `uploads` (folders 0o700, the file 0o600)."""
    private_dir(uploads)
    folder = Path(tempfile.mkdtemp(prefix=datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-"), dir=uploads))  # mkdtemp: 0o700
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        while block := await received.read(1 << 20):
            handle.write(block)
    return path


def _import(settings: Settings, upload: Upload, path: Path, mapping: Mapping, fmt: str | None) -> None:
    """The work of an upload, in its own thread: a decision file goes the way of `notifier run`
    (import, address checks, letters, as tasks done here), an address file is attached and the
    letters it makes possible are rendered. Its outcome goes onto `upload`."""
    try:
        if upload.kind == DECISIONS:
            with session_for(settings.database_url) as session:
                run_id, task_ids = stage_file(session, settings, path, fmt=fmt, mapping=mapping, encoding=None, actor=upload.by)
                upload.run_id = run_summary(session, run_id)["import_run_id"]
            run_locally(settings.database_url, settings, task_ids)
            with session_for(settings.database_url) as session:
                row = get_import_run(session, upload.run_id)
                upload.counts = {name: getattr(row, name) for name in COUNTS}
        else:
            with session_for(settings.database_url) as session:
                result = import_addresses(session, path, mapping=mapping, verifier=ZipDatabaseVerifier(), actor=upload.by)
                upload.counts, upload.problems = result.counts(), result.errors
                render_letters(session, Renderer.from_settings(settings))
        upload.state = "done"
    except NotifierError as exc:
        upload.message, upload.state = str(exc).replace(str(path), upload.file), "failed"
    except Exception:
        log.exception("import of upload %s failed", upload.id)
        upload.message, upload.state = "the import stopped unexpectedly; the server's log has the details", "failed"


@router.get("/imports/uploads/{upload_id}", name="imports_upload_problems")
def upload_problems(upload_id: int, request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    """An address file's rows that were not attached, with their reasons (person ids: audited)."""
    found = uploads_of(request).get(upload_id)
    shown = found.problems[:SHOWN_ROWS]
    record_view(session, visitor.name, "imports.address_problems", sorted({p["person_id"] for p in shown if p["person_id"]}), subject="address_file")
    return page(request, "imports_upload.html", title=f"Address file {found.file}", visitor=visitor, upload=found, problems=shown, limit=SHOWN_ROWS)


@router.get("/imports/{run_id}", name="import_run")
def import_run(run_id: int, request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    run = get_import_run(session, run_id)
    everything = request.query_params.get("all") == "1"
    rows = quarantine.list_rows(session, run=run_id, include_resolved=everything, limit=SHOWN_ROWS + 1)
    record_view(session, visitor.name, "imports.quarantine", [row.id for row in rows[:SHOWN_ROWS]], subject="import_run", subject_id=run_id)
    return page(
        request, "imports_run.html", title=f"Import run {run_id}", visitor=visitor, run=run, rows=rows[:SHOWN_ROWS], more=len(rows) > SHOWN_ROWS,
        everything=everything, limit=SHOWN_ROWS, refresh=REFRESH_SECONDS if run.running and request.query_params.get("refresh") != "off" else 0,
    )


@router.get("/imports/{run_id}/rows-to-fix.csv", name="import_run_rows")
def rows_to_fix(run_id: int, request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    """The run's quarantined rows not settled yet, as `notifier quarantine export --run` writes them (audited)."""
    settings: Settings = request.app.state.settings
    get_import_run(session, run_id)
    folder = Path(tempfile.mkdtemp(prefix="notifier-rows-"))
    try:
        exported = quarantine.export(session, folder / "rows.csv", settings.config_dir, run=run_id)
        record_view(session, visitor.name, "imports.rows_download", [row.id for row in quarantine.list_rows(session, run=run_id)], subject="import_run", subject_id=run_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(exported.path, media_type="text/csv; charset=utf-8", filename=f"import-run-{run_id}-rows-to-fix.csv",
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
