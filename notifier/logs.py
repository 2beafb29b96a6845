"""The one logging configuration of every notifier process: the CLI, the web app, local task
processes and dramatiq workers.

    NOTIFIER_LOG_LEVEL=DEBUG|INFO|WARNING|ERROR   (default WARNING)
    NOTIFIER_LOG_FILE=/var/log/notifier.log       (optional; created owner-only, 0600)

Messages go to stderr, and to the file when one is named. notifier's own messages carry ids
and counts, never a name, an address, a date of birth or a case number (a test runs the whole
demo at DEBUG to hold it to that). Libraries that would log what passes through them (SQL
statements with their parameters, form fields, message bodies) stay at WARNING whatever
the level, because what passes through them is exactly that personal data.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from notifier.csvfiles import private_dir
from notifier.errors import ConfigError

FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Loggers of libraries that log values (SQL parameters, form fields, HTTP requests, message bodies).
QUIET = ("sqlalchemy", "alembic", "multipart", "python_multipart", "httpx", "httpcore", "urllib3", "pika", "redis", "uvicorn.access", "asyncio", "PIL", "fontTools")
_MARK = "_notifier_handler"  # our handlers, so configuring twice replaces rather than doubles them


def log_level() -> str:
    level = os.environ.get("NOTIFIER_LOG_LEVEL", "WARNING").strip().upper() or "WARNING"
    if level not in LEVELS:
        raise ConfigError(f"NOTIFIER_LOG_LEVEL is '{level}'", where="the environment", todo=f"set it to one of {', '.join(LEVELS)}")
    return level


def configure_logging(*, stderr: bool = True) -> None:
    """Sets the root level and our handlers from the environment; safe to call more than once.

    `stderr=False` is for dramatiq workers, whose own handler already carries stderr to the
    parent process: only the level, the quiet libraries and the file are set there.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)] if stderr else []
    if path := os.environ.get("NOTIFIER_LOG_FILE", "").strip():
        handlers.append(_private_file_handler(Path(path)))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(log_level())
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def _private_file_handler(path: Path) -> logging.Handler:
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # owner-only from the first byte
    os.close(descriptor)
    return logging.FileHandler(path, encoding="utf-8")
