"""How a decision joins its person's open notice: the pure rule behind "one person, one letter".

The notice's name and language come from the person's decision with the latest
decision_date, its address from the latest decision that has an address (a newer row with
no address does not erase a known one). A row that disagrees with the notice on name or
address is reported as a discrepancy for staff, whichever row wins.
"""

from __future__ import annotations

from datetime import date

from notifier.intake.fields import ADDRESS_FIELDS, NAME_FIELDS

IDENTITY_FIELDS: tuple[str, ...] = NAME_FIELDS + ("language",)
SNAPSHOT_FIELDS: tuple[str, ...] = IDENTITY_FIELDS + ADDRESS_FIELDS + (
    "source_decision_id",
    "source_decision_date",
    "address_decision_date",
)


def _same(a: str, b: str) -> bool:
    return a == b or " ".join(a.upper().split()) == " ".join(b.upper().split())


def has_address(values: dict) -> bool:
    return any(values[name] for name in ADDRESS_FIELDS)


def start(decision: dict) -> dict:
    """The snapshot of a new notice made from its first decision."""
    snapshot = {name: decision[name] for name in IDENTITY_FIELDS + ADDRESS_FIELDS}
    snapshot["source_decision_id"] = decision["decision_id"]
    snapshot["source_decision_date"] = decision["decision_date"]
    snapshot["address_decision_date"] = decision["decision_date"] if has_address(decision) else None
    return snapshot


def join(snapshot: dict, decision: dict) -> tuple[dict, list[str]]:
    """Returns the notice's new snapshot and the name/address fields on which the decision disagreed."""
    decided: date = decision["decision_date"]
    new = dict(snapshot)
    differing = [name for name in NAME_FIELDS if not _same(snapshot[name], decision[name])]
    if decided >= snapshot["source_decision_date"]:
        new.update({name: decision[name] for name in IDENTITY_FIELDS})
        new["source_decision_id"] = decision["decision_id"]
        new["source_decision_date"] = decided
    if has_address(decision):
        if has_address(snapshot):
            differing += [name for name in ADDRESS_FIELDS if not _same(snapshot[name], decision[name])]
        address_date = snapshot["address_decision_date"]
        if address_date is None or decided >= address_date:
            new.update({name: decision[name] for name in ADDRESS_FIELDS})
            new["address_decision_date"] = decided
    return new, differing
