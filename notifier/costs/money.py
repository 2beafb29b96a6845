"""Dollars as people type and read them, cents as the database keeps them.

Amounts are stored as whole cents so that sums and shares add up exactly; these functions are
the only places where text becomes cents and cents become text.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from notifier.errors import InvalidInputError


def parse_dollars(text: str | None, label: str) -> int | None:
    """Cents of an amount typed in dollars ("1234.56", "$1,234.56"); None when nothing was given.

    `label` names the field in the message (the CLI passes its option, a page its field name).
    Negative amounts and fractions of a cent are refused rather than rounded.
    """
    if text is None:
        return None
    try:
        amount = Decimal(text.replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise InvalidInputError(f"{label} '{text}' is not an amount", todo="write dollars and cents, for example 1234.56") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInputError(f"{label} '{text}' is not an amount in dollars and cents", todo="write it like 1234.56")
    return int(amount * 100)


def dollars(cents: int) -> str:
    """"$1,234.56" (negative amounts as "$-0.02")."""
    return f"${cents / 100:,.2f}"


def figure(cents: int, width: int = 12) -> str:
    """An amount in a right-aligned column of figures ("    1,234.56"): reports' tables, where "$" would be noise."""
    return f"{cents / 100:>{width},.2f}"
