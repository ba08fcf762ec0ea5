"""Feedback file ingestion: any export → validated canonical rows, streamed, with per-row errors.

Pure Python (no Django). The storage layer drives it::

    stream = iter_records(path, fmt)                  # ImportFileError for file-level problems
    mapping = mapping or detect_mapping(stream)       # or load_mapping("source.yaml")
    for chunk in chunked(convert(stream, mapping), 1000):   # convert() checks the mapping first
        rows = [r for r in chunk if isinstance(r, CanonicalRow)]
        errors = [e for r in chunk if isinstance(r, list) for e in r]

The modules import in one direction (each only from those before it)::

    fields, errors, limits → canonical → presets → readers → mapping → validate → previews

* ``fields``: the canonical field names, the base formats, column-name and time-zone checks.
* ``limits``: every bound of the work one file may cause (columns, cell and line length, XLSX
  unzipped size, JSON depth, stored problems, preview cells, batch bytes), each a setting.
* ``presets``: ``qualtrics`` (3 header rows, question-text detection; legacy 2-row) and ``zendesk``.
* ``readers``: CSV (delimiter sniffed, BOM, UTF-8 → cp1252 fallback with a note), XLSX (read-only),
  JSONL/NDJSON (a broken line is a ``RowError``), Parquet (``iter_batches``); lazy, flat memory.
  ``read_json_batch`` reads a JSON body (the API's batches) item by item as the JSONL reader does.
* ``mapping``: detection by column-name synonyms, YAML/JSON mapping files.
* ``validate``: ``to_canonical``/``convert`` collect every problem of a row; dates → tz-aware UTC.
  The one validation path of file imports and API batches.
* ``previews``: the first rows of a file as they will be stored, for the web page.

Idempotency: ``CanonicalRow.raw_hash`` hashes the content (not the id, not the row number). When
the mapping has no id column, the hash *is* the external id (``id_generated=True``), so
re-importing the same file yields the same ids. Duplicate ids inside a file are not errors here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from .canonical import CanonicalRow, content_hash
from .errors import ImportFileError, MappingError, RowError
from .fields import FIELDS
from .limits import Limits
from .mapping import Mapping, detect_mapping, load_mapping, save_mapping
from .presets import PRESETS, Header, Preset, get_preset, register_preset
from .previews import Preview, preview
from .readers import DEFAULT_CHUNK_ROWS, RecordStream, iter_records, read_json_batch, resolve_format
from .validate import convert, parse_datetime, partition, to_canonical

T = TypeVar("T")


def chunked(items: Iterable[T], size: int = DEFAULT_CHUNK_ROWS) -> Iterator[list[T]]:
    """Lists of up to ``size`` items (Python 3.11 has no ``itertools.batched``)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


__all__ = [
    "DEFAULT_CHUNK_ROWS", "FIELDS", "PRESETS", "CanonicalRow", "Header", "ImportFileError", "Limits", "Mapping",
    "MappingError", "Preset", "Preview", "RecordStream", "RowError", "chunked", "content_hash", "convert",
    "detect_mapping", "get_preset", "iter_records", "load_mapping", "parse_datetime", "partition", "preview",
    "read_json_batch", "register_preset", "resolve_format", "save_mapping", "to_canonical",
]
