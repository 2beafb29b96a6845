"""How a person's name prints: as the source wrote it in the letter, in Latin capitals on the envelope.

The address block is read by USPS machines and carriers, so it is Latin capitals: letters of
another script are transliterated (anyascii), Latin letters keep their accents. In the
salutation and body the name prints as written wherever a shipped font can draw it (see
fonts.py); where none can, the transliteration prints instead, so nobody gets a letter with
empty boxes for a name, and nobody gets no letter.
"""

from __future__ import annotations

import unicodedata

from anyascii import anyascii

from notifier.letters.fonts import missing_glyphs


def _latin(char: str) -> bool:
    """ASCII, a Latin letter, a combining accent, or not part of a word at all (digits, punctuation)."""
    if char.isascii() or unicodedata.category(char)[0] not in "LM":
        return True
    return unicodedata.name(char, "").startswith(("LATIN", "COMBINING"))


def _transliterated(word: str) -> str:
    """A word of another script in Latin letters, capitalised as a name ("王秀英" -> "Wangxiuying")."""
    if all(_latin(c) for c in word):
        return word
    latin = "".join(c if _latin(c) else anyascii(c) for c in word)
    return latin[:1].upper() + latin[1:].lower()


def in_latin(name: str) -> str:
    """The name in Latin letters, word by word."""
    return " ".join(_transliterated(word) for word in name.split())


def address_name(name: str) -> str:
    """The first line of the address block: Latin capitals."""
    return in_latin(name).upper()


def printed_name(name: str) -> str:
    """The name as written when the shipped fonts can draw it, else its transliteration."""
    return name if not missing_glyphs(name) else in_latin(name)
