"""From a notice, its decisions and its checked address to what the letter prints.

Pure: the storage edge loads the rows, this decides the words. A language without
templates falls back to English plus a short "call us in your language" block.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from notifier.letters.layout import Block, LetterContent
from notifier.letters.names import address_name, printed_name
from notifier.letters.templates import TemplateSet, fallback_sentence, format_date, variant_for
from notifier.settings import OfficeProfile

# The columns of a notice, its decisions and its checked address that a letter prints.
NOTICE_FIELDS = ("person_id", "first_name", "middle_name", "last_name", "suffix", "language")
DECISION_FIELDS = ("decision_id", "case_number", "offense", "statute", "court", "outcome", "not_granted_reason", "disposition_date", "decision_date")
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "zip5", "zip4")


class LetterData(NamedTuple):
    """What one letter prints, as plain values keyed by the fields above (stored or made up)."""

    notice: dict
    decisions: list[dict]
    address: dict


@dataclass(frozen=True)
class BarcodeConfig:
    barcode_id: str
    service_type: str
    mailer_id: str


def full_name(first: str, middle: str, last: str, suffix: str) -> str:
    return " ".join(part for part in (first, middle, last, suffix) if part)


def content_hash(notice: dict, decisions: list[dict], address: dict, template_version: str) -> str:
    """Changes when anything the letter prints changes: then the letter is rendered again."""
    payload = json.dumps([notice, decisions, address, template_version], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def reason_text(reason: str, templates: TemplateSet) -> str:
    """Why a case was not cleared, in the reader's words: the text for a known reason code; for a reason
    an export wrote in its own words ("Occurred after 11/09/2016"), the general text and those words."""
    if not reason:
        return ""
    if reason in templates.reasons:
        return templates.reasons[reason]
    recorded = templates.strings.get("reason_recorded", "The reason recorded: {reason}.").format(reason=reason)
    return f"{templates.reasons.get('default', '')} {recorded}".strip()


def compose(
    *,
    letter_number: int,
    notice: dict,
    decisions: list[dict],
    address: dict,
    office: OfficeProfile,
    templates: TemplateSet,
    barcode: BarcodeConfig,
    today: date,
    requested_language: str,
    endorsement: str = "",
) -> LetterContent:
    language = templates.language
    strings = templates.strings
    parts = {key: printed_name(notice[key]) for key in ("first_name", "middle_name", "last_name", "suffix")}
    name = full_name(parts["first_name"], parts["middle_name"], parts["last_name"], parts["suffix"])

    def case(decision: dict) -> dict:
        reason = decision.get("not_granted_reason", "")
        return {
            **{k: decision.get(k, "") for k in ("case_number", "offense", "statute", "court", "outcome")},
            "disposition_date": format_date(decision.get("disposition_date"), language),
            "decision_date": format_date(decision.get("decision_date"), language),
            "outcome_text": strings.get(f"outcome_{decision['outcome']}", decision["outcome"]),
            "reason": reason,
            "reason_text": reason_text(reason, templates),
        }

    ordered = sorted(decisions, key=lambda d: (d["decision_date"], d["case_number"]))
    granted = [case(d) for d in ordered if d["outcome"] != "not_granted"]
    not_granted = [case(d) for d in ordered if d["outcome"] == "not_granted"]
    variant = variant_for([d["outcome"] for d in ordered])
    letter_id = make_letter_id(letter_number)
    context = {
        "person": {**parts, "full_name": name},
        "letter_id": letter_id,
        "letter_date": format_date(today, language),
        "office": office.model_dump(),
        "help_line": office.phone,
        "granted": granted,
        "not_granted": not_granted,
        "variant": variant,
        "language": language,
    }
    blocks = templates.render(variant, context)
    if requested_language != language:
        sentence = fallback_sentence(requested_language, office.phone)
        if sentence:
            blocks.insert(0, Block("para", f"**{sentence}**"))
    tracking = imb.tracking_code(barcode.barcode_id, barcode.service_type, barcode.mailer_id, letter_number)
    routing = imb.routing_code(address["zip5"], address["zip4"])
    city_line = f"{address['city']} {address['state']}  {address['zip5']}" + (f"-{address['zip4']}" if address["zip4"] else "")
    as_written = full_name(notice["first_name"], notice["middle_name"], notice["last_name"], notice["suffix"])
    recipient = [address_name(as_written), *([address["line2"]] if address["line2"] else []), address["line1"], city_line]
    return LetterContent(
        letter_id=letter_id,
        recipient=recipient,
        imb_bars=imb.encode(tracking, routing),
        tracking=tracking,
        routing=routing,
        sender=[office.name, *([office.department] if office.department else []), *office.address_lines, f"{office.city} {office.state} {office.zip}", office.phone],
        date_line=format_date(today, language),
        blocks=blocks,
        page_label=strings.get("page", "Page {page} of {pages}"),
        id_label=strings.get("letter_id", "Letter ID"),
        variant=variant,
        endorsement=endorsement,
    )
