"""Tables of the domain: one class per noun of DESIGN.md.

Columns named after the canonical decision export keep the export's names
(`decision_id`, `person_id` are the *source system's* ids, text). Text columns default to
"" rather than NULL so that "not given" has one spelling. Times are aware UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC and gives them back aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC times only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)



class NoticeStatus(StrEnum):
    """`open` collects decisions; once a notice is in a frozen batch or mailed, new decisions start a new one."""

    OPEN = "open"
    LOCKED = "locked"
    MAILED = "mailed"
    UNREACHABLE = "unreachable"


class LetterState(StrEnum):
    PENDING = "pending"
    RENDERED = "rendered"
    FAILED = "failed"  # did not pass its print checks; says why in `checks`
    SUPERSEDED = "superseded"  # its notice changed before it was batched; never mailed
    BATCHED = "batched"
    MAILED = "mailed"
    RETURNED = "returned"
    PRESUMED_DELIVERED = "presumed_delivered"


class QuarantineKind(StrEnum):
    INVALID = "invalid"  # the row broke a rule of the export format
    CONFLICT = "conflict"  # a decision_id seen before, with different content
    NOT_FINAL = "not_final"  # the source has not decided yet (e.g. "Hand Review"): waits for a later export
    IDENTITY_CONFLICT = "identity_conflict"  # a person id seen with another date of birth or last name


class ImportStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class NameAndAddress(SQLModel):
    """The columns a decision row and a notice share: who the person is and where they live."""

    first_name: str = Field(default="", max_length=1000)
    middle_name: str = Field(default="", max_length=1000)
    last_name: str = Field(default="", max_length=1000)
    suffix: str = Field(default="", max_length=1000)
    language: str = Field(default="en", max_length=8)
    address_line1: str = Field(default="", max_length=1000)
    address_line2: str = Field(default="", max_length=1000)
    city: str = Field(default="", max_length=1000)
    state: str = Field(default="", max_length=2)
    zip: str = Field(default="", max_length=10)


class ImportRun(SQLModel, table=True):
    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(max_length=255)
    format: str = Field(max_length=16)
    mapping: str = Field(default="", max_length=64)
    status: str = Field(default=ImportStatus.RUNNING, max_length=16)
    started_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    conflicts: int = 0
    quarantined: int = 0
    skipped: int = 0  # rows the mapping says are not decisions (arrests, other counts)
    not_final: int = 0  # rows whose decision is not final yet (kept in the quarantine)
    identity_conflicts: int = 0  # rows whose person id belongs to someone else (kept in the quarantine)


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=1000, unique=True)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class Notice(NameAndAddress, table=True):
    """What one person is owed for their decisions not yet mailed.

    Name, language and address are taken from the person's decision with the latest
    decision_date (`source_decision_id`); disagreements are kept in NoticeDiscrepancy.
    """

    __tablename__ = "notice"
    __table_args__ = (
        sa.Index(
            "uq_notice_one_open_per_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=1000, foreign_key="person.person_id", index=True)
    status: str = Field(default=NoticeStatus.OPEN, max_length=16)
    source_decision_id: str = Field(max_length=1000)
    source_decision_date: date
    address_decision_date: date | None = None
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    # set when the retention purge erased its personal data (notifier.retention); ids, states and money stay
    purged_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class Decision(NameAndAddress, table=True):
    """One row of a decision export, as validated (state as a code, ZIP with its zeros)."""

    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: str = Field(max_length=1000, unique=True)
    person_id: str = Field(max_length=1000, foreign_key="person.person_id")  # found through its notice
    notice_id: int = Field(foreign_key="notice.id", index=True)
    import_run_id: int = Field(foreign_key="import_run.id")
    line_number: int
    row_hash: str = Field(max_length=64)
    date_of_birth: date | None = None
    case_number: str = Field(max_length=1000)
    offense: str = Field(default="", max_length=1000)
    statute: str = Field(default="", max_length=1000)
    disposition_date: date | None = None
    outcome: str = Field(max_length=32)
    not_granted_reason: str = Field(default="", max_length=1000)
    decision_date: date
    court: str = Field(default="", max_length=1000)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class PersonIdentity(SQLModel, table=True):
    """Who a source person id has turned out to be: one row per (date of birth, last name) seen.

    The first row of a person id records its identity. A later row with the same person id
    but another date of birth or last name is an identity conflict, not joined; staff either
    confirm it is the same person (a second identity routed to the same person id) or split
    it off (routed to a new person id), and later rows with that identity follow the decision.
    """

    __tablename__ = "person_identity"
    __table_args__ = (sa.UniqueConstraint("person_id", "date_of_birth", "last_name_key", name="uq_person_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=1000, index=True)  # as the source wrote it
    date_of_birth: date | None = None
    last_name_key: str = Field(max_length=1000)  # notifier.intake.identity.name_key
    resolved_person_id: str = Field(max_length=1000)  # where rows with this identity go
    created_by: str = Field(max_length=255)  # "import", or the staff member who resolved a conflict
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class NoticeDiscrepancy(SQLModel, table=True):
    """A decision whose name or address disagrees with the notice it joined."""

    __tablename__ = "notice_discrepancy"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    decision_id: str = Field(max_length=1000)
    fields: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class QuarantinedRow(SQLModel, table=True):
    """A row that was read but not imported, kept whole with the reasons why."""

    __tablename__ = "quarantined_row"
    __table_args__ = (sa.UniqueConstraint("source_name", "line_number", "raw_hash", name="uq_quarantine_source_line"),)

    id: int | None = Field(default=None, primary_key=True)
    import_run_id: int = Field(foreign_key="import_run.id", index=True)
    source_name: str = Field(max_length=255)
    line_number: int
    kind: str = Field(max_length=24)
    decision_id: str = Field(default="", max_length=1000, index=True)
    person_id: str = Field(default="", max_length=1000, index=True)
    fields: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    reasons: list[dict] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    raw: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    raw_hash: str = Field(max_length=64)
    # for an identity conflict: the validated decision ({"values", "row_hash"}), imported once staff resolve it
    decision: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    purged_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))  # raw row erased (notifier.retention)


class Letter(SQLModel, table=True):
    """One physical mailing of a notice (attempt 1, 2, ...), with what rendering measured.

    The printed letter id and the IMb serial are both derived from `id`
    (notifier.letters.ids, notifier.letters.imb), so either finds the letter again.
    """

    __tablename__ = "letter"
    __table_args__ = (
        sa.Index(
            "uq_letter_current_attempt",
            "notice_id",
            "attempt",
            unique=True,
            sqlite_where=sa.text("state != 'superseded'"),
            postgresql_where=sa.text("state != 'superseded'"),
        ),
        # A batch's letters in print order, a file or a manifest chunk at a time: without it each
        # such read scanned and sorted the whole batch (print grew with the square of its letters).
        sa.Index("ix_letter_batch_sequence", "batch_id", "sequence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    attempt: int = 1
    state: str = Field(default=LetterState.PENDING, max_length=24, index=True)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    language: str = Field(default="", max_length=8)
    variant: str = Field(default="", max_length=16)
    pages: int = 0
    sheets: int = 0
    weight_hundredths_oz: int = 0
    content_hash: str = Field(default="", max_length=32)
    checks: list[dict] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    render_file: str = Field(default="", max_length=1000)
    rendered_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    # set when the letter goes into a batch, fixed when the batch is frozen
    batch_id: int | None = Field(default=None, foreign_key="batch.id")  # indexed with sequence (ix_letter_batch_sequence)
    sequence: int | None = None  # position in the batch's presorted print order
    sort_level: str = Field(default="", max_length=16)  # 5_digit, aadc, mixed_aadc
    wave: str = Field(default="", max_length=64)
    postage_cents: int | None = None  # the estimate, from the rates in force on the mail date
    print_cents: int | None = None
    envelope_cents: int | None = None
    actual_postage_cents: int | None = None  # the batch's actual figures, shared out per letter
    actual_print_cents: int | None = None
    actual_envelope_cents: int | None = None


class BatchState(StrEnum):
    DRAFT = "draft"
    FROZEN = "frozen"
    PRINTED = "printed"
    MAILED = "mailed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Batch(SQLModel, table=True):
    """A mail run: letters chosen by wave rules, frozen, printed, mailed, closed."""

    __tablename__ = "batch"

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(default=BatchState.DRAFT, max_length=16, index=True)
    mail_date: date
    postage_class: str = Field(max_length=64)
    wave: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    created_by: str = Field(max_length=255)
    postage_cents: int | None = None  # estimate totals, recorded at freeze
    print_cents: int | None = None
    envelope_cents: int | None = None
    actual_postage_cents: int | None = None  # recorded at mark-mailed
    actual_print_cents: int | None = None
    actual_envelope_cents: int | None = None
    postage_statement: str = Field(default="", max_length=255)
    invoice: str = Field(default="", max_length=255)
    files: list[dict] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))


class Address(SQLModel, table=True):
    """A notice's address: the raw fields as they were checked, beside the Pub 28 result.

    `source` is `import` when the raw fields came from the decisions, `staff` after a person
    fixed them; a staff address is never replaced by a later import.
    """

    __tablename__ = "address"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", unique=True)
    raw_line1: str = Field(default="", max_length=1000)
    raw_line2: str = Field(default="", max_length=1000)
    raw_city: str = Field(default="", max_length=1000)
    raw_state: str = Field(default="", max_length=1000)
    raw_zip: str = Field(default="", max_length=1000)
    line1: str = Field(default="", max_length=1000)
    line2: str = Field(default="", max_length=1000)
    city: str = Field(default="", max_length=1000)
    state: str = Field(default="", max_length=1000)
    zip5: str = Field(default="", max_length=5)
    zip4: str = Field(default="", max_length=4)
    status: str = Field(max_length=16, index=True)
    reasons: list[dict] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    suggestion: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    source: str = Field(default="import", max_length=16)  # import, staff, forward, address_file
    source_detail: str = Field(default="", max_length=1000)  # for address_file: the file and line
    checked_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class AddressChange(SQLModel, table=True):
    """A clerk's change of a notice's address: the raw fields before and after.

    Kept apart from the audit trail (which holds ids, never addresses) so that the phone desk
    can tell which address an earlier letter went to, and so that the retention purge can
    erase it with the rest of the notice.
    """

    __tablename__ = "address_change"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    before: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # raw fields line1, line2, city, state, zip
    after: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))


class AuditEvent(SQLModel, table=True):
    """Who did or saw what, and when: actor, action and ids, never the personal values (notifier.audit)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    actor: str = Field(max_length=255)
    action: str = Field(max_length=64)
    subject: str = Field(max_length=32)
    subject_id: int = Field(index=True)
    details: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))


class ReturnedMail(SQLModel, table=True):
    """A returned envelope: which letter, why (a USPS endorsement), and any forwarding address."""

    __tablename__ = "returned_mail"

    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letter.id", unique=True)
    reason: str = Field(max_length=64, index=True)
    returned_on: date
    recorded_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    recorded_by: str = Field(max_length=255)
    forward_line1: str = Field(default="", max_length=1000)
    forward_line2: str = Field(default="", max_length=1000)
    forward_city: str = Field(default="", max_length=1000)
    forward_state: str = Field(default="", max_length=1000)
    forward_zip: str = Field(default="", max_length=1000)
    outcome: str = Field(default="", max_length=32)  # remail, forward_needs_review, dead_address, unreachable, noted
    note: str = Field(default="", max_length=1000)


class AcsNotice(SQLModel, table=True):
    """One USPS ACS notice as received: its file and line, the piece's IMb tracking code and
    what USPS said, and what became of it. No name or address: those went to the return."""

    __tablename__ = "acs_notice"
    __table_args__ = (sa.UniqueConstraint("file_sha256", "line", name="uq_acs_notice_file_line"),)

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    line: int
    tracking: str = Field(max_length=20, index=True)
    code: str = Field(max_length=1)
    reason: str = Field(max_length=64)
    status: str = Field(max_length=32)  # recorded, forwarded, already_recorded, unknown, foreign_mailer_id
    letter_id: int | None = Field(default=None, foreign_key="letter.id")
    move_effective: date | None = None
    received_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class BatchFee(SQLModel, table=True):
    """A charge a batch incurs after mailing, such as the fees USPS bills for its ACS notices;
    recorded once per source file (`returns import-acs` run twice adds nothing)."""

    __tablename__ = "batch_fee"
    __table_args__ = (sa.UniqueConstraint("batch_id", "kind", "source_sha256", name="uq_batch_fee_source"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    kind: str = Field(max_length=32)  # acs_fees
    cents: int
    source: str = Field(max_length=255)
    source_sha256: str = Field(max_length=64)
    recorded_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class DeadAddress(SQLModel, table=True):
    """A standardized address that mail came back from for good: no later letter may use it."""

    __tablename__ = "dead_address"

    id: int | None = Field(default=None, primary_key=True)
    address_key: str = Field(max_length=255, unique=True)
    reason: str = Field(max_length=64)
    letter_id: int = Field(foreign_key="letter.id")
    recorded_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class RunKind(StrEnum):
    PIPELINE = "pipeline"  # `notifier run FILE`: import -> verify -> render
    VERIFY = "verify"  # `notifier addresses verify` on a broker
    RENDER = "render"  # `notifier letters render` on a broker
    PRINT = "print"  # `notifier batches print`: one task per print file, then the manifest and cover


class RunStage(StrEnum):
    IMPORT = "import"
    VERIFY = "verify"
    RENDER = "render"
    PRINT = "print"
    FINISH = "finish"
    DONE = "done"


class Run(SQLModel, table=True):
    """A piece of work split into tasks that any worker may do, stage after stage."""

    __tablename__ = "run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    stage: str = Field(max_length=16)
    import_run_id: int | None = Field(default=None, foreign_key="import_run.id")
    batch_id: int | None = Field(default=None, foreign_key="batch.id")
    requested_by: str = Field(default="", max_length=255)  # staff login, for the audit trail
    started_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class TaskState(StrEnum):
    QUEUED = "queued"
    CLAIMED = "claimed"  # a worker holds it until `lease_until`; after that anyone may take it again
    DONE = "done"
    FAILED = "failed"  # failed `attempts` times; parked with its error until staff retry it


class Task(SQLModel, table=True):
    """One message's worth of work: a step over a range of ids. Messages carry only its id."""

    __tablename__ = "task"
    __table_args__ = (sa.UniqueConstraint("run_id", "step", "first_id", name="uq_task_run_step_first"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    step: str = Field(max_length=16)
    first_id: int
    last_id: int
    state: str = Field(default=TaskState.QUEUED, max_length=16, index=True)
    attempts: int = 0
    claimed_by: str = Field(default="", max_length=255)
    lease_until: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    error: str = Field(default="", max_length=4000)
    result: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class StagedRecord(SQLModel, table=True):
    """A row of a file handed to `notifier run`, read once and imported by whichever worker takes its chunk.

    Deleted once the import stage is done: the decisions and quarantine are the lasting copy.
    """

    __tablename__ = "staged_record"
    __table_args__ = (sa.UniqueConstraint("run_id", "seq", name="uq_staged_record_run_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id")
    seq: int
    line: int
    raw: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    row: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    problems: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    kind: str = Field(default="decision", max_length=16)  # decision, skip or not_final, as the mapping said
    reason: str = Field(default="", max_length=1000)


class User(SQLModel, table=True):
    """A person who signs in to the staff web app. Never deleted: a user who leaves is disabled."""

    __tablename__ = "web_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)  # notifier.accounts.store.ROLES: staff, finance or admin
    password_hash: str = Field(max_length=255)  # argon2id, as notifier.accounts.passwords writes it
    disabled: bool = False
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class WebSession(SQLModel, table=True):
    """A signed-in browser. Only the token's SHA-256 is stored; the token itself lives in the cookie.

    `expires_at` is when it ends unless it is used again: 8 hours after it was last seen, never
    later than 24 hours after it began. Ending a session deletes its row.
    """

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="web_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class LoginAttempt(SQLModel, table=True):
    """One try at signing in, right or wrong: what the rate limit per name and per address counts."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_name_at", "name", "at"),
        sa.Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)  # as typed (folded to lower case), whether or not such a user exists
    address: str = Field(max_length=64)  # the client's IP address
    ok: bool
    at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
