"""The mapping preview: the first rows of a file, converted as the import will store them.

The top of the package: it reads (``readers``), maps (``mapping``) and validates
(``validate``) exactly as an import does, for the first ``n`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .canonical import CanonicalRow
from .errors import ImportFileError, RowError, short_value
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import Limits
from .mapping import Mapping, detect_mapping
from .presets import Preset
from .readers import iter_records
from .validate import convert


@dataclass
class Preview:
    """What a "mapping preview" page shows: columns, mapping, the first rows converted and errors.

    ``problem`` is the file-level message when the mapping cannot be used as is (rows are then
    empty, but ``records`` still holds the raw first rows so the user can fix the mapping).
    """

    filename: str
    format: str
    columns: list[str]
    mapping: Mapping
    records: list[tuple[int, dict[str, Any]]]
    rows: list[CanonicalRow]
    errors: list[RowError]
    notes: list[str]
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename, "format": self.format, "columns": self.columns,
            "mapping": self.mapping.to_dict(), "mapping_notes": list(self.mapping.notes),
            "records": [{"row": n, "values": {k: _jsonable(v) for k, v in r.items()}} for n, r in self.records],
            "rows": [r.to_dict() for r in self.rows], "errors": [e.to_dict() for e in self.errors],
            "notes": self.notes, "problem": self.problem,
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def preview(path: str | Path, format: str | None = None, mapping: Mapping | None = None, n: int = 10, *,
            preset: str | Preset | None = None, limits: Limits | None = None, **reader_options: Any) -> Preview:
    """Read the first ``n`` data rows of ``path`` and convert them with ``mapping`` (default: detected).

    File-level problems of the file itself (unreadable, unknown format, a bound passed) raise
    ``ImportFileError``; a mapping that does not fit the file is reported in ``Preview.problem``.
    The raw values kept for showing are cut to ``limits.preview_cell_chars``, so the preview's
    size is bounded by the column limit times that, whatever the file holds.
    """
    limits = limits or DEFAULT_LIMITS
    if format is None and mapping is not None and mapping.format:
        format = mapping.format
    with iter_records(path, format, preset=preset, limits=limits, **reader_options) as stream:
        used = mapping if mapping is not None else detect_mapping(stream)
        items = []
        for item in stream:
            items.append(item)
            if len(items) >= n:
                break
        records = [(num, rec) for num, rec in items if isinstance(rec, dict)]
        rows: list[CanonicalRow] = []
        errors: list[RowError] = [rec for _, rec in items if isinstance(rec, RowError)]
        problem = None
        try:
            used.resolve(stream.columns, stream.filename)
        except ImportFileError as exc:
            problem = str(exc)
        else:
            for result in convert(iter(records), used, stream.filename, columns=stream.columns):
                if isinstance(result, CanonicalRow):
                    rows.append(result)
                else:
                    errors.extend(result)
        errors.sort(key=lambda e: e.row)
        cut = limits.preview_cell_chars
        shown = [(num, {k: short_value(v, cut) if isinstance(v, str) else v for k, v in rec.items()})
                 for num, rec in records]
        return Preview(filename=stream.filename, format=stream.format, columns=list(stream.columns), mapping=used,
                       records=shown, rows=rows, errors=errors, notes=list(stream.notes), problem=problem)
