"""ZIP verification: does the ZIP exist, belong to the state, and serve the city?

The rule (`check_place`) is pure: it asks a `ZipDirectory` for facts. `PyZipCodeDirectory`
answers from pyzipcode's ZIP database; a certified source (a CASS vendor, the USPS address
API) can stand in for the whole step by implementing `Verifier`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Protocol

from notifier.addresses.reasons import Reason
from notifier.addresses.states import state_code
from notifier.addresses.tables import military_zip_prefixes

MILITARY_CITIES = frozenset({"APO", "FPO", "DPO"})
_CITY_WORDS = {"ST": "SAINT", "STE": "SAINTE", "MT": "MOUNT", "FT": "FORT", "PT": "POINT", "HTS": "HEIGHTS"}
_ZIP = re.compile(r"([0-9]{3,5})(?:-([0-9]{4}))?|([0-9]{5})([0-9]{4})")  # ASCII digits: \d takes any script's
TYPO_SIMILARITY = 0.8


@dataclass(frozen=True)
class Place:
    city: str  # upper case, as USPS names it
    state: str


class ZipDirectory(Protocol):
    def place(self, zip5: str) -> Place | None: ...

    def zips(self, city: str, state: str) -> tuple[str, ...]: ...


class PyZipCodeDirectory:
    """pyzipcode's database, with answers cached (a lookup costs about 60 µs, a city search about 4 ms)."""

    def __init__(self) -> None:
        from pyzipcode import ZipCodeDatabase

        self._db = ZipCodeDatabase()
        self.place = lru_cache(maxsize=None)(self._place)
        self.zips = lru_cache(maxsize=4096)(self._zips)

    def _place(self, zip5: str) -> Place | None:
        try:
            found = self._db[zip5]
        except (KeyError, IndexError):
            return None
        return Place(found.city.upper(), found.state)

    def _zips(self, city: str, state: str) -> tuple[str, ...]:
        return tuple(sorted(z.zip for z in self._db.find_zip(city=city.title(), state=state) or []))


@dataclass
class PlaceCheck:
    """City, state and ZIP after verification, with what changed and what a person must look at."""

    city: str
    state: str
    zip5: str
    zip4: str
    review: list[Reason] = field(default_factory=list)
    changes: list[Reason] = field(default_factory=list)
    suggestion: dict[str, str] = field(default_factory=dict)


def split_zip(text: str) -> tuple[str, str, bool] | None:
    """'2134' -> ('02134', '', True); '60640-5520' -> ('60640', '5520', False); junk -> None."""
    match = _ZIP.fullmatch(text.replace(" ", ""))
    if not match:
        return None
    zip5, zip4 = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return zip5.zfill(5), zip4 or "", len(zip5) < 5


def city_key(city: str) -> str:
    """A comparison form: ST LOUIS and SAINT LOUIS, SUMMIT-ARGO and SUMMIT ARGO are the same city."""
    return "".join(_CITY_WORDS.get(word, word) for word in re.split(r"[^A-Z0-9]+", city) if word)


def check_place(city: str, state_text: str, zip_text: str, directory: ZipDirectory) -> PlaceCheck:
    """Verifies (cleaned, upper-case) city, state and ZIP against the directory."""
    state = (state_code(state_text) or "") if state_text else ""
    result = PlaceCheck(city=city, state=state, zip5="", zip4="")
    parsed = split_zip(zip_text) if zip_text else None
    if state_text and not state:
        result.state = state_text
        result.review.append(Reason.of("state_unknown", state_text))
        if parsed:
            result.zip5, result.zip4 = parsed[0], parsed[1]
            if place := directory.place(result.zip5):
                result.suggestion = {"state": place.state}
        return result
    if zip_text and parsed is None:
        result.review.append(Reason.of("zip_not_found", zip_text))
    if parsed:
        result.zip5, result.zip4, restored = parsed
        if restored:
            result.changes.append(Reason.of("zip_zeros_restored", f"{zip_text} -> {result.zip5}"))
    if result.state in military_zip_prefixes():
        _check_military(result)
    elif result.zip5:
        _check_zip(result, directory)
    elif not result.review:
        _fill_zip(result, directory)
    _no_city_to_correct_the_zip(result, zip_text)
    return result


def _no_city_to_correct_the_zip(result: PlaceCheck, zip_text: str) -> None:
    """A ZIP that does not exist, and no city to find the right one from: nowhere to send the letter."""
    if not result.city and any(reason.code == "zip_not_found" for reason in result.review):
        result.review.append(Reason.of("zip_not_found_no_city", result.zip5 or zip_text))


def _check_military(result: PlaceCheck) -> None:
    if result.city not in MILITARY_CITIES:
        result.review.append(Reason.of("military_city", result.city or "no city"))
    if not result.zip5 or result.zip5[:3] not in military_zip_prefixes()[result.state]:
        result.review.append(Reason.of("zip_state_mismatch", f"{result.zip5 or 'no ZIP'} is not a {result.state} ZIP"))


def _check_zip(result: PlaceCheck, directory: ZipDirectory) -> None:
    place = directory.place(result.zip5)
    if place is None:
        if result.city and result.state and len(candidates := directory.zips(result.city, result.state)) == 1:
            result.changes.append(Reason.of("zip_filled", f"{result.zip5} does not exist; {result.city} {result.state} has only {candidates[0]}"))
            result.zip5, result.zip4 = candidates[0], ""
            result.city = directory.place(candidates[0]).city
            return
        result.review.append(Reason.of("zip_not_found", result.zip5))
        return
    if not result.state:
        result.state = place.state
        result.changes.append(Reason.of("state_filled", place.state))
    elif result.state != place.state:
        result.review.append(Reason.of("zip_state_mismatch", f"{result.zip5} is in {place.state}, not {result.state}"))
        if result.city and len(candidates := directory.zips(result.city, result.state)) == 1:
            result.suggestion = {"zip": candidates[0]}
        elif city_key(result.city) == city_key(place.city):
            result.suggestion = {"state": place.state}
        return
    if not result.city:
        result.city = place.city
        result.changes.append(Reason.of("city_filled", place.city))
    elif city_key(result.city) == city_key(place.city):
        result.city = place.city
    elif len(result.city) >= 4 and SequenceMatcher(None, city_key(result.city), city_key(place.city)).ratio() >= TYPO_SIMILARITY:
        result.changes.append(Reason.of("city_corrected", f"{result.city} -> {place.city}"))
        result.city = place.city
    else:
        result.review.append(Reason.of("city_zip_mismatch", f"{result.zip5} is {place.city}, not {result.city}"))
        result.suggestion = {"city": place.city}


def _fill_zip(result: PlaceCheck, directory: ZipDirectory) -> None:
    if not (result.city and result.state):
        result.review.append(Reason.of("missing_zip_and_city"))
        return
    candidates = directory.zips(result.city, result.state)
    if len(candidates) == 1:
        result.zip5 = candidates[0]
        result.city = directory.place(candidates[0]).city
        result.changes.append(Reason.of("zip_filled", candidates[0]))
    elif candidates:
        result.review.append(Reason.of("zip_ambiguous", f"{len(candidates)} ZIP codes, {candidates[0]} to {candidates[-1]}"))
    else:
        result.review.append(Reason.of("city_not_found", f"{result.city} {result.state}"))
