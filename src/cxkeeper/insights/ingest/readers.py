"""Stream records out of feedback files: CSV, XLSX, JSONL/NDJSON, Parquet.

``iter_records`` opens the file, reads the header at once (so ``stream.columns`` is known) and
then yields ``(row_number, record)`` lazily; memory does not grow with the file size.

``record`` is a ``dict`` column → value, or a ``RowError`` when the reader could not decode that
row (a broken JSON line, a CSV row with more or fewer cells than the header). Values are what the format
holds: strings for CSV, typed cells for XLSX (``datetime``, ``int``, ``float``, ``str``), JSON
values for JSONL (nested objects flattened to ``parent.child``), Python values for Parquet.

``row_number`` is the row a user sees: for CSV and XLSX the spreadsheet row, header rows and
blank rows counted (a quoted multi-line cell is one row, as in a spreadsheet); for JSONL the
line number; for Parquet the 1-based record index.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from .errors import ImportFileError, RowError, short_value
from .fields import FORMATS
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import Limits, byte_size, json_too_deep, setting_name
from .presets import PRESETS, Header, Preset, first_row_header, get_preset

Record = dict[str, Any]
Item = tuple[int, "Record | RowError"]

DEFAULT_CHUNK_ROWS = 5_000
EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".psv": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
}
FORMAT_ALIASES = {"ndjson": "jsonl", "json": "jsonl", "tsv": "csv", "excel": "xlsx", "xls": "xlsx"}
CSV_DELIMITERS = (",", ";", "\t", "|")
JSONL_COLUMN_PROBE = 100
_SCAN_BYTES = 1 << 20

# Cells up to the configured bound (Limits.max_field_chars) are read, so that a long comment
# becomes a row error ("text is too long"); a cell past it stops the file (see _csv_stream).


class RecordStream:
    """An open feedback file: ``columns`` now, records when iterated (once).

    Attributes: ``path``, ``filename``, ``format`` (csv/xlsx/jsonl/parquet), ``preset`` (a
    ``Preset`` or None), ``columns``, ``header_rows`` (rows before the data), ``meta`` (what the
    header rows said, e.g. Qualtrics question texts), ``notes`` (things the user should know, e.g.
    an encoding fallback), ``encoding`` and ``delimiter`` (CSV).
    Use as a context manager, or call ``close()``, when not consuming it to the end.
    """

    def __init__(self, *, path: Path, format: str, columns: list[str], items: Iterator[Item],
                 header_rows: int = 0, meta: dict[str, Any] | None = None, preset: Preset | None = None,
                 notes: list[str] | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                 encoding: str | None = None, delimiter: str | None = None):
        self.path = path
        self.filename = path.name
        self.format = format
        self.columns = columns
        self.header_rows = header_rows
        self.meta = meta or {}
        self.preset = preset
        self.notes = notes or []
        self.chunk_rows = chunk_rows
        self.encoding = encoding
        self.delimiter = delimiter
        self._items = items
        self._started = False

    def __iter__(self) -> Iterator[Item]:
        if self._started:
            raise RuntimeError(f"{self.filename}: a RecordStream can be iterated only once; open it again")
        self._started = True
        return self._items

    def chunks(self, size: int | None = None) -> Iterator[list[Item]]:
        """The records in lists of ``size`` (default ``chunk_rows``)."""
        items = iter(self)
        size = size or self.chunk_rows
        while chunk := list(islice(items, size)):
            yield chunk

    def close(self) -> None:
        close = getattr(self._items, "close", None)
        if close:
            close()

    def __enter__(self) -> RecordStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RecordStream {self.filename} {self.format} columns={self.columns!r}>"


def resolve_format(path: str | Path, format: str | None = None,
                   preset: str | Preset | None = None) -> tuple[str, Preset | None]:
    """(base format, preset) from an explicit format or preset name, else the file extension/content."""
    path = Path(path)
    chosen = get_preset(preset)
    base: str | None = None
    if format:
        key = format.lower().lstrip(".")
        key = FORMAT_ALIASES.get(key, key)
        if key in FORMATS:
            base = key
        else:
            try:
                chosen = get_preset(key)
            except ValueError:
                raise ImportFileError(
                    f"{path.name}: unknown format {format!r}; use one of {', '.join(FORMATS)} "
                    f"or a preset ({', '.join(sorted(PRESETS))})", file=path.name) from None
    if base is None:
        base = _format_from_path(path)
    if chosen and base not in chosen.formats:
        raise ImportFileError(f"{path.name}: the {chosen.name} preset reads {', '.join(chosen.formats)} files, "
                              f"not {base}", file=path.name)
    return base, chosen


def _format_from_path(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(f"{path.name}: the old Excel .xls format is not supported; save it as .xlsx or CSV",
                              file=path.name)
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    head = _head(path, 8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    raise ImportFileError(
        f"{path.name}: unknown file format {suffix or '(no extension)'}; supported: "
        f"{', '.join(sorted(EXTENSIONS))} (or pass the format explicitly)", file=path.name)


def _head(path: Path, n: int) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(n)
    except OSError as exc:
        raise ImportFileError(f"{path.name}: cannot be read ({exc.strerror or exc})", file=path.name) from exc


def iter_records(path: str | Path, format: str | None = None, *, preset: str | Preset | None = None,
                 chunk_rows: int = DEFAULT_CHUNK_ROWS, sheet: str | None = None, encoding: str | None = None,
                 delimiter: str | None = None, limits: Limits | None = None) -> RecordStream:
    """Open ``path`` and return a lazy ``RecordStream`` of ``(row_number, record)``.

    ``format``: csv, xlsx, jsonl (ndjson), parquet, or a preset name (qualtrics, zendesk) — then
    the base format comes from the extension. Without it the extension decides. ``sheet``: XLSX
    sheet name (default the first). ``encoding``/``delimiter``: CSV overrides (default: detected).
    ``chunk_rows``: Parquet batch size and the default size of ``stream.chunks()``.
    ``limits``: the bounds of the work one file may cause (default ``Limits()``).
    Raises ``ImportFileError`` for file-level problems, a bound passed among them.
    """
    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    if not path.is_file():
        raise ImportFileError(f"{path.name}: no such file ({path})", file=path.name)
    base, chosen = resolve_format(path, format, preset)
    if base == "csv":
        return _csv_stream(path, chosen, chunk_rows, encoding, delimiter, limits)
    if base == "xlsx":
        return _xlsx_stream(path, chosen, chunk_rows, sheet, limits)
    if base == "jsonl":
        return _jsonl_stream(path, chosen, chunk_rows, encoding, limits)
    return _parquet_stream(path, chosen, chunk_rows, limits)


def check_columns(filename: str, columns: list[str], limits: Limits, where: str = "the header") -> None:
    """A file with more columns than ``limits.max_columns`` is refused before any row is read."""
    if len(columns) > limits.max_columns:
        raise ImportFileError(
            f"{filename}: {where} has {len(columns):,} columns; at most {limits.max_columns:,} can be imported "
            f"(the limit {limits.setting('max_columns')}). Keep only the columns the import needs.",
            file=filename, columns=[])


# --------------------------------------------------------------------------- tabular (CSV, XLSX)

def _blank_text_row(row: list[Any]) -> bool:
    return not any(row)


def _blank_cell_row(row: Any) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _tabular(rows: Iterator[Any], *, filename: str, preset: Preset | None, is_blank: Any,
             found: str, limits: Limits, short_rows_malformed: bool = False) -> tuple[Header, Iterator[Item]]:
    """Read the header from the first rows, then stream the data rows as records.

    A row with more non-empty cells than the header is a ``RowError``. ``short_rows_malformed``:
    so is a row with fewer cells (CSV, where every row writes every delimiter, so a short row
    was cut or split by a line break in an unquoted cell); a spreadsheet leaves trailing empty
    cells out, so XLSX rows are padded instead. Blank rows are skipped in both.
    """
    row_number = 0
    probe: list[tuple[int, Any]] = []
    want = preset.header_probe_rows if preset else 1
    for row in rows:
        row_number += 1
        if not probe and is_blank(row):
            continue  # blank lines before the header
        if len(row) > limits.max_columns:
            check_columns(filename, list(row), limits, where=f"row {row_number}")
        probe.append((row_number, row))
        if len(probe) >= want:
            break
    if not probe:
        raise ImportFileError(f"{filename}: the file is empty ({found})", file=filename, columns=[])
    reader = preset.read_header if preset else first_row_header
    header = reader([list(r) for _, r in probe])
    columns = header.columns
    check_columns(filename, columns, limits)
    data = probe[header.rows:]
    header_rows = probe[min(header.rows, len(probe)) - 1][0] if header.rows else 0

    def generate() -> Iterator[Item]:
        ncols = len(columns)
        for number, row in data:
            yield from _record(number, row)
        number = row_number
        for row in rows:
            number += 1
            if len(row) == ncols:
                if is_blank(row):
                    continue
                yield number, dict(zip(columns, row, strict=True))
            else:
                yield from _record(number, row)

    def _record(number: int, row: Any) -> Iterator[Item]:
        if is_blank(row):
            return
        ncols = len(columns)
        if len(row) > ncols and not is_blank(row[ncols:]):
            yield number, RowError(filename, number, None, short_value(_join(row)),
                                   f"has {len(row)} values but the header has {ncols} columns "
                                   "(an unquoted delimiter in a cell?)")
            return
        if len(row) < ncols and short_rows_malformed:
            yield number, RowError(filename, number, None, short_value(_join(row)),
                                   f"has {len(row)} of the header's {ncols} fields "
                                   "(a line break in an unquoted cell, or missing delimiters?)")
            return
        yield number, dict(zip(columns, row, strict=False))

    return Header(columns, header_rows, header.meta), generate()


def _join(row: Any) -> str:
    return " | ".join("" if v is None else str(v) for v in row)


# --------------------------------------------------------------------------- CSV

def detect_encoding(path: Path) -> tuple[str, list[str]]:
    """(encoding, notes): UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252 with a note."""
    name = path.name
    head = _head(path, 4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", ["read as UTF-16 (byte order mark found)"]
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError(f"{name}: this is an Excel workbook (.xlsx), not a CSV file; import it as xlsx",
                              file=name)
    if head.startswith(b"PAR1"):
        raise ImportFileError(f"{name}: this is a Parquet file, not a CSV file; import it as parquet", file=name)
    bad_at = _first_invalid(path, "utf-8")
    if bad_at is None:
        return "utf-8-sig", []
    if _first_invalid(path, "cp1252") is None:
        return "cp1252", [f"{name} is not valid UTF-8 (first bad byte at offset {bad_at}); it was read as "
                          "Windows-1252 (cp1252). Check accented letters, or re-save the file as 'CSV UTF-8'."]
    raise ImportFileError(
        f"{name}: the file is neither UTF-8 nor Windows-1252 text (first bad byte at offset {bad_at}); "
        "re-save it as 'CSV UTF-8' or pass its encoding", file=name)


def _first_invalid(path: Path, encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as f:
        while True:
            block = f.read(_SCAN_BYTES)
            final = not block
            if b"\x00" in block:
                raise ImportFileError(f"{path.name}: the file contains NUL bytes: it is binary, or UTF-16 text "
                                      "without a byte order mark; re-save it as 'CSV UTF-8'", file=path.name)
            try:
                decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                return offset + max(exc.start, 0)
            if final:
                return None
            offset += len(block)


def sniff_delimiter(sample: str) -> str:
    """The delimiter among , ; TAB | that splits the first lines into the most, most consistent columns."""
    lines_done = sample.endswith("\n")
    best, best_score = ",", (0.0, 0)
    for delim in CSV_DELIMITERS:
        if delim not in sample:
            continue
        try:
            rows = [r for r in islice(csv.reader(io.StringIO(sample, newline=""), delimiter=delim), 50) if r]
        except csv.Error:
            continue  # e.g. a carriage return inside a quoted cell is "unquoted" when split on the wrong delimiter
        if len(rows) > 1 and not lines_done:
            rows = rows[:-1]  # the sample may cut the last row
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(len(r) == width for r in rows) / len(rows)
        score = (consistency, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def bounded_lines(f: Any, limit: int, name: str, first: int = 1) -> Iterator[str]:
    """The lines of a text file, none longer than ``limit`` characters: a longer line stops the
    file with an error naming it, before it is held in memory whole (one line of 10 million
    columns would otherwise become 10 million strings)."""
    number = first - 1
    while line := f.readline(limit + 1):
        number += 1
        if len(line) > limit and len(line.rstrip("\r\n")) > limit:
            raise ImportFileError(f"{name}: line {number:,} is longer than {limit:,} characters (the limit "
                                  f"{setting_name('max_row_chars')}); nothing from it on was read",
                                  file=name)
        yield line


def _csv_stream(path: Path, preset: Preset | None, chunk_rows: int, encoding: str | None,
                delimiter: str | None, limits: Limits) -> RecordStream:
    name = path.name
    notes: list[str] = []
    if encoding is None:
        encoding, notes = detect_encoding(path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportFileError(f"{name}: unknown encoding {encoding!r}", file=name) from None
    try:
        with path.open(encoding=encoding, newline="") as f:
            sample = f.read(64 * 1024)
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{name}: cannot be decoded as {encoding} ({exc.reason} at byte {exc.start})",
                              file=name) from exc
    if delimiter is None:
        delimiter = sniff_delimiter(sample)
    f = path.open(encoding=encoding, newline="")
    # Process-wide in the csv module; every import reads the same setting.
    csv.field_size_limit(limits.max_field_chars)
    reader = csv.reader(bounded_lines(f, limits.max_row_chars, name), delimiter=delimiter)

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{name}: cannot be decoded as {encoding} near line {reader.line_num + 1} "
                                  f"({exc.reason}); re-save it as 'CSV UTF-8' or pass its encoding",
                                  file=name) from exc
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise ImportFileError(
                    f"{name}: line {reader.line_num:,} has a cell longer than {limits.max_field_chars:,} characters "
                    f"(the limit {limits.setting('max_field_chars')}); nothing from it on was read",
                    file=name) from exc
            raise ImportFileError(f"{name}: unreadable CSV near line {reader.line_num}: {exc}", file=name) from exc
        finally:
            f.close()

    source = rows()
    try:
        header, items = _tabular(source, filename=name, preset=preset, is_blank=_blank_text_row,
                                 found="no header line", limits=limits, short_rows_malformed=True)
    except BaseException:
        source.close()
        raise
    return RecordStream(path=path, format="csv", columns=header.columns, items=_closing(items, source),
                        header_rows=header.rows, meta=header.meta, preset=preset, notes=notes,
                        chunk_rows=chunk_rows, encoding=encoding, delimiter=delimiter)


def _closing(items: Iterator[Item], *resources: Any) -> Iterator[Item]:
    try:
        yield from items
    finally:
        for resource in resources:
            resource.close()


# --------------------------------------------------------------------------- XLSX

def check_xlsx_size(path: Path, limits: Limits) -> None:
    """Refuse a workbook whose parts unzip past the bounds, from the zip directory alone
    (nothing is decompressed): a 1 MB file can hold hundreds of MB of repeated strings. The
    declared sizes are what the reader will get: Python's zip reader stops at the declared
    size of a part and fails its checksum if the part is longer."""
    import zipfile

    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(f"{name}: not a readable Excel .xlsx workbook ({exc})", file=name) from exc
    total = sum(part.file_size for part in parts)
    if total > limits.max_xlsx_bytes:
        raise ImportFileError(
            f"{name}: the workbook unzips to {byte_size(total)}; at most {byte_size(limits.max_xlsx_bytes)} "
            f"can be read (the limit {limits.setting('max_xlsx_bytes')}). Split it, or save it as CSV.", file=name)
    strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
    if strings > limits.max_xlsx_shared_strings_bytes:
        raise ImportFileError(
            f"{name}: the workbook's shared strings unzip to {byte_size(strings)}; at most "
            f"{byte_size(limits.max_xlsx_shared_strings_bytes)} can be held (the limit "
            f"{limits.setting('max_xlsx_shared_strings_bytes')}). Save it as CSV instead.", file=name)


def _xlsx_stream(path: Path, preset: Preset | None, chunk_rows: int, sheet: str | None,
                 limits: Limits) -> RecordStream:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    check_xlsx_size(path, limits)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"{name}: not a readable Excel .xlsx workbook ({exc})", file=name) from exc
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ImportFileError(f"{name}: no sheet named {sheet!r}; sheets found: {', '.join(workbook.sheetnames)}",
                                  file=name)
        worksheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
        source = _xlsx_rows(worksheet.iter_rows(values_only=True), name)
        header, items = _tabular(source, filename=name, preset=preset, is_blank=_blank_cell_row,
                                 found=f"sheet {worksheet.title!r} has no rows", limits=limits)
    except BaseException:
        workbook.close()
        raise
    notes = [f"read sheet {worksheet.title!r} of {len(workbook.sheetnames)}"] if len(workbook.sheetnames) > 1 else []
    return RecordStream(path=path, format="xlsx", columns=header.columns, items=_closing(items, workbook),
                        header_rows=header.rows, meta={**header.meta, "sheet": worksheet.title}, preset=preset,
                        notes=notes, chunk_rows=chunk_rows)


def _xlsx_rows(rows: Iterator[Any], name: str) -> Iterator[Any]:
    """The sheet's rows; broken XML or a broken zip part half-way is a file error naming the
    row reached, not an exception of the XML parser's."""
    number = 0
    try:
        for row in rows:
            number += 1
            yield row
    except ImportFileError:
        raise
    except Exception as exc:  # lxml, zipfile, openpyxl and ValueError all occur here
        raise ImportFileError(f"{name}: unreadable Excel data after row {number:,} ({type(exc).__name__}: "
                              f"{short_value(str(exc))})", file=name) from exc


# --------------------------------------------------------------------------- JSONL

def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'a': {'b': 1}} → {'a.b': 1}; lists and scalars are kept."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def json_item(number: int, value: Any, filename: str, shown: str | None = None) -> Item:
    """One decoded JSON value as a record (nested objects flattened), or a ``RowError`` when it
    is not an object. The JSONL reader and the API's feedback batches both read items here."""
    if not isinstance(value, dict):
        shown = shown if shown is not None else json.dumps(value, ensure_ascii=False, default=str)
        return number, RowError(filename, number, None, short_value(shown),
                                f"expected a JSON object {{...}}, found {type(value).__name__}")
    return number, (flatten(value) if any(isinstance(v, dict) for v in value.values()) else value)


def _too_deep(limits: Limits) -> str:
    return (f"nests objects or arrays more than {limits.max_json_depth} levels deep (the limit "
            f"{limits.setting('max_json_depth')})")


def parse_json_line(number: int, line: str, filename: str, limits: Limits = DEFAULT_LIMITS) -> Item | None:
    """One JSON Lines line → ``(number, record | RowError)``; None for a blank line. A line
    nested deeper than ``limits.max_json_depth`` is a row error, checked before parsing."""
    line = line.strip()
    if not line:
        return None
    if json_too_deep(line, limits.max_json_depth):
        return number, RowError(filename, number, None, short_value(line), _too_deep(limits))
    try:
        value = json.loads(line)
    except RecursionError:
        return number, RowError(filename, number, None, short_value(line), _too_deep(limits))
    except ValueError as exc:
        reason = f"not valid JSON ({exc.msg} at character {exc.pos + 1})" if hasattr(exc, "msg") else \
            f"not valid JSON ({exc})"
        return number, RowError(filename, number, None, short_value(line), reason)
    return json_item(number, value, filename, shown=line)


def read_json_batch(text: str, *, lines: bool, filename: str = "batch",
                    limits: Limits = DEFAULT_LIMITS) -> list[Item]:
    """Feedback sent as one body: JSON Lines (``lines``; numbered by line, as in a file), or a
    JSON array / ``{"items": [...]}`` (numbered 1, 2, … by position). Items are read exactly as
    the JSONL reader reads a line; a body that is not JSON at all, or nested deeper than the
    limit (two levels more than an item's, for the array and ``{"items": …}``), raises
    ``ImportFileError``."""
    if lines:
        parsed = (parse_json_line(number, line, filename, limits)
                  for number, line in enumerate(text.splitlines(), 1))
        return [item for item in parsed if item is not None]
    if json_too_deep(text, limits.max_json_depth + 2):
        raise ImportFileError(f"the body {_too_deep(limits)} in an item", file=filename)
    try:
        data = json.loads(text or "null")
    except RecursionError as exc:
        raise ImportFileError(f"the body {_too_deep(limits)} in an item", file=filename) from exc
    except ValueError as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if hasattr(exc, "lineno") else ""
        raise ImportFileError(f"not JSON: {getattr(exc, 'msg', exc)}{where}", file=filename) from exc
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise ImportFileError('send a JSON array of feedback objects, {"items": [...]}, or NDJSON', file=filename)
    return [json_item(number, value, filename) for number, value in enumerate(data, start=1)]


def _jsonl_stream(path: Path, preset: Preset | None, chunk_rows: int, encoding: str | None,
                  limits: Limits) -> RecordStream:
    name = path.name
    encoding = encoding or "utf-8-sig"
    f = path.open(encoding=encoding)
    limit = limits.max_row_chars

    def parse(number: int, line: str | None) -> Item | None:
        if line is None:
            return number, RowError(name, number, None, "", f"the line is longer than {limit:,} characters (the "
                                    f"limit {limits.setting('max_row_chars')}); it was skipped")
        return parse_json_line(number, line, name, limits)

    def lines() -> Iterator[tuple[int, str | None]]:
        """(number, line), or (number, None) for a line past the limit: it is skipped in
        pieces, never held whole, and the next line is read as usual."""
        number = 0
        try:
            while line := f.readline(limit + 1):
                number += 1
                if len(line) > limit and not line.endswith("\n"):
                    while (rest := f.readline(limit + 1)) and not rest.endswith("\n"):
                        pass
                    yield number, None
                else:
                    yield number, line
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{name}: line {number + 1} is not valid {encoding} text ({exc.reason}); "
                                  "JSON Lines files must be UTF-8", file=name) from exc
        finally:
            f.close()

    source = lines()
    probe: list[Item] = []
    columns: dict[str, None] = {}
    try:
        for number, line in source:
            if not probe and not columns and line is not None and line.lstrip().startswith("["):
                raise ImportFileError(f"{name}: a JSON array is not supported (it cannot be streamed); "
                                      "write one JSON object per line (JSON Lines)", file=name)
            item = parse(number, line)
            if item is None:
                continue
            probe.append(item)
            if isinstance(item[1], dict):
                columns.update(dict.fromkeys(item[1]))
                if len(columns) > limits.max_columns:
                    check_columns(name, list(columns), limits, where=f"the first {number:,} lines")
            if len(probe) >= JSONL_COLUMN_PROBE:
                break
    except BaseException:
        source.close()
        raise
    if not probe:
        source.close()
        raise ImportFileError(f"{name}: the file is empty (no JSON lines)", file=name, columns=[])

    def generate() -> Iterator[Item]:
        yield from probe
        for number, line in source:
            item = parse(number, line)
            if item is not None:
                yield item

    return RecordStream(path=path, format="jsonl", columns=list(columns), items=_closing(generate(), source),
                        preset=preset, chunk_rows=chunk_rows, encoding=encoding)


# --------------------------------------------------------------------------- Parquet

def _parquet_stream(path: Path, preset: Preset | None, chunk_rows: int, limits: Limits) -> RecordStream:
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = path.name
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise ImportFileError(f"{name}: not a readable Parquet file ({exc})", file=name) from exc
    has_struct = any(pa.types.is_struct(f.type) for f in schema)
    columns = _flat_names(schema) if has_struct else list(schema.names)
    if len(columns) > limits.max_columns:
        parquet.close()
        check_columns(name, columns, limits, where="the schema")

    def generate() -> Iterator[Item]:
        number = 0
        try:
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                if has_struct:
                    table = pa.Table.from_batches([batch])
                    while any(pa.types.is_struct(f.type) for f in table.schema):
                        table = table.flatten()
                    data = {n: _to_python(table.column(n)) for n in table.column_names}
                else:
                    data = {n: _to_python(batch.column(i)) for i, n in enumerate(batch.schema.names)}
                names = list(data)
                for values in zip(*data.values(), strict=True):
                    number += 1
                    yield number, dict(zip(names, values, strict=True))
        except pa.ArrowException as exc:
            raise ImportFileError(f"{name}: unreadable Parquet data after record {number}: {exc}", file=name) from exc
        finally:
            parquet.close()

    return RecordStream(path=path, format="parquet", columns=columns, items=generate(), preset=preset,
                        chunk_rows=chunk_rows)


def _to_python(column: Any) -> list[Any]:
    """Arrow column → Python values. tz-aware timestamps go through naive UTC (≈ 6x faster than pyarrow's
    per-value zone lookup) and come back aware in ``datetime.UTC``."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz:
        from datetime import UTC

        naive = column.cast(pa.timestamp(kind.unit)).to_pylist()
        return [None if v is None else v.replace(tzinfo=UTC) for v in naive]
    return column.to_pylist()


def _flat_names(schema: Any, prefix: str = "") -> list[str]:
    import pyarrow as pa

    names: list[str] = []
    for f in schema:
        if pa.types.is_struct(f.type):
            names.extend(_flat_names(list(f.type), f"{prefix}{f.name}."))
        else:
            names.append(f"{prefix}{f.name}")
    return names
