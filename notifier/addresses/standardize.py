"""USPS Publication 28 standardization of the street lines: a pure function of the text.

usaddress labels the parts of the delivery line; each part is then written the Pub 28 way
(upper case, plain ASCII, no punctuation, C1 suffixes, C2 unit designators, directionals
only where usaddress saw a directional). A few forms are recognised before usaddress,
because it mislabels them: PO boxes (every spelling, drawers too), military boxes and
General Delivery. The second line is sorted into what it is: a unit (moved onto the
delivery line), a care-of or ATTN line, a facility line or a Puerto Rico urbanization
(kept as their own line above the delivery line).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import usaddress

from notifier.addresses.reasons import Reason
from notifier.addresses.tables import directionals, not_an_address, street_suffixes, unit_designators

_PUNCTUATION = re.compile(r"[^\w\s/#&-]")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]")
_SPACED_HYPHEN = re.compile(r"^(\d+)\s+-\s+(\d+)\b")
_PO_BOX = re.compile(r"(?:P\s*O\s*B(?:OX)?|POST\s+OFFICE\s+BOX|(?:P\s*O\s*)?DRAWER|(?:P\s*O\s*)?LOCK\s*BOX|BOX)\s*#?\s*([A-Z0-9-]+)")
_MILITARY = re.compile(r"(PSC|CMR|UNIT)\s*#?\s*(\d+)\s*,?\s*BOX\s*#?\s*(\d+)")
_GENERAL_DELIVERY = "GENERAL DELIVERY"
_CARE_OF = re.compile(r"^(C\s*/\s*O|C\s+O|CARE\s+OF|IN\s+CARE\s+OF)\s+")
_ATTENTION = re.compile(r"^(ATTN|ATTENTION)\s+")
_URBANIZATION = re.compile(r"^(URB|URBANIZACION|URBANIZATION)\s+")
_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
_BOX_GROUPS = {
    "RR": "RR", "R R": "RR", "RURAL ROUTE": "RR", "RURAL RT": "RR", "RT": "RR", "ROUTE": "RR", "RFD": "RR", "R F D": "RR", "RD": "RR",
    "HC": "HC", "H C": "HC", "HCR": "HC", "HIGHWAY CONTRACT": "HC", "HWY CONTRACT": "HC", "STAR ROUTE": "HC",
}


@dataclass
class StreetLines:
    """The standardized delivery line and the extra line, with what parsing found wrong."""

    line1: str = ""
    line2: str = ""
    kind: str = "street"  # street, po_box, rural, military, general_delivery, none
    # city/state/ZIP someone typed into the street line, used when the fields are empty
    city: str = ""
    state: str = ""
    zip: str = ""
    problems: list[Reason] = field(default_factory=list)


def ascii_upper(text: str) -> str:
    """NÚÑEZ -> NUNEZ, ½ -> 1/2: Pub 28 lines are plain upper-case ASCII."""
    decomposed = unicodedata.normalize("NFKD", text).replace("\u2044", "/")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def clean(text: str) -> str:
    """Upper-case ASCII, punctuation removed (but / - # kept), single spaces."""
    return _SPACES.sub(" ", _PUNCTUATION.sub("", ascii_upper(text).replace(",", " "))).strip()


def standardize_lines(line1: str, line2: str) -> StreetLines:
    line1 = _SPACED_HYPHEN.sub(r"\1-\2", _SPACES.sub(" ", ascii_upper(line1)).strip())
    if line2.strip() and any(pattern.match(clean(line1)) for pattern in (_CARE_OF, _ATTENTION, _URBANIZATION)):
        line1, line2 = line2, line1  # a care-of or urbanization line typed first
        line1 = _SPACES.sub(" ", ascii_upper(line1)).strip()
    extra, unit = _sort_second_line(line2)
    result = StreetLines(line2=extra)
    if not line1 and not unit:
        result.kind = "none"
        result.problems.append(Reason.of("street_unparseable", "only a second line was given") if extra else Reason.of("empty_address"))
        return result
    if _SPACES.sub(" ", _NOT_WORD.sub(" ", line1)).strip() in not_an_address():
        result.kind = "none"
        result.problems.append(Reason.of("not_an_address"))
        return result
    if _recognised_before_parsing(clean(line1), unit, result):
        return result
    try:
        parts, address_type = usaddress.tag(line1)
    except usaddress.RepeatedLabelError:
        result.line1 = _join(clean(line1), unit)
        result.problems.append(Reason.of("repeated_labels"))
        return result
    parts = _repair(dict(parts))
    result.city = clean(parts.get("PlaceName", ""))
    result.state = clean(parts.get("StateName", ""))
    result.zip = clean(parts.get("ZipCode", ""))
    if address_type == "PO Box":
        result.line1, result.kind = _box_line(parts)
    elif address_type == "Street Address" and parts.get("AddressNumber") and parts.get("StreetName"):
        result.line1 = _street_line(parts)
    else:
        result.line1 = clean(line1)
        result.problems.append(Reason.of("street_unparseable"))
        return result
    result.line1 = _join(result.line1, unit)
    return result


def _recognised_before_parsing(cleaned: str, unit: str, result: StreetLines) -> bool:
    if box := _PO_BOX.fullmatch(cleaned):
        result.line1, result.kind = _join("PO BOX", box.group(1), unit), "po_box"
    elif military := _MILITARY.fullmatch(cleaned):
        result.line1, result.kind = f"{military.group(1)} {military.group(2)} BOX {military.group(3)}", "military"
    elif cleaned == _GENERAL_DELIVERY:
        result.line1, result.kind = _GENERAL_DELIVERY, "general_delivery"
    else:
        return False
    return True


def _repair(parts: dict[str, str]) -> dict[str, str]:
    """Mends what usaddress commonly mislabels, so that the writing rules stay simple."""
    suffixes = street_suffixes()
    designators = unit_designators()
    name = clean(parts.get("StreetName", ""))
    if not name and parts.get("StreetNamePostType"):
        # 1010 SOUTH BLVD: the directional is the street's name
        for label in ("StreetNamePostDirectional", "StreetNamePreDirectional"):
            if parts.get(label):
                parts["StreetName"] = parts.pop(label)
                break
    words = name.split(" ")
    if not parts.get("StreetNamePostType") and len(words) > 1 and suffixes.get(words[-1], ("", ""))[1] == words[-1]:
        # CENTRAL EXPRESSWAY: a spelled-out suffix left inside the name
        parts["StreetName"], parts["StreetNamePostType"] = " ".join(words[:-1]), words[-1]
    if clean(parts.get("PlaceName", "")) in designators and not parts.get("OccupancyType"):
        parts["OccupancyType"] = parts.pop("PlaceName")  # PENTHOUSE, REAR read as a city
    identifier = parts.get("OccupancyIdentifier", "")
    if identifier and "#" not in identifier and not parts.get("OccupancyType") and not parts.get("StreetNamePostType") and parts.get("StreetName"):
        parts["StreetName"] += " " + parts.pop("OccupancyIdentifier")  # CALLE A, CALLE 1
    return parts


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _street_line(parts: dict[str, str]) -> str:
    number = _join(clean(parts.get("AddressNumberPrefix", "")), clean(parts["AddressNumber"]), clean(parts.get("AddressNumberSuffix", "")))
    pre_type = clean(parts.get("StreetNamePreType", ""))
    post_type = clean(parts.get("StreetNamePostType", ""))
    suffixes = street_suffixes()
    return _join(
        number,
        _directional(parts.get("StreetNamePreDirectional", "")),
        clean(parts.get("StreetNamePreModifier", "")),
        suffixes[pre_type][1] if pre_type in suffixes else pre_type,  # a leading type is spelled out: HIGHWAY 61
        clean(parts["StreetName"]),
        suffixes[post_type][0] if post_type in suffixes else post_type,
        _directional(parts.get("StreetNamePostDirectional", "")),
        clean(parts.get("StreetNamePostModifier", "")),
        _unit(parts.get("SubaddressType", ""), parts.get("SubaddressIdentifier", "")),
        _unit(parts.get("OccupancyType", ""), parts.get("OccupancyIdentifier", "")),
    )


def _box_line(parts: dict[str, str]) -> tuple[str, str]:
    box = _join("BOX", clean(parts.get("USPSBoxID", "")).replace("#", "").strip())
    group = clean(parts.get("USPSBoxGroupType", ""))
    if group in _BOX_GROUPS:
        group_id = clean(parts.get("USPSBoxGroupID", "")).replace("#", "").strip().lstrip("0")
        return _join(_BOX_GROUPS[group], group_id, box), "rural"
    return _join("PO", box), "po_box"


def _directional(text: str) -> str:
    word = clean(text)
    return directionals().get(word, word)


def _unit(designator: str, identifier: str) -> str:
    """APT 4, STE 1800, REAR, # 1203 (Pub 28 writes the pound sign followed by a space)."""
    designator, identifier = clean(designator), clean(identifier).replace("#", "").strip()
    designators = unit_designators()
    if not designator and identifier in designators:
        designator, identifier = identifier, ""  # REAR, PENTHOUSE
    if not designator and not identifier:
        return ""
    if not designator or designator == "#":
        return _join("#", identifier)
    return _join(designators.get(designator, designator), identifier)


def _sort_second_line(text: str) -> tuple[str, str]:
    """Splits the second line into (line kept above the delivery line, unit for the delivery line)."""
    extra: list[str] = []
    unit = ""
    for piece in re.split(r"[\n;]+", text):
        cleaned = clean(piece)
        if not cleaned:
            continue
        as_unit = _as_unit(cleaned)
        if as_unit and not unit:
            unit = as_unit
        else:
            extra.append(_second_line(cleaned))
    return " ".join(extra), unit


def _as_unit(cleaned: str) -> str:
    """`APT 4`, `#5`, `UNIT 3F`, `REAR`, `2ND FLOOR`: a unit; anything else: ''."""
    if cleaned.startswith("#"):
        identifier = cleaned[1:].strip()
        return _unit("#", identifier) if identifier and " " not in identifier else ""
    words = cleaned.split(" ")
    designators = unit_designators()
    if words[0] in designators and len(words) <= 2:
        return _unit(words[0], " ".join(words[1:]))
    if len(words) == 2 and words[1] in designators and (ordinal := _ORDINAL.match(words[0])):
        return _unit(words[1], ordinal.group(1))
    return ""


def _second_line(cleaned: str) -> str:
    if match := _CARE_OF.match(cleaned):
        return "C/O " + cleaned[match.end():]
    if match := _ATTENTION.match(cleaned):
        return "ATTN " + cleaned[match.end():]
    if match := _URBANIZATION.match(cleaned):
        return "URB " + cleaned[match.end():]
    return cleaned  # a facility or inmate line, a building name: kept as written, in Pub 28 case
