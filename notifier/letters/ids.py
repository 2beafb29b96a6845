"""Short letter ids that a clerk types from a returned envelope, e.g. "K7M-4QP-2XP".

Why: a returned letter must be found again even when its barcode is torn or unreadable,
so every letter also prints a short id meant for people. It is 8 data characters (the
letter's database id in base 32, up to 32**8 - 1 > 10**12) plus 1 check character,
shown as three groups of three.

Alphabet: Crockford base 32 (digits, and letters without I, L, O, U). Reading forgives
what people do: any case, spaces and hyphens, and O read as 0, I and L read as 1.

Check character: the data and check symbols are read as elements of GF(32) (polynomial
x^5 + x^2 + 1, a = the element x) and the check is chosen so that
sum(v_i * a**(8 - i)) == 0. This is Damm's algorithm with the quasigroup
c * v = a*c + v, i.e. a one-symbol Reed-Solomon check, and it provably catches
  - every single-character substitution: the sum changes by e * a**k, and e != 0, a != 0
    in a field means the product is never 0;
  - every adjacent transposition of different characters: the sum changes by
    (x - y) * a**k * (a + 1), never 0 because x != y and a != 1 (the same argument
    with (a + 1)**2 covers jump transpositions "xzy" -> "yzx").
The check symbol comes from the same 32 unambiguous symbols, so it is as easy to type as
the rest. Rejected alternatives: Crockford's mod-37 check needs the extra symbols *~$=U,
awkward to type and to read aloud; ISO 7064 MOD 37,36 needs all 36 alphanumerics,
including the I/1, L/1, O/0 look-alikes this alphabet exists to avoid.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ALIASES = {"O": "0", "I": "1", "L": "1"}
DATA_LENGTH = 8
LENGTH = DATA_LENGTH + 1
MAX_NUMBER = len(ALPHABET) ** DATA_LENGTH - 1  # 1_099_511_627_775
EXAMPLE = "K7M-4QP-2XP"  # a valid id, used in error messages

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READ = {**_VALUE, **{alias: _VALUE[symbol] for alias, symbol in ALIASES.items()}}
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")  # whitespace, hyphen, Unicode dashes
_POLY = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)


def _times_a(c: int) -> int:
    """Multiply a GF(32) element by a (the element x)."""
    c <<= 1
    return c ^ _POLY if c & 0b100000 else c


def _syndrome(values: list[int]) -> int:
    """sum(v_i * a**(n-1-i)) in GF(32), by Horner's rule: 0 for a valid id."""
    c = 0
    for v in values:
        c = _times_a(c) ^ v
    return c


def _format(symbols: str) -> str:
    return "-".join(symbols[i : i + 3] for i in range(0, len(symbols), 3))


def make_letter_id(number: int) -> str:
    """The printed id for letter `number` (1 ... MAX_NUMBER), as "XXX-XXX-XXX"."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"letter number must be an int, not {type(number).__name__}")
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"letter number must be between 1 and {MAX_NUMBER}, got {number}")
    values = []
    for _ in range(DATA_LENGTH):
        number, v = divmod(number, len(ALPHABET))
        values.append(v)
    values.reverse()
    values.append(_times_a(_syndrome(values)))  # makes the syndrome of all 9 zero
    return _format("".join(ALPHABET[v] for v in values))


def parse_letter_id(text: str) -> int:
    """The letter number behind a typed id; ValueError that says what is wrong and what was expected."""
    if not isinstance(text, str):
        raise TypeError(f"letter id must be a string, not {type(text).__name__}")
    symbols = _SEPARATORS.sub("", text).upper()
    bad = sorted({ch for ch in symbols if ch not in _READ})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise ValueError(
            f"letter id {text!r} contains {shown}; expected only digits and the letters "
            f"A-Z except U (O is read as 0, I and L as 1), like {EXAMPLE}"
        )
    if len(symbols) != LENGTH:
        raise ValueError(
            f"letter id {text!r} has {len(symbols)} characters; expected {LENGTH} "
            f"(hyphens and spaces do not count), like {EXAMPLE}"
        )
    values = [_READ[ch] for ch in symbols]
    canonical = _format("".join(ALPHABET[v] for v in values))
    if _syndrome(values) != 0:
        raise ValueError(f"letter id {canonical} has a typo: the check character does not match")
    number = 0
    for v in values[:DATA_LENGTH]:
        number = number * len(ALPHABET) + v
    if number == 0:
        raise ValueError(f"letter id {canonical} names no letter: letter numbers start at 1")
    return number
