"""Errors raised or reported by the ingest package.

* ``RowError``: one bad value (or an unreadable line) in one row. Reported, never raised: the
  rest of the file is still imported.
* ``ImportFileError``: the file as a whole cannot be imported (unreadable, unknown format, bad
  encoding, required columns missing after mapping). Raised.
* ``MappingError``: a mapping (file or dict) is invalid. Raised; a ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VALUE_PREVIEW_CHARS = 200


def short_value(value: Any, limit: int = VALUE_PREVIEW_CHARS) -> str:
    """The offending value as a short string, for messages and storage."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        return text[: limit - 1] + "…"
    return text


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row: ``row 17, column 'NPS': 'eleven' is not a whole number from 0 to 10``.

    ``row`` is the row number a user sees in the spreadsheet/CSV (header lines counted);
    ``column`` is the source column (``None`` when the whole row is unreadable, e.g. a broken JSON
    line); ``value`` is the offending value, shortened to 200 characters; ``reason`` is a complete
    human phrase that already quotes the value.
    """

    file: str
    row: int
    column: str | None
    value: str
    reason: str

    @property
    def message(self) -> str:
        if self.column is None:
            return f"row {self.row}: {self.reason}"
        return f"row {self.row}, column '{self.column}': {self.reason}"

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason, "message": self.message}


class ImportFileError(Exception):
    """The whole file cannot be imported; the message names the file and what is wrong."""

    def __init__(self, message: str, *, file: str | None = None, columns: list[str] | None = None):
        super().__init__(message)
        self.file = file
        self.columns = columns


class MappingError(ValueError):
    """A mapping file or dict is invalid (unknown key, wrong type, unknown time zone …)."""
