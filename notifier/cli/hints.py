"""What the command line adds to an error: the exact command for the action that resolves it.

Domain errors say what to do in words and name the staff action by a stable key (see
notifier/errors.py); this table is the one place that knows how that action is typed here.
A web page would link the same keys to its own pages.
"""

from __future__ import annotations

from notifier.errors import NotifierError

COMMANDS = {
    "import.format": "--format csv or --format jsonl",
    "import.encoding": "--encoding cp1252",
    "import.mapping": "--mapping NAME (config/mappings/NAME.toml)",
    "import.decision_date": "--decision-date YYYY-MM-DD",
    "quarantine.list": "notifier quarantine list",
    "identities.list": "notifier identities list",
    "addresses.verify": "notifier addresses verify",
    "addresses.review": "notifier addresses review",
    "addresses.fix": "notifier addresses fix {notice} --line1 ... --city ... | --accept-suggestion | --undeliverable REASON",
    "addresses.review_export": "notifier addresses review --export FILE.csv",
    "letters.render": "notifier letters render",
    "letters.list": "notifier letters list",
    "batches.show": "notifier batches show {batch}",
    "batches.cancel": "notifier batches cancel {batch}",
    "batches.preflight": "notifier batches preflight {batch}",
    "status": "notifier status",
    "resume.retry_failed": "notifier resume --retry-failed",
}


def error_line(error: NotifierError) -> str:
    """The one line on stderr: the error's own text, then the command for its action, if any."""
    command = COMMANDS.get(error.action or "")
    if command is None:
        return str(error)
    try:
        command = command.format(**error.subject)
    except (KeyError, IndexError):
        pass  # an id the error did not give: show the command as a pattern
    return f"{error} (`{command}`)"
