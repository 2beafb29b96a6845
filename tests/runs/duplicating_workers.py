"""`notifier.workers` with every message sent twice (a broker's at-least-once delivery, at its worst).

Used as the worker module (`dramatiq tests.runs.duplicating_workers`) and imported before the
CLI runs, so that the tasks the CLI sends are doubled too.
"""

from __future__ import annotations

import uuid

from dramatiq.middleware import Middleware

import notifier.workers as workers
from notifier.workers import *  # noqa: F401,F403  (the actors, for the dramatiq CLI)


class SendTwice(Middleware):
    def after_enqueue(self, broker, message, delay):
        if not message.options.get("copy"):
            broker.enqueue(message.copy(message_id=str(uuid.uuid4()), options={**message.options, "copy": True}), delay=delay)


workers.broker.add_middleware(SendTwice())
