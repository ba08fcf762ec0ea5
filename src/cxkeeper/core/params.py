"""Numbers from query strings and form fields, read the same way everywhere.

`str.isdigit()` accepts "³" and "٣", and a 20-digit id overflows every database integer:
both used to turn a harmless typo into a server error. Here an id is ASCII digits within a
database integer's range, and anything else is "no such object" (None), never an exception.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # BigAutoField / PostgreSQL bigint
MAX_OFFSET = 10**9  # far beyond any list cxkeeper answers; keeps OFFSET within every engine's range


def parse_id(value) -> int | None:
    """An id (or version) from a parameter: a non-negative whole number within range, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    text = str(value if value is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None
