"""IMb digits and bars: the spec's worked examples, assembly, splitting, and bad input."""

from __future__ import annotations

import pytest

from notifier.letters import imb

# USPS-B-3200, Appendix C worked examples: one tracking code, four routing codes.
# The same four strings appear as the self-test in USPS's own reference encoder.
SPEC_TRACKING = "01234567094987654321"
SPEC_EXAMPLES = {
    "": "ATTFATTDTTADTAATTDTDTATTDAFDDFADFDFTFFFFFTATFAAAATDFFTDAADFTFDTDT",
    "01234": "DTTAFADDTTFTDTFTFDTDDADADAFADFATDDFTAAAFDTTADFAAATDFDTDFADDDTDFFT",
    "012345678": "ADFTTAFDTTTTFATTADTAAATFTFTATDAAAFDDADATATDTDTTDFDTDATADADTDFFTFA",
    "01234567891": "AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA",
}


@pytest.mark.parametrize("routing", SPEC_EXAMPLES)
def test_encode_matches_spec_worked_examples(routing):
    bars = imb.encode(SPEC_TRACKING, routing)
    assert bars == SPEC_EXAMPLES[routing]
    assert len(bars) == 65 and set(bars) <= set("ADFT")


@pytest.mark.parametrize(
    "tracking, message",
    [
        ("0123456709498765432", "20 digits"),
        ("012345670949876543210", "20 digits"),
        ("0123456709498765432X", "only digits"),
        ("0123456709498765432\u0663", "only digits"),  # an Arabic-Indic digit is not a digit here
        ("05234567094987654321", "second digit must be 0-4"),
        ("09234567094987654321", "second digit must be 0-4"),
        ("", "20 digits"),
    ],
)
def test_encode_rejects_bad_tracking(tracking, message):
    with pytest.raises(ValueError, match=message):
        imb.encode(tracking, "")


@pytest.mark.parametrize("routing", ["1", "0123", "012345", "0123456789", "012345678912", "0123A", " 01234"])
def test_encode_rejects_bad_routing(routing):
    with pytest.raises(ValueError, match="routing code"):
        imb.encode(SPEC_TRACKING, routing)


def test_tracking_code_with_six_digit_mailer_id():
    assert imb.tracking_code("01", "234", "567094", 987654321) == SPEC_TRACKING
    assert imb.tracking_code("00", "040", "123456", 7) == "00040123456000000007"


def test_tracking_code_with_nine_digit_mailer_id():
    code = imb.tracking_code("00", "270", "901234567", 42)
    assert code == "00270901234567000042"
    assert len(code) == 20


@pytest.mark.parametrize(
    "args, message",
    [
        (("05", "234", "567094", 1), "second digit must be 0-4"),
        (("1", "234", "567094", 1), "barcode id must be 2 digits"),
        (("01", "23", "567094", 1), "service type id must be 3 digits"),
        (("01", "234", "56709", 1), "mailer id must be 6 or 9 digits"),
        (("01", "234", "5670941", 1), "mailer id must be 6 or 9 digits"),
        (("01", "234", "123456789", 1), "9-digit mailer id starts with 9"),
        (("01", "234", "912345", 1), "6-digit mailer id cannot start with 9"),
        (("01", "234", "567094", 10**9), "does not fit in 9 digits"),
        (("01", "234", "901234567", 10**6), "does not fit in 6 digits"),
        (("01", "234", "567094", -1), "does not fit"),
    ],
)
def test_tracking_code_rejects(args, message):
    with pytest.raises(ValueError, match=message):
        imb.tracking_code(*args)


def test_tracking_code_largest_serials_fit():
    assert imb.tracking_code("00", "040", "123456", 10**9 - 1).endswith("999999999")
    assert imb.tracking_code("00", "040", "912345678", 10**6 - 1).endswith("999999")


def test_routing_code_assembly():
    assert imb.routing_code("") == ""
    assert imb.routing_code("01234") == "01234"
    assert imb.routing_code("01234", "5678") == "012345678"
    assert imb.routing_code("01234", "5678", "91") == "01234567891"


@pytest.mark.parametrize(
    "args, message",
    [
        (("1234",), "ZIP code must be 0 or 5 digits"),
        (("01234", "567"), "ZIP\\+4 add-on must be 0 or 4 digits"),
        (("01234", "5678", "9"), "delivery point must be 0 or 2 digits"),
        (("01234", "", "91"), "delivery point needs the ZIP\\+4"),
        (("", "5678"), "needs the 5-digit ZIP"),
        (("0123O",), "only digits"),
    ],
)
def test_routing_code_rejects(args, message):
    with pytest.raises(ValueError, match=message):
        imb.routing_code(*args)


@pytest.mark.parametrize("routing", SPEC_EXAMPLES)
def test_parse_scanned_round_trip(routing):
    assert imb.parse_scanned(SPEC_TRACKING + routing) == (SPEC_TRACKING, routing)
    tracking, routing_back = imb.parse_scanned(SPEC_TRACKING + routing)
    assert imb.encode(tracking, routing_back) == SPEC_EXAMPLES[routing]


def test_parse_scanned_round_trip_from_parts():
    tracking = imb.tracking_code("00", "040", "912345678", 123)
    routing = imb.routing_code("20260", "0004", "01")
    assert imb.parse_scanned(tracking + routing) == (tracking, routing)
    assert imb.parse_scanned(f" {tracking}{routing}\n") == (tracking, routing)  # scanners add a newline


@pytest.mark.parametrize("length", [0, 19, 21, 24, 26, 28, 30, 32])
def test_parse_scanned_rejects_lengths(length):
    digits = ("0123456709498765432101234567891" * 2)[:length]
    with pytest.raises(ValueError, match="20 or 25 or 29 or 31 digits"):
        imb.parse_scanned(digits)


def test_parse_scanned_rejects_bad_content():
    with pytest.raises(ValueError, match="only digits"):
        imb.parse_scanned("0123456709498765432101234-5678")
    with pytest.raises(ValueError, match="second digit must be 0-4"):
        imb.parse_scanned("0723456709498765432101234")


def test_serial_of():
    assert imb.serial_of(SPEC_TRACKING) == 987654321
    assert imb.mailer_id_of(SPEC_TRACKING) == "567094"
    nine = imb.tracking_code("00", "270", "901234567", 42)
    assert imb.serial_of(nine) == 42
    assert imb.mailer_id_of(nine) == "901234567"


@pytest.mark.parametrize("mailer_id, serial", [("123456", 0), ("123456", 10**9 - 1), ("899999", 5), ("900000000", 0), ("999999999", 10**6 - 1)])
def test_serial_of_inverts_tracking_code(mailer_id, serial):
    assert imb.serial_of(imb.tracking_code("00", "040", mailer_id, serial)) == serial


def test_serial_of_rejects_bad_tracking():
    with pytest.raises(ValueError, match="20 digits"):
        imb.serial_of("123")
