"""How much work one feedback file (or API batch) may cause: every bound in one place.

A hostile or broken file must end in a clear error, not in minutes of work and gigabytes of
memory: 300,000 columns, a 100 MB cell, an XLSX whose 1 MB unzips to 350 MB, JSON nested
100,000 deep, a million bad rows. Each bound is a setting (an environment variable, read by
``Limits.from_environ``) with a safe default, and every error that a bound raises names the
setting, so whoever meets it knows what to change.

Django-free like the rest of ``ingest``: the readers take a ``Limits`` argument; the Django
side (``insights.import_limits``) builds it from ``settings.CXKEEPER_IMPORT_LIMITS``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    #: columns in a file's header (the mapping form offers each column to each field).
    max_columns: int = 1_000
    #: characters in one cell (a text longer than 20,000 is rejected later as a row problem;
    #: past this bound the reader stops, since it would have to hold the cell in memory).
    max_field_chars: int = 100_000
    #: characters in one line of a CSV or JSON Lines file.
    max_row_chars: int = 1_000_000
    #: nesting of objects and arrays in one JSON item (JSON Lines line or API batch item).
    max_json_depth: int = 32
    #: sum of the unzipped sizes of an XLSX file's parts, checked before any of it is read.
    max_xlsx_bytes: int = 1024 * MB
    #: the unzipped shared-strings part of an XLSX file, which is held in memory whole.
    max_xlsx_shared_strings_bytes: int = 100 * MB
    #: rejected-row problems stored per import (the report says how many more there were).
    max_error_rows: int = 1_000
    #: characters of one cell shown in the mapping preview.
    preview_cell_chars: int = 200
    #: bytes of one API feedback batch (10,000 items of ~3 KB each).
    max_batch_bytes: int = 32 * MB

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The limits with any ``CXKEEPER_IMPORT_*`` / ``CXKEEPER_API_MAX_BATCH_BYTES`` overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in fields(cls):
            raw = environ.get(setting_name(field.name), "").strip()
            if raw:
                value = int(raw.replace("_", ""))
                if value < 1:
                    raise ValueError(f"{setting_name(field.name)} must be a positive whole number, not {raw!r}")
                values[field.name] = value
        return cls(**values)

    def setting(self, name: str) -> str:
        """The environment variable that sets ``name`` (for error messages)."""
        return setting_name(name)


def setting_name(field: str) -> str:
    if field == "max_batch_bytes":
        return "CXKEEPER_API_MAX_BATCH_BYTES"
    return "CXKEEPER_IMPORT_" + field.upper()


DEFAULT = Limits()


def byte_size(n: int) -> str:
    """1536 → "1.5 KB", 348_000_000 → "332 MB": a size in words for an error message."""
    for unit, size in (("GB", 1 << 30), ("MB", MB), ("KB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:,.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{n:,} bytes"

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_too_deep(text: str, limit: int) -> bool:
    """True when the JSON text nests objects/arrays deeper than ``limit`` (checked before
    parsing: the parser itself would recurse once per level). Fast for ordinary items: only a
    text with more opening brackets than the limit is scanned."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
