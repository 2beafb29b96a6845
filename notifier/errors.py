"""One root error for everything notifier refuses to do.

Every error names what failed, where (file, line, field, id) and what the user can do,
so the command line can print it as one line and exit non-zero.
"""

from __future__ import annotations


class NotifierError(Exception):
    """A failure a user can act on; `str()` is the one line the CLI prints."""

    def __init__(self, what: str, *, where: str | None = None, todo: str | None = None):
        self.what = what
        self.where = where
        self.todo = todo
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text}; {self.todo}" if self.todo else text


class ConfigError(NotifierError):
    """A file under config/ is missing or malformed."""


class InputFileError(NotifierError):
    """An input file cannot be read at all (encoding, header, format); nothing was imported."""


class DatabaseError(NotifierError):
    """The database is unreachable or its schema is behind the code."""


class NotFoundError(NotifierError):
    """An id given on the command line matches nothing."""
