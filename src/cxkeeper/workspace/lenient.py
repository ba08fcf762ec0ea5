"""Reading a parsed workspace file leniently: a value of the wrong type falls back to a default
so the rest of the file can still be read and checked (the schema check names the bad value).

Every section reads its part of the file through these, so "wrong type" means the same thing
everywhere: a YAML `yes` is a bool, never a number or a text.
"""

from __future__ import annotations

import datetime as dt
import re

from cxkeeper.workspace.yaml_io import Path

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def value(data, key, types, default):
    found = data.get(key) if isinstance(data, dict) else None
    if isinstance(found, bool) and types is not bool:  # YAML `yes` is a bool, and a bool is an int
        return default
    return found if isinstance(found, types) else default


def text(data, key) -> str:
    return value(data, key, str, "")


def name(data, key="name") -> str:
    return text(data, key).strip()


def choice(data, key, choices, default) -> str:
    """A text that must be one of `choices` (a Django choices class or any container of values)."""
    allowed = choices.values if isinstance(getattr(choices, "values", None), list) else choices
    found = value(data, key, str, default)
    return found if found in allowed else default


def number(data, key) -> float | None:
    found = value(data, key, (int, float), None)
    return float(found) if found is not None else None


def items(data, key, path: Path) -> list[tuple[Path, dict]]:
    """The mappings in the list under `key`, each with its path; anything else is skipped."""
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, list):
        return []
    return [(path + (key, index), item) for index, item in enumerate(found) if isinstance(item, dict)]


def texts(data, key) -> list[str]:
    """The trimmed, non-empty texts in the list under `key`."""
    found = value(data, key, list, [])
    return [item.strip() for item in found if isinstance(item, str) and item.strip()]


def parse_date(raw) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, why not). Only YYYY-MM-DD: one spelling, so diffs stay quiet."""
    if not isinstance(raw, str) or not re.match(DATE_PATTERN, raw):
        return None, f"{raw!r} is not a date; write YYYY-MM-DD"
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError as exc:
        return None, f"{raw!r} is not a date ({exc}); write YYYY-MM-DD"


def date(data, key) -> dt.date | None:
    return parse_date(data.get(key))[0] if isinstance(data, dict) else None
