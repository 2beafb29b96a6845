"""One root error for everything notifier refuses to do, and a small tree with stable codes.

Every error names what failed, where (file, line, field, id) and what to do, in words that
fit a command line and a web page alike. An error may also name the staff `action` that
resolves it (a stable key such as "letters.render", never CLI syntax): each edge turns that
into what its user can do there: the CLI appends the exact command, a page can link to it.

The `code` says which kind of refusal it is, so a caller (the web app choosing 400, 404 or
409, a worker deciding whether to retry) can tell "wrong state" from "bad input" without
reading text:

    invalid_input   the values given are wrong (a date, an amount, an unknown reason)
    not_found       an id matches nothing
    wrong_state     the thing exists but is not in a state that allows this
    conflict        it clashes with something stored
    configuration   a file under config/ (or the environment) is missing or wrong
    database        the database is unreachable or its schema is behind the code
    storage         a file could not be written: its disk is full
"""

from __future__ import annotations

import errno
import re
from typing import Any


class NotifierError(Exception):
    """A failure a user can act on; `str()` is the one line the CLI prints (before its command hint)."""

    code = "error"

    def __init__(self, what: str, *, where: str | None = None, todo: str | None = None, action: str | None = None, **subject: Any):
        self.what = what
        self.where = where
        self.todo = todo
        self.action = action  # the staff action that resolves it (notifier/cli/hints.py has their commands)
        self.subject = subject  # ids the action needs, e.g. batch=12
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text}; {self.todo}" if self.todo else text

    def as_dict(self) -> dict:
        return {"code": self.code, "what": self.what, "where": self.where, "todo": self.todo, "action": self.action, **self.subject}


class InvalidInputError(NotifierError):
    """Values given by a person or a file are not what was expected."""

    code = "invalid_input"


class InputFileError(InvalidInputError):
    """An input file cannot be read at all (encoding, header, format); nothing was imported."""


class NotFoundError(NotifierError):
    """An id matches nothing."""

    code = "not_found"


class WrongStateError(NotifierError):
    """The thing exists, but its state does not allow the action (a frozen batch, an unmailed letter)."""

    code = "wrong_state"


class ConflictError(NotifierError):
    """The action clashes with what is stored (letters changed since they were rendered)."""

    code = "conflict"


class ConfigError(NotifierError):
    """A file under config/ (or a setting) is missing or malformed."""

    code = "configuration"


class RateError(ConfigError):
    """No price is known for what was asked (date outside the rate tables, class or sort level unknown)."""


class DatabaseError(NotifierError):
    """The database is unreachable or its schema is behind the code."""

    code = "database"


class StorageError(NotifierError):
    """A file could not be written because its disk is full (or the disk quota is used up)."""

    code = "storage"

    @classmethod
    def from_os_error(cls, exc: BaseException) -> "StorageError | None":
        """The error to show for an OSError that says the disk is full; None for any other exception."""
        if not isinstance(exc, OSError) or exc.errno not in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return None
        return cls(
            "the disk is full (no space left on the device)",
            where=str(exc.filename) if exc.filename else None,
            todo="free space on that disk, then run the same command again: what was finished is kept",
        )


def describe(exc: BaseException) -> str:
    """One line on what failed, safe to store with a task and to show: never the values it failed on.

    A NotifierError says it in its own words (ids and field names by design). Anything else may
    quote the data it choked on: a database error carries the SQL statement with the row's
    values as parameters, and PostgreSQL's DETAIL can repeat the whole row; a ValueError
    repeats the text it could not read. So only the type is kept, with the database driver's
    first line (which names the constraint or the problem, not the row) and an OSError's reason
    and file (our own paths). A driver's line that quotes a value after a colon stops before it.
    """
    if isinstance(exc, NotifierError):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc.strerror or 'error'}" + (f" ({exc.filename})" if exc.filename else "")
    orig = getattr(exc, "orig", None)  # sqlalchemy's wrapper around the driver's exception
    if isinstance(orig, BaseException):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
        first = re.split(r":\s*[\"']", first, maxsplit=1)[0]  # 'invalid input syntax for type date: "<the value>"'
        return f"{type(exc).__name__} ({type(orig).__name__}): {first}" if first else f"{type(exc).__name__} ({type(orig).__name__})"
    return type(exc).__name__
