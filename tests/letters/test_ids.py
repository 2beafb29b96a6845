"""Letter ids: round trips, and that every single typo and adjacent swap is caught."""

from __future__ import annotations

import random

import pytest

from notifier.letters import ids
from notifier.letters.ids import ALPHABET, MAX_NUMBER, make_letter_id, parse_letter_id

RNG = random.Random(20261125)
NUMBERS = sorted(
    {1, 2, 31, 32, 33, 1023, 1024, 10**6, 10**9, 10**12 - 1, 10**12, MAX_NUMBER - 1, MAX_NUMBER}
    | {RNG.randint(1, MAX_NUMBER) for _ in range(2000)}
    | {RNG.randint(1, 10**6) for _ in range(500)}
)
# Ids to mutate exhaustively: edge cases plus a random sample.
MUTATED = sorted({1, 32, 10**12, MAX_NUMBER} | set(RNG.sample(NUMBERS, 200)))


def plain(letter_id: str) -> str:
    return letter_id.replace("-", "")


def test_format():
    letter_id = make_letter_id(1)
    assert letter_id[:-1] == "000-000-01"
    assert len(letter_id) == 11 and letter_id[3] == letter_id[7] == "-"
    assert set(plain(make_letter_id(MAX_NUMBER))[:-1]) == {"Z"}


def test_example_in_messages_is_valid():
    assert make_letter_id(parse_letter_id(ids.EXAMPLE)) == ids.EXAMPLE


@pytest.mark.parametrize("number", NUMBERS[:50] + NUMBERS[-50:])
def test_round_trip_edges(number):
    assert parse_letter_id(make_letter_id(number)) == number


def test_round_trip_many():
    for number in NUMBERS:
        letter_id = make_letter_id(number)
        assert set(plain(letter_id)) <= set(ALPHABET)
        assert parse_letter_id(letter_id) == number


def test_ids_are_distinct():
    assert len({make_letter_id(n) for n in NUMBERS}) == len(NUMBERS)


@pytest.mark.parametrize("number", [0, -1, MAX_NUMBER + 1])
def test_make_rejects_out_of_range(number):
    with pytest.raises(ValueError, match="between 1 and"):
        make_letter_id(number)


@pytest.mark.parametrize("number", [1.0, "1", True])
def test_make_rejects_non_int(number):
    with pytest.raises(TypeError):
        make_letter_id(number)


def test_every_single_substitution_is_caught():
    for number in MUTATED:
        symbols = plain(make_letter_id(number))
        for i, original in enumerate(symbols):
            for other in ALPHABET:
                if other == original:
                    continue
                typo = symbols[:i] + other + symbols[i + 1 :]
                with pytest.raises(ValueError, match="has a typo: the check character does not match"):
                    parse_letter_id(typo)


def test_every_adjacent_transposition_is_caught():
    swaps = 0
    for number in MUTATED:
        symbols = plain(make_letter_id(number))
        for i in range(len(symbols) - 1):
            if symbols[i] == symbols[i + 1]:
                continue
            swapped = symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2 :]
            swaps += 1
            with pytest.raises(ValueError, match="has a typo"):
                parse_letter_id(swapped)
    assert swaps > 1000  # including swaps with the check character


def test_every_adjacent_transposition_of_every_pair_is_caught():
    """Every ordered pair of different symbols at every data position, not just the pairs ids happen to contain."""
    base = [RNG.randrange(32) for _ in range(8)]
    for i in range(7):
        for x in range(32):
            for y in range(32):
                if x == y:
                    continue
                values = base[:i] + [x, y] + base[i + 2 :]
                number = sum(v * 32 ** (7 - k) for k, v in enumerate(values))
                if number == 0:
                    continue
                symbols = plain(make_letter_id(number))
                swapped = symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2 :]
                with pytest.raises(ValueError, match="has a typo"):
                    parse_letter_id(swapped)


def test_case_insensitive():
    for number in MUTATED[:50]:
        letter_id = make_letter_id(number)
        assert parse_letter_id(letter_id.lower()) == number
        assert parse_letter_id(letter_id.swapcase()) == number


def test_hyphens_and_spaces_are_ignored():
    letter_id = make_letter_id(661027280989)
    assert letter_id == "K7M-4QP-2XP"
    for typed in ["K7M4QP2XP", "K7M 4QP 2XP", " k7m-4qp-2xp\n", "K7-M4-QP-2X-P", "K7M\u20134QP\u20142XP", "K7M - 4QP - 2XP"]:
        assert parse_letter_id(typed) == 661027280989


def test_crockford_look_alikes():
    number = next(n for n in NUMBERS if {"0", "1"} <= set(plain(make_letter_id(n))))
    letter_id = make_letter_id(number)
    for zero in "Oo":
        for one in "IiLl":
            assert parse_letter_id(letter_id.replace("0", zero).replace("1", one)) == number


def test_alphabet_has_no_ambiguous_letters():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_typo_message():
    with pytest.raises(ValueError) as info:
        parse_letter_id("k7m 4qp 2xw")
    assert str(info.value) == "letter id K7M-4QP-2XW has a typo: the check character does not match"


@pytest.mark.parametrize("typed", ["K7M-4QP-2X", "K7M-4QP-2XPP", "", "   ", "K7M"])
def test_wrong_length(typed):
    with pytest.raises(ValueError, match="expected 9 .*like K7M-4QP-2XP"):
        parse_letter_id(typed)


@pytest.mark.parametrize("typed, shown", [("K7M-4QP-2XU", "'U'"), ("K7M_4QP_2XP", "'_'"), ("K7M-4QP-2X*", "'\\*'"), ("K7M.4QP.2XÉ", "'.', 'É'")])
def test_wrong_characters(typed, shown):
    with pytest.raises(ValueError, match=f"contains {shown}; expected only digits"):
        parse_letter_id(typed)


def test_all_zero_id_names_no_letter():
    with pytest.raises(ValueError, match="names no letter"):
        parse_letter_id("000-000-000")


def test_parse_rejects_non_string():
    with pytest.raises(TypeError):
        parse_letter_id(123)  # type: ignore[arg-type]
