"""What every notifier process does once its code is imported: logging, and a heap the cycle
collector no longer walks.

Python's cycle collector looks at every container object now and then, a full collection at
every one. A notifier process holds hundreds of thousands of them that live as long as it
does (the modules, classes and compiled queries of SQLAlchemy, reportlab, usaddress ...), so a
100,000-row import spent about a second walking them (bench/intake.py, 4.8 s -> 3.9 s without).
`gc.freeze()` moves everything alive at start-up out of the collector's view; what the work
creates afterwards is collected as before.
"""

from __future__ import annotations

import gc

from notifier.logs import configure_logging


def start_process(*, stderr: bool = True) -> None:
    """Call once the process has imported what it runs (the CLI, a task process, a dramatiq worker)."""
    configure_logging(stderr=stderr)
    gc.freeze()
