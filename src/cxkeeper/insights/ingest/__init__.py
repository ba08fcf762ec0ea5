"""Feedback file ingestion: any export → validated canonical rows, streamed, with per-row errors.

Pure Python (no Django). Typical use by the storage layer::

    stream = iter_records(path, fmt)                  # ImportFileError for file-level problems
    mapping = mapping or detect_mapping(stream)       # or load_mapping("source.yaml")
    for chunk in chunked(convert(stream, mapping), 1000):
        rows = [r for r in chunk if isinstance(r, CanonicalRow)]
        errors = [e for r in chunk if isinstance(r, list) for e in r]

See ``docs``-style notes in each module; ``preview`` serves the web mapping preview.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from .canonical import FIELDS, CanonicalRow, content_hash
from .errors import ImportFileError, MappingError, RowError
from .mapping import Mapping, Preview, detect_mapping, load_mapping, preview, save_mapping
from .presets import PRESETS, Header, Preset, get_preset, register_preset
from .readers import DEFAULT_CHUNK_ROWS, RecordStream, iter_records, resolve_format
from .validate import convert, parse_datetime, to_canonical

T = TypeVar("T")


def chunked(items: Iterable[T], size: int = DEFAULT_CHUNK_ROWS) -> Iterator[list[T]]:
    """Lists of up to ``size`` items (Python 3.11 has no ``itertools.batched``)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


__all__ = [
    "DEFAULT_CHUNK_ROWS", "FIELDS", "PRESETS", "CanonicalRow", "Header", "ImportFileError", "Mapping",
    "MappingError", "Preset", "Preview", "RecordStream", "RowError", "chunked", "content_hash", "convert",
    "detect_mapping", "get_preset", "iter_records", "load_mapping", "parse_datetime", "preview",
    "register_preset", "resolve_format", "save_mapping", "to_canonical",
]
