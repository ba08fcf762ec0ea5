"""PII redaction applied to every feedback text before it is stored.

Feedback is visible to every team (that is the point of cxkeeper), so personal data that
customers paste into free text — e-mail addresses, phone numbers, payment cards, IBANs — is
replaced by a kind token such as ``[EMAIL]`` before the text reaches the feedback store.

The redactor runs on every imported row, so it is built once (patterns compiled up front)
and each detector is guarded by a cheap test (an ``@`` for e-mail, a digit count for the
number detectors) so that ordinary sentences cost a few microseconds.

Checksums keep false positives down: a digit run is a card only when it passes the Luhn
check, an IBAN only when it passes ISO 13616 mod-97. Order numbers and other digit runs that
fail the check are left alone, because redacting them would destroy useful context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import phonenumbers

__all__ = ["BUILTIN_KINDS", "RedactionResult", "Redactor", "iban_is_valid", "luhn_is_valid"]

BUILTIN_KINDS = ("email", "iban", "card", "phone")

# Deliberately simple: a full RFC 5322 pattern is slow and matches things people never type.
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")

# Either the compact electronic form or the printed form in groups of four. The printed form
# is matched greedily and trimmed group by group until the checksum passes (see _find_ibans),
# so a trailing word of four letters/digits does not hide a valid IBAN.
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?:[ \-][A-Z0-9]{4}){2,7}(?:[ \-][A-Z0-9]{1,4})?)\b",
    re.IGNORECASE,
)

# 13–19 digits, optionally separated by single spaces or dashes. The look-arounds refuse to
# start or end in the middle of a longer digit run ("… 1234 5678 …"), so a 22-digit
# reference number is never partly redacted as a card.
_CARD = re.compile(r"(?<!\d)(?<!\d[ \-])\d(?:[ \-]?\d){12,18}(?![ \-]?\d)")

_DELETE_DIGITS = str.maketrans("", "", "0123456789")

# The cheapest real phone numbers (national numbers in small countries) have 7 digits.
MIN_PHONE_DIGITS = 7
MIN_CARD_DIGITS = 13


def luhn_is_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by every payment card scheme."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_is_valid(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters → 10..35, mod 97 == 1."""
    compact = re.sub(r"[ \-]", "", candidate).upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(char, 36)) for char in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


@dataclass(frozen=True)
class RedactionResult:
    """The redacted text and how many items of each kind were replaced (kinds with zero omitted)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def redacted(self) -> bool:
        return bool(self.counts)


def _token(kind: str) -> str:
    return f"[{kind.upper()}]"


class Redactor:
    """Replaces PII in free text by ``[KIND]`` tokens.

    ``default_region`` is the ISO country used to read phone numbers written without an
    international prefix (``07700 900123`` is a UK mobile with "GB"). ``extra_patterns`` maps
    additional kinds to regular expressions (strings or compiled); they run first, so an
    organization-specific identifier (``{"account": r"ACC-\\d{8}"}``) is never mistaken for a
    phone number. ``kinds`` selects which built-in detectors run.
    """

    def __init__(
        self,
        default_region: str | None = "GB",
        extra_patterns: Mapping[str, str | re.Pattern[str]] | None = None,
        kinds: Iterable[str] = BUILTIN_KINDS,
        phone_leniency: phonenumbers.Leniency = phonenumbers.Leniency.VALID,
    ) -> None:
        self.kinds = tuple(kinds)
        unknown = set(self.kinds) - set(BUILTIN_KINDS)
        if unknown:
            raise ValueError(f"unknown redaction kinds {sorted(unknown)}; known: {list(BUILTIN_KINDS)}")
        self.default_region = default_region.upper() if default_region else None
        # VALID (number is a real, allocated number for its region) suits free text: POSSIBLE
        # would also take order numbers and dates of the right length.
        self.phone_leniency = phone_leniency
        self.extra_patterns: dict[str, re.Pattern[str]] = {}
        for kind, pattern in (extra_patterns or {}).items():
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", kind):
                raise ValueError(f"redaction kind {kind!r} must be letters, digits and underscores")
            try:
                compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
            except re.error as error:
                raise ValueError(f"redaction pattern for {kind!r} is not a valid regex: {error}") from error
            self.extra_patterns[kind.lower()] = compiled

    def redact(self, text: str) -> RedactionResult:
        if not text:
            return RedactionResult(text or "", {})
        counts: dict[str, int] = {}

        for kind, pattern in self.extra_patterns.items():
            text, n = pattern.subn(_token(kind), text)
            if n:
                counts[kind] = counts.get(kind, 0) + n

        if "email" in self.kinds and "@" in text:
            text, n = _EMAIL.subn("[EMAIL]", text)
            if n:
                counts["email"] = n

        # Digit count gates the number detectors; str.translate is far cheaper than a regex.
        digits = len(text) - len(text.translate(_DELETE_DIGITS))
        if digits >= 2 and "iban" in self.kinds:
            text, n = self._replace_checked(text, _find_ibans(text), "[IBAN]")
            if n:
                counts["iban"] = n
                digits = len(text) - len(text.translate(_DELETE_DIGITS))
        if digits >= MIN_CARD_DIGITS and "card" in self.kinds:
            spans = [m.span() for m in _CARD.finditer(text) if luhn_is_valid(re.sub(r"\D", "", m.group()))]
            text, n = self._replace_checked(text, spans, "[CARD]")
            if n:
                counts["card"] = n
                digits = len(text) - len(text.translate(_DELETE_DIGITS))
        if digits >= MIN_PHONE_DIGITS and "phone" in self.kinds:
            spans = [
                (match.start, match.end)
                for match in phonenumbers.PhoneNumberMatcher(text, self.default_region, leniency=self.phone_leniency)
            ]
            text, n = self._replace_checked(text, spans, "[PHONE]")
            if n:
                counts["phone"] = n
        return RedactionResult(text, counts)

    def redact_many(self, texts: Iterable[str]) -> list[RedactionResult]:
        return [self.redact(text) for text in texts]

    @staticmethod
    def _replace_checked(text: str, spans: list[tuple[int, int]], token: str) -> tuple[str, int]:
        if not spans:
            return text, 0
        pieces, cursor = [], 0
        for start, end in spans:
            pieces.append(text[cursor:start])
            pieces.append(token)
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces), len(spans)


def _find_ibans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _IBAN.finditer(text):
        start, candidate = match.start(), match.group()
        # Printed IBANs end with a short group; if the greedy match swallowed a following
        # word or number, drop trailing groups until the checksum passes.
        while len(candidate) >= 15:
            if iban_is_valid(candidate):
                spans.append((start, start + len(candidate)))
                break
            cut = max(candidate.rfind(" "), candidate.rfind("-"))
            if cut <= 4:
                break
            candidate = candidate[:cut]
    return spans
