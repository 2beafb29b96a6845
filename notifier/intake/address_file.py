"""Addresses from a second file (DMV, state ID, a legal-aid list) for people whose decisions came without one.

One CSV row per person: `person_id`, `address_line1`, `address_line2`, `city`, `state`, `zip`
and optionally `language` (an office maps its own headers with a mapping's `[columns]`).
The file is checked as a whole before anything is written (readable, a usable header); then
every row ends up in exactly one count, so that nothing is dropped:

- `attached`: the row's address (and language) went onto the person's open notice, and the
  address was checked as `verify` checks it. The Address row records where it came from
  (source `address_file`, detail `<file name>:<line>`), so a later `verify` never puts the
  decisions' older address back;
- `unchanged`: the notice already has this address from an address file (the same row
  imported again, or repeated in the file), or staff fixed the address by hand: a staff fix
  is never replaced (reported with a note);
- `unknown_person`: no open notice has this person id;
- `invalid`: the row breaks a rule (reported with line, field and reason), or the file gives
  the same person different addresses (none of them is used).

Work is committed chunk by chunk; running the same file again (after an interruption too)
ends in the same state.
"""

from __future__ import annotations

import codecs
import csv
import logging
from dataclasses import asdict, dataclass, field
from itertools import chain
from pathlib import Path
from typing import Iterator

from sqlmodel import Session, select

from notifier.addresses.check import RawAddress, Verifier
from notifier.addresses.states import state_code
from notifier.addresses.store import address_values, raw_of_address, refuse_dead
from notifier.errors import ConfigError, InputFileError
from notifier.intake.fields import ADDRESS_FIELDS, MAX_TEXT
from notifier.intake.mapping import Mapping
from notifier.intake.rules import LANGUAGE, ZIP, Problem
from notifier.models import Address, AuditEvent, Notice, NoticeStatus, utcnow

log = logging.getLogger(__name__)

SOURCE = "address_file"
COLUMNS: tuple[str, ...] = ("person_id", *ADDRESS_FIELDS, "language")
REQUIRED_COLUMNS: tuple[str, ...] = ("person_id", "address_line1")
CHUNK_ROWS = 1000


@dataclass
class AddressImport:
    """What one address file did, row by row; `read` = attached + unchanged + unknown_person + invalid."""

    read: int = 0
    attached: int = 0
    unchanged: int = 0
    unknown_person: int = 0
    invalid: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line", "person_id", "field", "message"}: every row not attached, and notes

    def as_dict(self) -> dict:
        return asdict(self)  # read, attached, unchanged, unknown_person, invalid, errors

    def counts(self) -> dict[str, int]:
        return {name: value for name, value in self.as_dict().items() if name != "errors"}

    def note(self, line: int, person_id: str, field_name: str, message: str) -> None:
        self.errors.append({"line": line, "person_id": person_id, "field": field_name, "message": message})


@dataclass(frozen=True)
class AddressRow:
    """One valid row: the address as validated (state as a code, ZIP with its zeros), language or ""."""

    line: int
    person_id: str
    address: RawAddress
    language: str

    def key(self) -> int:
        """Equal for rows that say the same (a file may repeat a row)."""
        return hash((self.address, self.language))


@dataclass(slots=True)
class _Seen:
    """One person id's rows in a file: the first valid one, every valid line, and whether they disagree."""

    first_line: int
    key: int
    lines: list[int]
    differ: bool = False


def check_row(line: int, row: dict[str, str]) -> AddressRow | list[Problem]:
    """A pure rule: one row (canonical field -> text) as an AddressRow, or its problems.

    The address rules are a decision's (intake/rules.py), except that here an address is the
    point of the row: a row without one is invalid.
    """
    values = {name: (row.get(name) or "").strip() for name in COLUMNS}
    problems = [
        Problem(name, "too_long", f"{name} is {len(text)} characters long; at most {MAX_TEXT} are allowed")
        for name, text in values.items()
        if len(text) > MAX_TEXT
    ]
    if not values["person_id"]:
        problems.append(Problem("person_id", "required", "person_id is required but empty"))
    state, zip_code = state_code(values["state"]), _zip(values["zip"])
    if values["state"] and not state:
        problems.append(Problem("state", "bad_state", f"state '{values['state']}' is not a US state, territory or military code or name"))
    if values["zip"] and not zip_code:
        problems.append(Problem("zip", "bad_zip", f"zip '{values['zip']}' is not a 5-digit ZIP or ZIP+4 (such as 60636 or 60640-5520)"))
    if not values["address_line1"]:
        problems.append(Problem("address_line1", "required", "address_line1 is empty: the row gives no street, PO box or other delivery line"))
    if not values["zip"] and not (values["city"] and values["state"]):
        problems.append(Problem("zip", "no_city_state_or_zip", "the address needs a ZIP, or a city and a state"))
    language = values["language"].lower()
    if language and not LANGUAGE.fullmatch(language):
        problems.append(Problem("language", "bad_language", f"language '{values['language']}' is not a two-letter ISO 639-1 code such as en or es"))
    if problems:
        return problems
    address = RawAddress(values["address_line1"], values["address_line2"], values["city"], state or "", zip_code or "")
    return AddressRow(line, values["person_id"], address, language)


def _zip(text: str) -> str | None:
    """A ZIP or ZIP+4 with its lost leading zeros restored, or None."""
    match = ZIP.fullmatch(text.replace(" ", ""))
    if not match:
        return None
    zip5, plus4 = match.group(1, 2) if match.group(1) else match.group(3, 4)
    return zip5.zfill(5) + (f"-{plus4}" if plus4 else "")


def import_addresses(session: Session, path: Path, *, mapping: Mapping = Mapping(), verifier: Verifier, actor: str) -> AddressImport:
    """The staff action: attach a file's addresses to open notices. Raises InputFileError, before writing anything, if the file is unreadable."""
    encoding = _encoding(mapping)
    _check_decodes(path, encoding)
    people = _survey(path, encoding, mapping)
    result = AddressImport()
    chunk: list[Item] = []
    for item in _rows(path, encoding, mapping):
        chunk.append(item)
        if len(chunk) == CHUNK_ROWS:
            _store_chunk(session, path.name, chunk, people, verifier, result)
            session.commit()
            chunk = []
    _store_chunk(session, path.name, chunk, people, verifier, result)
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=actor,
            action="address.import",
            subject="address_file",
            subject_id=0,  # a file has no id of its own; its name is in the details
            details={"file": path.name, "mapping": mapping.name, **result.counts()},
        )
    )
    session.commit()
    log.info("address file imported: %s", result.counts())
    return result


def _encoding(mapping: Mapping) -> str:
    encoding = mapping.encoding or "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ConfigError(
            f"unknown encoding '{encoding}'", where=f"config/mappings/{mapping.name}.toml", todo="name an encoding such as utf-8, cp1252 or latin-1"
        ) from None
    return "utf-8-sig" if codec == "utf-8" else encoding


def _check_decodes(path: Path, encoding: str) -> None:
    """Every line decodes (the error names the first one that does not)."""
    if not path.is_file():
        raise InputFileError("file not found", where=str(path), todo="check the path")
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        for number, content in enumerate(chain(handle, [b""]), start=1):  # b"": the end, where a character may be cut off
            try:
                decoder.decode(content, final=not content)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"not valid {encoding.removesuffix('-sig')} text (byte 0x{exc.object[exc.start]:02x})",
                    where=f"{path}, line {number if content else number - 1}",
                    todo="save it as CSV UTF-8, or name the file's encoding in its column mapping",
                ) from None


def _header(path: Path, reader, mapping: Mapping) -> list[str]:
    """The header's canonical names; raises InputFileError when it lacks what a row needs."""
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise InputFileError("the file is empty or its first line is blank", where=f"{path}, line 1", todo="the first line must be the header row")
    columns = [mapping.canonical(cell) for cell in header]
    repeated = sorted({name for name in columns if name in COLUMNS and columns.count(name) > 1})
    if repeated:
        raise InputFileError(f"header gives {', '.join(repeated)} more than once", where=f"{path}, line 1", todo="remove the extra column or fix the column mapping")
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if "zip" not in columns and not {"city", "state"} <= set(columns):
        missing.append("zip (or city and state)")
    if missing:
        what, where = f"header has no column for: {', '.join(missing)}", f"{path}, line 1"
        if mapping.name:
            raise InputFileError(what, where=where, todo=f"add them to config/mappings/{mapping.name}.toml")
        raise InputFileError(what, where=where, todo="rename the columns, or map your headers onto them with a column mapping", action="import.mapping")
    return columns


Item = tuple[int, dict[str, str], list[Problem]]  # line, canonical fields, problems of the row's shape


def _rows(path: Path, encoding: str, mapping: Mapping) -> Iterator[Item]:
    """Every row with data, from its first line; a row whose fields do not match the header comes with a problem."""
    with path.open(encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        columns = _header(path, reader, mapping)
        last_line = reader.line_num
        for values in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue  # a blank line or a spreadsheet's empty row: no data
            row = mapping.translate({name: value for name, value in zip(columns, values) if name in COLUMNS})
            shape = [] if len(values) == len(columns) else [Problem("-", "field_count", f"row has {len(values)} fields, the header has {len(columns)}")]
            yield line, row, shape


def _survey(path: Path, encoding: str, mapping: Mapping) -> dict[str, _Seen]:
    """The valid rows of each person id in the file (a first pass: checks the header, writes nothing)."""
    people: dict[str, _Seen] = {}
    for line, row, shape in _rows(path, encoding, mapping):
        checked = shape or check_row(line, row)
        if not isinstance(checked, AddressRow):
            continue
        seen = people.get(checked.person_id)
        if seen is None:
            people[checked.person_id] = _Seen(line, checked.key(), [line])
        else:
            seen.lines.append(line)
            seen.differ = seen.differ or seen.key != checked.key()
    return people


def _store_chunk(
    session: Session,
    file_name: str,
    chunk: list[Item],
    people: dict[str, _Seen],
    verifier: Verifier,
    result: AddressImport,
) -> None:
    """Counts and reports every row of one chunk; attaches the ones that change an address (no commit)."""
    result.read += len(chunk)
    reported = len(result.errors)
    valid: list[AddressRow] = []
    for line, row, shape in chunk:
        checked = shape or check_row(line, row)
        if isinstance(checked, AddressRow):
            valid.append(checked)
            continue
        result.invalid += 1
        for problem in checked:
            result.note(line, (row.get("person_id") or "").strip(), problem.field, problem.message)
    if valid:
        _sort_out(session, file_name, valid, people, verifier, result)
    result.errors[reported:] = sorted(result.errors[reported:], key=lambda error: error["line"])  # in file order


def _sort_out(session: Session, file_name: str, valid: list[AddressRow], people: dict[str, _Seen], verifier: Verifier, result: AddressImport) -> None:
    """Attaches the valid rows that change an address; counts and reports the others (no commit)."""
    person_ids = sorted({row.person_id for row in valid})
    # Locked (on PostgreSQL) as intake locks them, so that a decision import joining the same notices waits its turn.
    notices = {
        notice.person_id: notice
        for notice in session.exec(select(Notice).where(Notice.status == NoticeStatus.OPEN, Notice.person_id.in_(person_ids)).with_for_update())
    }
    addresses = {a.notice_id: a for a in session.exec(select(Address).where(Address.notice_id.in_([n.id for n in notices.values()])))}
    others = _other_notices(session, [pid for pid in person_ids if pid not in notices])
    attach: list[tuple[AddressRow, Notice, Address | None]] = []
    for row in valid:
        notice = notices.get(row.person_id)
        seen = people.get(row.person_id) or _Seen(row.line, row.key(), [row.line])  # (a file changed since the first pass)
        if notice is None:
            result.unknown_person += 1
            result.note(row.line, row.person_id, "person_id", others.get(row.person_id, "no notice has this person id; check the id with the source of the file"))
        elif seen.differ:
            result.invalid += 1
            lines = ", ".join(map(str, seen.lines[:10])) + (" ..." if len(seen.lines) > 10 else "")
            result.note(row.line, row.person_id, "person_id", f"the file gives this person different addresses (lines {lines}); none was used: keep the right one")
        elif row.line != seen.first_line:
            result.unchanged += 1  # the same address again: attached (or not) at its first line
        elif (address := addresses.get(notice.id)) is not None and address.source == "staff":
            result.unchanged += 1
            if raw_of_address(address) != row.address:
                result.note(row.line, row.person_id, "address", f"notice {notice.id}'s address was fixed by staff and is kept; this row changed nothing")
        elif address is not None and address.source == SOURCE and raw_of_address(address) == row.address and row.language in ("", notice.language):
            result.unchanged += 1
        else:
            attach.append((row, notice, address))
    _attach(session, file_name, attach, verifier)
    result.attached += len(attach)


def _other_notices(session: Session, person_ids: list[str]) -> dict[str, str]:
    """Why a person id with no open notice has none, for those that have notices in another state."""
    if not person_ids:
        return {}
    found = session.exec(select(Notice.person_id, Notice.status).where(Notice.person_id.in_(person_ids)).order_by(Notice.id)).all()
    return {pid: f"this person's notice is {status} (in a frozen batch, mailed or given up on): an address file changes only open notices" for pid, status in found}


def _attach(session: Session, file_name: str, attach: list[tuple[AddressRow, Notice, Address | None]], verifier: Verifier) -> None:
    """Checks the rows' addresses as `verify` does and writes them onto the notices (no commit)."""
    results = [verifier.check(row.address) for row, _, _ in attach]
    refuse_dead(session, results)
    now = utcnow()
    for (row, notice, address), checked in zip(attach, results):
        if address is None:
            address = Address(notice_id=notice.id, status=checked.status, reasons=[], suggestion={}, checked_at=now)
        for name, value in address_values(row.address, checked).items():
            setattr(address, name, value)
        address.source, address.source_detail, address.checked_at = SOURCE, f"{file_name}:{row.line}"[:1000], now
        session.add(address)
        if row.language and row.language != notice.language:
            notice.language, notice.updated_at = row.language, now
            session.add(notice)
    session.flush()
