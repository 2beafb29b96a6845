"""ZIP verification as a pure rule, against a small directory of known places."""

from notifier.addresses.check import RawAddress, ZipDatabaseVerifier, check_address
from notifier.addresses.verify import Place, check_place, split_zip


class Directory:
    """Four ZIPs: enough to exercise every branch without pyzipcode."""

    places = {"60636": Place("CHICAGO", "IL"), "60637": Place("CHICAGO", "IL"), "60804": Place("CICERO", "IL"), "02134": Place("ALLSTON", "MA"), "63106": Place("SAINT LOUIS", "MO")}

    def place(self, zip5):
        return self.places.get(zip5)

    def zips(self, city, state):
        return tuple(sorted(z for z, p in self.places.items() if (p.city, p.state) == (city, state)))


def codes(check) -> tuple[list[str], list[str]]:
    return [r.code for r in check.review], [r.code for r in check.changes]


def test_split_zip():
    assert split_zip("2134") == ("02134", "", True)
    assert split_zip("60640-5520") == ("60640", "5520", False)
    assert split_zip("606405520") == ("60640", "5520", False)
    assert split_zip("6O636") is None


def test_matching_city_state_zip_is_verified_with_the_usps_city_name():
    check = check_place("CHICAGO", "Illinois", "60636", Directory())
    assert (check.city, check.state, check.zip5, codes(check)) == ("CHICAGO", "IL", "60636", ([], []))


def test_saint_and_st_are_the_same_city():
    check = check_place("ST LOUIS", "MO", "63106", Directory())
    assert (check.city, codes(check)) == ("SAINT LOUIS", ([], []))


def test_close_misspelling_is_corrected():
    check = check_place("CHICGO", "IL", "60636", Directory())
    assert (check.city, codes(check)) == ("CHICAGO", ([], ["city_corrected"]))


def test_city_beyond_a_typo_needs_review_with_a_suggestion():
    check = check_place("EVANSTON", "IL", "60636", Directory())
    assert codes(check) == (["city_zip_mismatch"], [])
    assert check.suggestion == {"city": "CHICAGO"}


def test_zip_of_another_state_needs_review():
    check = check_place("CICERO", "IL", "2134", Directory())
    assert codes(check) == (["zip_state_mismatch"], ["zip_zeros_restored"])
    assert check.suggestion == {"zip": "60804"}  # Cicero has one ZIP


def test_missing_zip_is_filled_only_when_unambiguous():
    filled = check_place("CICERO", "IL", "", Directory())
    assert (filled.zip5, codes(filled)) == ("60804", ([], ["zip_filled"]))
    assert codes(check_place("CHICAGO", "IL", "", Directory())) == (["zip_ambiguous"], [])
    assert codes(check_place("NOWHERE", "IL", "", Directory())) == (["city_not_found"], [])
    assert codes(check_place("", "", "", Directory())) == (["missing_zip_and_city"], [])


def test_missing_state_and_city_are_filled_from_the_zip():
    check = check_place("", "", "60804", Directory())
    assert (check.city, check.state, codes(check)) == ("CICERO", "IL", ([], ["state_filled", "city_filled"]))


def test_zip_that_does_not_exist():
    assert codes(check_place("CHICAGO", "IL", "60699", Directory())) == (["zip_not_found"], [])
    replaced = check_place("CICERO", "IL", "60899", Directory())
    assert (replaced.zip5, codes(replaced)) == ("60804", ([], ["zip_filled"]))


def test_military_addresses_are_checked_by_their_zip_ranges():
    assert codes(check_place("APO", "AE", "09012", Directory())) == ([], [])
    assert codes(check_place("CHICAGO", "AE", "09012", Directory())) == (["military_city"], [])
    assert codes(check_place("FPO", "AP", "60636", Directory())) == (["zip_state_mismatch"], [])


def test_unknown_state():
    assert codes(check_place("CHICAGO", "Atlantis", "60636", Directory()))[0] == ["state_unknown"]


def test_statuses():
    directory = Directory()

    def status(**fields):
        return check_address(RawAddress(**fields), directory).status

    assert status(line1="1234 W 63rd St", city="Chicago", state="IL", zip="60636") == "verified"
    assert status(line1="1234 W 63rd St", city="Chicgo", state="IL", zip="60636") == "corrected"
    assert status(line1="1234 W 63rd St", city="Evanston", state="IL", zip="60636") == "needs_review"
    assert status(line1="asdf qwer", city="Chicago", state="IL", zip="60636") == "needs_review"
    assert status(line1="Homeless", city="Chicago", state="IL") == "undeliverable"
    assert status() == "undeliverable"
    assert status(zip="99999") == "undeliverable"
    assert status(line1="1234 W 63rd St", zip="99999") == "undeliverable"  # no city to correct the ZIP
    assert status(line1="1234 W 63rd St", city="Chicago", state="IL", zip="99999") == "needs_review"
    assert status(line1="General Delivery") == "undeliverable"
    assert status(line1="General Delivery", zip="60804") == "corrected"


def test_city_state_zip_typed_into_the_street_line_are_used():
    result = check_address(RawAddress(line1="1234 W 63rd St, Chicago, IL 60636"), Directory())
    assert (result.status, result.line1, result.city, result.zip5) == ("verified", "1234 W 63RD ST", "CHICAGO", "60636")


def test_pyzipcode_directory_answers():
    verifier = ZipDatabaseVerifier()
    result = verifier.check(RawAddress(line1="P.O. Box 4521", city="Cicero", state="IL", zip="60804"))
    assert (result.status, result.line1, result.city) == ("verified", "PO BOX 4521", "CICERO")
