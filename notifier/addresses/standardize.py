"""USPS Publication 28 standardization of the street lines: a pure function of the text.

usaddress labels the parts of the delivery line; each part is then written the Pub 28 way
(upper case, plain ASCII, no punctuation, C1 suffixes, C2 unit designators, directionals
only where usaddress saw a directional). A few forms are recognised before usaddress,
because it mislabels them: PO boxes (every spelling, drawers too), military boxes and
General Delivery. The second line is sorted into what it is: a unit (moved onto the
delivery line), a care-of or ATTN line, a facility line or a Puerto Rico urbanization
(kept as their own line above the delivery line).

Address lines as real files have them, each a rule of its own:
- a name line typed first (a jail, shelter or care-of over the street) is swapped with the
  delivery line below it (`_typed_first`);
- a facility name on the same line as the street goes to the second line (`_name_and_rest`);
- two delivery addresses on one line (a PO box and a street) go to review, both kept;
- ordinal floors and units lose their ordinal: 2ND FLOOR -> FL 2 (`_ordinal`);
- placeholder lines (-, ?, N/A, NONE ...) are no address (`is_placeholder`); as a second line
  they are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import usaddress

from notifier.addresses.reasons import Reason
from notifier.addresses.tables import directionals, facility_words, not_an_address, ordinal_words, street_suffixes, unit_designators

_PUNCTUATION = re.compile(r"[^\w\s/#&-]")
_SPACES = re.compile(r"\s+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NOT_WORD = re.compile(r"[\W_]")
_SPACED_HYPHEN = re.compile(r"^(\d+)\s+-\s+(\d+)\b")
# (?:OX)?+ is possessive: PO BOX with no number must not read as box number OX
_PO_BOX = re.compile(r"(?:P\s*O\s*B(?:OX)?+|POST\s+OFFICE\s+BOX|(?:P\s*O\s*)?DRAWER|(?:P\s*O\s*)?LOCK\s*BOX|BOX)\s*#?\s*([A-Z0-9-]+)")
_PO_BOX_AND_MORE = re.compile(_PO_BOX.pattern + r"\s+(.+)")  # a box and what follows it (a unit?)
_MILITARY = re.compile(r"(PSC|CMR|UNIT)\s*#?\s*(\d+)\s*,?\s*BOX\s*#?\s*(\d+)")
_GENERAL_DELIVERY = "GENERAL DELIVERY"
_CARE_OF = re.compile(r"^(C\s*/\s*O|C\s+O|CARE\s+OF|IN\s+CARE\s+OF)\s+")
_ATTENTION = re.compile(r"^(ATTN|ATTENTION)\s+")
_URBANIZATION = re.compile(r"^(URB|URBANIZACION|URBANIZATION)\s+")
_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
LONGEST_LINE = 200  # characters of a delivery line worth reading; real ones are under 64 (a facility name and a street)
# usaddress labels: a name (a facility, a person), the start of a delivery address, a box
_NAME_LABELS = frozenset({"Recipient", "BuildingName", "LandmarkName"})
_DELIVERY_START = frozenset({"AddressNumber", "USPSBoxType", "USPSBoxGroupType"})
_BOX_LABELS = frozenset({"USPSBoxType", "USPSBoxID", "USPSBoxGroupType", "USPSBoxGroupID"})
_DELIVERY_KINDS = frozenset({"street", "po_box", "rural", "military", "general_delivery"})
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
    if text.isascii():
        return text.upper()  # most lines: nothing to decompose
    decomposed = unicodedata.normalize("NFKD", text).replace("\u2044", "/")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def clean(text: str) -> str:
    """Upper-case ASCII, punctuation removed (but / - # kept), single spaces."""
    return _SPACES.sub(" ", _PUNCTUATION.sub("", ascii_upper(text).replace(",", " "))).strip()


def standardize_lines(line1: str, line2: str) -> StreetLines:
    line1 = _normalize(line1)
    pieces = [piece for piece in re.split(r"[\n;]+", line2) if piece.strip()]
    if pieces and any(pattern.match(clean(line1)) for pattern in (_CARE_OF, _ATTENTION, _URBANIZATION)):
        line1, line2 = _normalize(line2), line1  # a care-of or urbanization line typed first
    elif pieces and _typed_first(line1, pieces[0]):
        line1, line2 = _normalize(pieces[0]), "\n".join([line1, *pieces[1:]])  # a facility or other name line typed first
    extra, unit, more_units = _sort_second_line(line2)
    result = StreetLines(line2=extra)
    if not line1 and not unit:
        result.kind = "none"
        result.problems.append(Reason.of("street_unparseable", "only a second line was given") if extra else Reason.of("empty_address"))
        return result
    if line1 and is_placeholder(line1):
        result.kind = "none"
        result.problems.append(Reason.of("not_an_address"))
        return result
    _delivery_line(line1, unit, result)
    if more_units:  # APT 1; UNIT 2 on line 2: as when one line says both
        result.problems.append(Reason.of("repeated_labels", " and ".join([unit, *more_units])))
    return result


def is_placeholder(text: str) -> bool:
    """-, ?, --, ., N/A, NONE, HOMELESS ...: a line that stands for "no address" (punctuation only, or a listed phrase)."""
    words = _SPACES.sub(" ", _NOT_WORD.sub(" ", ascii_upper(text))).strip()
    return not words or words in not_an_address()


def _normalize(line: str) -> str:
    """Upper-case ASCII with single spaces; a control character (ESC, NUL pasted into a form) separates words like a space,
    so that usaddress reads the words that are written (clean() drops controls from the result)."""
    return _SPACED_HYPHEN.sub(r"\1-\2", _SPACES.sub(" ", _CONTROLS.sub(" ", ascii_upper(line))).strip())


def _typed_first(line1: str, line2: str) -> bool:
    """Line 2 is a delivery address and line 1 is not one (empty, a facility, an inmate number, a unit), so they swap.

    A line 1 that reads as a street still swaps when its last word names a facility and is no street
    suffix: 1ST BAPTIST CHURCH over 1234 W MAIN ST. A placeholder line 1 (N/A, HOMELESS) does not swap.
    """
    if (line1 and is_placeholder(line1)) or not _is_delivery(line2):
        return False
    last_word = clean(line1).rsplit(" ", 1)[-1]
    return not _is_delivery(line1) or (last_word in facility_words() and last_word not in street_suffixes())


@lru_cache(maxsize=4096)
def _is_delivery(line: str) -> bool:
    """The line alone reads as one delivery address with nothing for a person to look at.

    Cached: `_name_and_rest` asks this of every tail of a line, and answering it splits names
    off the tail in turn; without the cache, a line of many names and numbers (JAIL 1 JAIL 1 ...)
    takes time exponential in its words.
    """
    if not line.strip() or is_placeholder(line):
        return False
    probe = StreetLines()
    _delivery_line(_normalize(line), "", probe)
    return probe.kind in _DELIVERY_KINDS and not probe.problems


def labelled_parts(tokens: list[tuple[str, str]]) -> tuple[dict[str, str], str] | None:
    """What usaddress.tag gives, from the tokens usaddress.parse already gave (tag would parse the
    line again, the costliest step of verifying an address): each label's words joined, and the
    address type; None where tag raises RepeatedLabelError (a label comes back after another)."""
    words: dict[str, list[str]] = {}
    previous, crossing = None, False
    for word, label in tokens:
        crossing = crossing or label == "IntersectionSeparator"
        if crossing and "StreetName" in label:
            label = "Second" + label  # the second street of an intersection
        if label != previous and label in words:
            return None
        words.setdefault(label, []).append(word)
        previous = label
    parts = {label: " ".join(found).strip(" ,;") for label, found in words.items()}
    if "AddressNumber" in words and not crossing:
        return parts, "Street Address"
    if crossing and "AddressNumber" not in words:
        return parts, "Intersection"
    return parts, "PO Box" if "USPSBoxID" in words else "Ambiguous"


def _delivery_line(line1: str, unit: str, result: StreetLines) -> None:
    """Standardizes one delivery line into result (line1, kind, problems, and a name split off onto line2)."""
    if _recognised_before_parsing(clean(line1), unit, result):
        return
    if len(line1) > LONGEST_LINE:  # reading it costs time that grows with its words (cubed): no address is this long
        result.line1 = _join(clean(line1), unit)
        result.problems.append(Reason.of("street_unparseable", f"over {LONGEST_LINE} characters long"))
        return
    tokens = usaddress.parse(line1)
    if split := _name_and_rest(tokens):
        name, rest = split
        result.line2 = _join(name, result.line2)
        _delivery_line(rest, unit, result)
        return
    tagged = labelled_parts(tokens)
    if tagged is None:
        result.line1 = _join(clean(line1), unit)
        result.problems.append(Reason.of("repeated_labels"))
        return
    parts, address_type = tagged
    if two := _two_delivery_addresses(tokens):
        result.line1 = _join(clean(line1), unit)  # both kept, for the person who decides
        result.problems.append(Reason.of("two_delivery_addresses", two))
        return
    parts = _repair(dict(parts))
    result.city = clean(parts.get("PlaceName", ""))
    result.state = clean(parts.get("StateName", ""))
    result.zip = clean(parts.get("ZipCode", ""))
    if address_type == "PO Box" and not _box_and_more(parts):
        result.line1, result.kind = _box_line(parts)
    elif address_type == "Street Address" and parts.get("AddressNumber") and parts.get("StreetName"):
        result.line1 = _street_line(parts)
    else:
        result.line1 = clean(line1)
        result.problems.append(Reason.of("street_unparseable"))
        return
    if names := [clean(parts[label]) for label in sorted(_NAME_LABELS) if parts.get(label)]:
        result.line1 = clean(line1)  # a name inside the street line: never dropped in silence
        result.problems.append(Reason.of("street_unparseable", f"a name inside the street line: {' '.join(names)}"))
        return
    if unit and (own := _box_number(parts)[1] or _unit(parts.get("OccupancyType", ""), parts.get("OccupancyIdentifier", ""))):
        if own != unit:  # APT 2 on line 1 and APT 3 on line 2: as when one line says both
            result.line1 = _join(result.line1, unit)
            result.problems.append(Reason.of("repeated_labels", f"{own} and {unit}"))
            return
        unit = ""  # the same unit typed on both lines is one unit
    result.line1 = _join(result.line1, unit)


def _name_and_rest(tokens: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(name, delivery line) when a facility or other name shares the line with a delivery address.

    Before it: COOK COUNTY JAIL DIV 10 2700 S CALIFORNIA AVE, STATEVILLE CORRECTIONAL CENTER PO BOX 112
    (usaddress calls the words a name, or one is a facility word). After it: 1458 S CANAL ST PACIFIC
    GARDEN MISSION (usaddress calls them a name). Only when what is left reads as a delivery line alone.
    """
    facility = facility_words()
    # where the delivery address may start: where usaddress says it does, else at a number
    starts = [i for i, (_, label) in enumerate(tokens) if label in _DELIVERY_START]
    starts += [i for i, (text, _) in enumerate(tokens) if text[:1].isdigit() and i not in starts]
    for start in starts:
        before = tokens[:start]
        if not before or any(label in _BOX_LABELS or label == "AddressNumber" for _, label in before):
            continue  # a delivery address comes first: no name before it
        name, rest = clean(" ".join(text for text, _ in before)), " ".join(text for text, _ in tokens[start:])
        named = any(label in _NAME_LABELS for _, label in before) or not facility.isdisjoint(name.split(" "))
        if named and _is_delivery(rest):
            return _second_line(name), rest
    end = len(tokens)
    while end > 0 and tokens[end - 1][1] in _NAME_LABELS:
        end -= 1
    if 0 < end < len(tokens) and _is_delivery(rest := " ".join(text for text, _ in tokens[:end])):
        return _second_line(clean(" ".join(text for text, _ in tokens[end:]))), rest
    return None


def _two_delivery_addresses(tokens: list[tuple[str, str]]) -> str:
    """'PO BOX 123 and 1234 W MAIN ST' when the line holds a box and a street address; '' otherwise."""
    labels = {label for _, label in tokens}
    if not (labels & _BOX_LABELS and "AddressNumber" in labels):
        return ""
    box = " ".join(text for text, label in tokens if label in _BOX_LABELS)
    street = " ".join(text for text, label in tokens if label not in _BOX_LABELS)
    return f"{_standard_or_clean(box)} and {_standard_or_clean(street)}"


def _standard_or_clean(line: str) -> str:
    probe = StreetLines()
    _delivery_line(_normalize(line), "", probe)
    return probe.line1 if not probe.problems else clean(line)


def _recognised_before_parsing(cleaned: str, unit: str, result: StreetLines) -> bool:
    box, own = _PO_BOX.fullmatch(cleaned), ""
    if not box and (with_more := _PO_BOX_AND_MORE.fullmatch(cleaned)) and (own := _as_unit(with_more.group(2))):
        box = with_more  # PO BOX 112 # 5, as a unit from line 2 is written: read back the same way
    if box:
        result.line1, result.kind = _join("PO BOX", box.group(1), own or unit), "po_box"
        if own and unit and own != unit:
            result.line1 = _join(result.line1, unit)
            result.problems.append(Reason.of("repeated_labels", f"{own} and {unit}"))
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


def _box_and_more(parts: dict[str, str]) -> bool:
    """A box line that says more or less than a box (PO BOX 112 MAIN ST, BOX ELDER ST 5, HC 1 BOX #, RR 2 without a box):
    writing it as a box would drop or make up words."""
    known = _BOX_LABELS | {"SubaddressType", "SubaddressIdentifier", "OccupancyType", "OccupancyIdentifier", "PlaceName", "StateName", "ZipCode"}
    number, pound_unit = _box_number(parts)
    route_half_given = bool(parts.get("USPSBoxGroupType")) != bool(parts.get("USPSBoxGroupID"))
    rural_box_without_route = any(clean(parts.get("USPSBoxType", "")).startswith(group) for group in _BOX_GROUPS)  # RR BOX 2
    return (bool(set(parts) - known) or len(number.split()) != 1 or bool(pound_unit and parts.get("OccupancyIdentifier"))
            or route_half_given or rural_box_without_route)


def _box_number(parts: dict[str, str]) -> tuple[str, str]:
    """The box number, and a unit after it with a pound sign (BOX 15 # 5), which usaddress reads as part of the number."""
    number, pound, rest = clean(parts.get("USPSBoxID", "")).lstrip("#").partition("#")
    return number.strip(), _unit("#", rest) if pound and rest.strip() else ""


def _box_line(parts: dict[str, str]) -> tuple[str, str]:
    """PO BOX 112, RR 2 BOX 15; a unit after the box stays on the line (never dropped), as when line 2 gave it."""
    number, pound_unit = _box_number(parts)
    box = _join("BOX", number)
    unit = _join(_unit(parts.get("SubaddressType", ""), parts.get("SubaddressIdentifier", "")),
                 pound_unit or _unit(parts.get("OccupancyType", ""), parts.get("OccupancyIdentifier", "")))
    group = clean(parts.get("USPSBoxGroupType", ""))
    if group in _BOX_GROUPS:
        group_id = clean(parts.get("USPSBoxGroupID", "")).replace("#", "").strip().lstrip("0")
        return _join(_BOX_GROUPS[group], group_id, box, unit), "rural"
    return _join("PO", box, unit), "po_box"


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
    return _join(designators.get(designator, designator), _ordinal(identifier) or identifier)


def _ordinal(word: str) -> str:
    """2ND -> 2, SECOND -> 2 (a floor or unit is numbered, Pub 28 writes FL 2); anything else -> ''."""
    if ordinal := _ORDINAL.match(word):
        return ordinal.group(1)
    return ordinal_words().get(word, "")


def _sort_second_line(text: str) -> tuple[str, str, list[str]]:
    """Splits the second line into (line kept above the delivery line, unit for the delivery line, units after the first).

    A unit after the first stays on the kept line, and is returned too: a person decides which unit it is.
    """
    extra: list[str] = []
    unit = ""
    more_units: list[str] = []
    for piece in re.split(r"[\n;]+", text):
        cleaned = clean(piece)
        if not cleaned or is_placeholder(cleaned):
            continue  # nothing, or N/A, -, NONE typed into an empty field
        as_unit = _as_unit(cleaned)
        if as_unit and not unit:
            unit = as_unit
        else:
            extra.append(_second_line(cleaned))
            if as_unit:
                more_units.append(as_unit)
    return " ".join(extra), unit, more_units


def _as_unit(cleaned: str) -> str:
    """`APT 4`, `#5`, `UNIT 3F`, `REAR`, `2ND FLOOR`, `FLOOR 2ND`: a unit; anything else: ''."""
    if cleaned.startswith("#"):
        identifier = cleaned[1:].strip()
        return _unit("#", identifier) if identifier and " " not in identifier else ""
    words = cleaned.split(" ")
    designators = unit_designators()
    if words[0] in designators and len(words) <= 2:
        return _unit(words[0], " ".join(words[1:]))
    if len(words) == 2 and words[1] in designators and (number := _ordinal(words[0])):
        return _unit(words[1], number)  # 2ND FLOOR, SECOND FLOOR -> FL 2
    return ""


def _second_line(cleaned: str) -> str:
    if match := _CARE_OF.match(cleaned):
        return "C/O " + cleaned[match.end():]
    if match := _ATTENTION.match(cleaned):
        return "ATTN " + cleaned[match.end():]
    if match := _URBANIZATION.match(cleaned):
        return "URB " + cleaned[match.end():]
    return cleaned  # a facility or inmate line, a building name: kept as written, in Pub 28 case
