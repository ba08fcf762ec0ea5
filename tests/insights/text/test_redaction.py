import re

import phonenumbers
import pytest

from cxkeeper.insights.text import redaction
from cxkeeper.insights.text.redaction import Redactor, iban_is_valid, luhn_is_valid


@pytest.fixture(scope="module")
def redactor():
    return Redactor(default_region="GB")


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        ("mail me at jane.doe+cx@example.co.uk please", "mail me at [EMAIL] please", {"email": 1}),
        ("call me on 07911 123456 tomorrow", "call me on [PHONE] tomorrow", {"phone": 1}),
        ("my landline is 020 7946 0958.", "my landline is [PHONE].", {"phone": 1}),
        ("ring +1 212-555-0123 after 5", "ring [PHONE] after 5", {"phone": 1}),
        ("card 4111 1111 1111 1111 was charged twice", "card [CARD] was charged twice", {"card": 1}),
        ("card 5555-5555-5555-4444 declined", "card [CARD] declined", {"card": 1}),
        ("amex 378282246310005 works", "amex [CARD] works", {"card": 1}),
        ("iban GB82 WEST 1234 5698 7654 32 thanks", "iban [IBAN] thanks", {"iban": 1}),
        ("pay to DE89370400440532013000.", "pay to [IBAN].", {"iban": 1}),
        ("lowercase gb82west12345698765432 too", "lowercase [IBAN] too", {"iban": 1}),
    ],
)
def test_each_kind_is_redacted(redactor, text, expected, counts):
    result = redactor.redact(text)
    assert result.text == expected
    assert result.counts == counts
    assert result.redacted


@pytest.mark.parametrize(
    "text",
    [
        "order 113542617735903 never arrived",  # 15 digits, fails Luhn
        "card 4111 1111 1111 1112 was refused",  # one digit off a valid test card
        "reference 1234 5678 9012 3456 7890 123 attached",  # longer run: never partly redacted
        "iban GB82 WEST 1234 5698 7654 33 is wrong",  # mod-97 fails
        "on 2023-01-15 at 10:30 I paid 12.50 for 3 months",
        "my account number is 12345",
        "",
    ],
)
def test_numbers_failing_their_checks_are_left_alone(redactor, text):
    assert redactor.redact(text).text == text
    assert redactor.redact(text).counts == {}


def test_counts_add_up_across_kinds(redactor):
    text = "a@b.com and c@d.org, call 07911 123456, card 4111111111111111 then 5555 5555 5555 4444"
    result = redactor.redact(text)
    assert result.counts == {"email": 2, "phone": 1, "card": 2}
    assert result.text == "[EMAIL] and [EMAIL], call [PHONE], card [CARD] then [CARD]"


def test_extra_patterns_run_first_and_are_counted():
    redactor = Redactor(extra_patterns={"account": r"ACC-\d{8}", "postcode": re.compile(r"\bSW1A \dAA\b")})
    result = redactor.redact("account ACC-07911123 at SW1A 1AA, and ACC-12345678")
    # ACC-07911123 contains a would-be phone number: the organization's own pattern wins.
    assert result.text == "account [ACCOUNT] at [POSTCODE], and [ACCOUNT]"
    assert result.counts == {"account": 2, "postcode": 1}


def test_default_region_decides_national_phone_numbers():
    text = "call (212) 555-0123 please"
    assert Redactor(default_region="US").redact(text).text == "call [PHONE] please"
    assert Redactor(default_region="GB").redact(text).text == text


def test_kinds_can_be_switched_off():
    result = Redactor(kinds=("email",)).redact("x@y.com 4111 1111 1111 1111")
    assert result.text == "[EMAIL] 4111 1111 1111 1111"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kinds": ("email", "ssn")}, "unknown redaction kinds"),
        ({"extra_patterns": {"bad kind": "x"}}, "letters, digits and underscores"),
        ({"extra_patterns": {"broken": "(unclosed"}}, "not a valid regex"),
    ],
)
def test_bad_configuration_is_refused(options, message):
    with pytest.raises(ValueError, match=message):
        Redactor(**options)


def test_phone_matching_is_skipped_below_seven_digits(monkeypatch):
    def explode(*args, **kwargs):
        raise AssertionError("phone matcher called on a text with too few digits")

    monkeypatch.setattr(phonenumbers, "PhoneNumberMatcher", explode)
    assert Redactor().redact("I waited 45 minutes on 3 calls").counts == {}
    with pytest.raises(AssertionError):
        Redactor().redact("call 07911 123456")
    assert redaction.MIN_PHONE_DIGITS == 7


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True), ("79927398710", False)],
)
def test_luhn(digits, valid):
    assert luhn_is_valid(digits) is valid


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("GB82WEST12345698765432", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("FR1420041010050500013M02606", True),
        ("GB82WEST12345698765433", False),
        ("GB82", False),
        ("1282WEST12345698765432", False),
    ],
)
def test_iban_checksum(iban, valid):
    assert iban_is_valid(iban) is valid


def test_redact_many_keeps_order(redactor):
    results = redactor.redact_many(["a@b.com", "nothing", "call 07911 123456"])
    assert [r.text for r in results] == ["[EMAIL]", "nothing", "call [PHONE]"]
    assert [r.redacted for r in results] == [True, False, True]
