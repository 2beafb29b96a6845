"""Imported by a `notifier` process before its command line starts (see test_killed.py): the process
stops half-way through writing the `nth` PDF whose name starts with NOTIFIER_TEST_STALL_PREFIX,
or, for a prefix `call:module.function`, at the `nth` call of that function (render's storing of
a chunk's results: it writes no file), creates the file NOTIFIER_TEST_STALL_SIGNAL to say so, and
waits there to be killed.

Half of the file is on disk, under the temporary name letters/pdf.py writes to; the work before
it is committed, the work of this step is not: a kill now is a kill in the middle of a step.
"""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

PREFIX = os.environ["NOTIFIER_TEST_STALL_PREFIX"]
NTH = int(os.environ.get("NOTIFIER_TEST_STALL_NTH", "1"))
SIGNAL = Path(os.environ["NOTIFIER_TEST_STALL_SIGNAL"])

_real_save = Canvas.save
_seen = 0


def _stall() -> None:
    SIGNAL.write_text(str(os.getpid()))
    while True:
        time.sleep(60)


def _save(canvas: Canvas) -> None:
    global _seen
    temporary = Path(canvas._filename)
    if temporary.name.startswith(f".{PREFIX}"):
        _seen += 1
        if _seen == NTH:
            data = canvas.getpdfdata()
            temporary.write_bytes(data[: len(data) // 2])
            _stall()
    _real_save(canvas)


def _stalling(function):
    def call(*args, **kwargs):
        global _seen
        _seen += 1
        if _seen == NTH:
            _stall()
        return function(*args, **kwargs)

    return call


if PREFIX.startswith("call:"):
    module, name = PREFIX.removeprefix("call:").rsplit(".", 1)
    target = importlib.import_module(module)
    setattr(target, name, _stalling(getattr(target, name)))
else:
    Canvas.save = _save
