"""Writing the file's data: the same workspace always gives the same data in the same order."""

from __future__ import annotations


def by_name(name: str) -> tuple[str, str]:
    """Sort key for names. Sorted in Python, not by the database: SQLite and PostgreSQL collations disagree."""
    return (name.casefold(), name)


def compact(data: dict) -> dict:
    """Leave out empty optional fields; `False` and 0 are values, not emptiness."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}
