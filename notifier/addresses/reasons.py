"""Stable reason codes for address results, with the sentence a clerk reads.

Scripts match on the codes; the messages may be reworded. Review reasons stop a letter
until staff act; change codes say what verification corrected.
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGES: dict[str, str] = {
    # nothing usable: undeliverable
    "empty_address": "no address was given",
    "not_an_address": "the address line says there is no address (for example HOMELESS, UNKNOWN, N/A or only a dash)",
    "general_delivery_no_city": "GENERAL DELIVERY is held at a city's post office, and there is neither a city nor a ZIP code to name it",
    "zip_not_found_no_city": "the ZIP code does not exist and there is no city to find the right one",
    # a person must look: needs_review
    "zip_not_found": "the ZIP code does not exist",
    "zip_state_mismatch": "the ZIP code belongs to another state",
    "city_zip_mismatch": "the city is not the city of this ZIP code",
    "zip_ambiguous": "no ZIP code was given and the city has several",
    "city_not_found": "no ZIP code was given and the city and state are not known",
    "missing_zip_and_city": "the address has neither a ZIP code nor a city and state",
    "state_unknown": "the state is not a US state, territory or military code",
    "military_city": "a military address (AA, AE, AP) needs the city APO, FPO or DPO",
    "street_unparseable": "the street line could not be read as an address",
    "line_too_long": "a line of the address is over 1,000 characters long once standardized, longer than any address",
    "repeated_labels": "the street line has a part twice (for example two apartment numbers)",
    "two_delivery_addresses": "the street line has two delivery addresses (for example a PO box and a street); only one may stay on it, the one its ZIP code belongs to",
    "staff_undeliverable": "staff marked this address undeliverable",
    "dead_address": "mail to this address came back for good (a USPS endorsement); no letter goes there again",
    # what verification corrected: corrected
    "city_corrected": "the city was misspelled and was corrected to the USPS name",
    "city_filled": "the city was missing and was filled in from the ZIP code",
    "state_filled": "the state was missing and was filled in from the ZIP code",
    "zip_filled": "the ZIP code was missing or wrong and was filled in from the city and state",
    "zip_zeros_restored": "the ZIP code had lost its leading zeros",
}

UNDELIVERABLE = frozenset({
    "empty_address", "not_an_address", "general_delivery_no_city", "zip_not_found_no_city", "staff_undeliverable", "dead_address",
})


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    @classmethod
    def of(cls, code: str, detail: str = "") -> "Reason":
        return cls(code, MESSAGES[code] + (f" ({detail})" if detail else ""))

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}
