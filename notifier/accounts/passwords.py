"""Password hashes: argon2id through argon2-cffi, with its default (RFC 9106) parameters.

A hash carries its own parameters, so a hash written with older ones still checks; log-in
writes a new one when `needs_rehash` says the parameters have moved on.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


def hash_password(text: str) -> str:
    """The encoded argon2id hash of `text` (salted: the same text gives a new hash each time)."""
    return _HASHER.hash(text)


def check_password(hashed: str, text: str) -> bool:
    """True when `text` is the password `hashed` was made from; False for a wrong password or a damaged hash."""
    try:
        return _HASHER.verify(hashed, text)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """True when `hashed` was made with other parameters than hash_password uses now."""
    try:
        return _HASHER.check_needs_rehash(hashed)
    except InvalidHashError:
        return True


@cache
def _no_one() -> str:
    return hash_password("a password no account has")


def check_no_one(text: str) -> bool:
    """Spend the time of one check when there is no hash to check (an unknown name): always False.

    A log-in for a name that does not exist then takes as long as one with a wrong password,
    so the time taken does not tell which names exist.
    """
    check_password(_no_one(), text)
    return False
