"""Which source column feeds which canonical field, plus per-source options.

``detect_mapping(columns)`` guesses a ``Mapping`` from column names (case/space/underscore
insensitive synonyms) and, with a preset, from the export's header rows. A mapping can be saved to
and loaded from YAML or JSON (``save_mapping`` / ``load_mapping``), e.g. one file per source::

    external_id: Ticket ID
    received_at: Created at
    text_columns: [Subject, Description]
    csat: Satisfaction
    csat_max: 2
    default_channel: email
    dayfirst: true
    timezone: Europe/Paris
    metrics: {handle_time: AHT seconds}

Column names in a mapping are matched exactly first, then ignoring case, spaces and punctuation.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .canonical import DEFAULT_CSAT_MAX
from .errors import ImportFileError, MappingError
from .fields import CONTENT_FIELDS, FIELDS, FORMATS, normalize_name, valid_timezone
from .presets import GENERIC_SYNONYMS, PREFIX_FIELDS, PREFIX_MIN, PRESETS, SUFFIX_MIN, Preset, get_preset

if TYPE_CHECKING:  # pragma: no cover
    from .readers import RecordStream

OPTION_KEYS = ("text_columns", "metrics", "csat_max", "default_channel", "dayfirst", "timezone", "value_maps",
               "tags_column", "tag_events", "format")
ALLOWED_KEYS = (*FIELDS, *OPTION_KEYS)


@dataclass
class Mapping:
    """Canonical field → source column name, plus options.

    * ``text_columns``: several columns concatenated (blank line between) into ``text``; when
      set it wins over ``text``.
    * ``metrics``: custom numeric fields, metric name → column.
    * ``csat_max``: the CSAT scale (1..csat_max), default 5.
    * ``default_channel``: channel when there is no channel column or the cell is empty.
    * ``dayfirst``: read an ambiguous 03/04/2024 as 3 April (default: 4 March, month first).
    * ``timezone``: IANA zone of naive dates in the file (default UTC).
    * ``value_maps``: per field, source value (case-insensitive) → value, e.g.
      ``{"csat": {"good": 2, "bad": 1, "offered": null}}``.
    * ``tags_column`` + ``tag_events``: event_type from a tag list when the event cell is empty,
      e.g. ``{"complaint": "complaint"}`` (a tag matches whole or as an ``_``/``-`` part).
    * ``format``: the format or preset the file needs (e.g. ``qualtrics``), for saved mappings.
    * ``notes``: how the mapping was detected (not saved).
    """

    external_id: str | None = None
    received_at: str | None = None
    channel: str | None = None
    customer_id: str | None = None
    segment: str | None = None
    text: str | None = None
    nps: str | None = None
    csat: str | None = None
    ces: str | None = None
    event_type: str | None = None
    step: str | None = None
    text_columns: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    csat_max: int = DEFAULT_CSAT_MAX
    default_channel: str | None = None
    dayfirst: bool = False
    timezone: str = "UTC"
    value_maps: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags_column: str | None = None
    tag_events: dict[str, str] = field(default_factory=dict)
    format: str | None = None
    notes: list[str] = field(default_factory=list, compare=False)

    # ----------------------------------------------------------------- views

    @property
    def fields(self) -> dict[str, str]:
        """Canonical field → column, for the fields that have one (text: the first text column)."""
        out = {f: getattr(self, f) for f in FIELDS if getattr(self, f)}
        if self.text_columns:
            out["text"] = self.text_columns[0]
        return out

    def text_sources(self) -> list[str]:
        return list(self.text_columns) if self.text_columns else ([self.text] if self.text else [])

    def columns_used(self) -> list[str]:
        """Every source column the mapping reads, in a stable order."""
        cols = [getattr(self, f) for f in FIELDS if f != "text" and getattr(self, f)]
        cols += self.text_sources() + list(self.metrics.values())
        if self.tags_column:
            cols.append(self.tags_column)
        return list(dict.fromkeys(cols))

    def replace(self, **changes: Any) -> Mapping:
        return dataclasses.replace(self, **changes)

    # ----------------------------------------------------------------- checks

    def resolve(self, columns: Sequence[str], filename: str) -> Mapping:
        """This mapping with column names matched to ``columns``; ``ImportFileError`` if it cannot work.

        Missing columns, no date column, no channel (column or default), or nothing to import
        (no text, score, event, step or metric column) are file-level errors listing the columns found.
        """
        exact = set(columns)
        loose: dict[str, list[str]] = {}
        for col in columns:
            loose.setdefault(normalize_name(col), []).append(col)
        missing: list[str] = []

        def find(col: str, label: str) -> str:
            if col in exact:
                return col
            hits = loose.get(normalize_name(col), [])
            if len(hits) == 1:
                return hits[0]
            missing.append(f"'{col}' ({label})")
            return col

        changes: dict[str, Any] = {f: find(getattr(self, f), f) for f in FIELDS if getattr(self, f)}
        changes["text_columns"] = [find(c, "text") for c in self.text_columns]
        changes["metrics"] = {name: find(c, f"metric {name}") for name, c in self.metrics.items()}
        if self.tags_column:
            changes["tags_column"] = find(self.tags_column, "tags")
        found = _found(columns)
        if missing:
            raise ImportFileError(f"{filename}: the mapping names column(s) not in the file: {', '.join(missing)}. "
                                  f"{found}", file=filename, columns=list(columns))
        resolved = dataclasses.replace(self, **changes)
        problems = []
        if not resolved.received_at:
            problems.append("no column for received_at (the date of the feedback)")
        if not resolved.channel and not resolved.default_channel:
            problems.append("no column for channel and no default channel")
        if not any(getattr(resolved, f) for f in CONTENT_FIELDS) and not resolved.text_columns \
                and not resolved.metrics:
            problems.append("no feedback content column (text, nps, csat, ces, event_type, step or metrics)")
        if problems:
            raise ImportFileError(f"{filename}: missing required column(s): {'; '.join(problems)}. {found} "
                                  "Map them with a mapping file (e.g. received_at: <column>).",
                                  file=filename, columns=list(columns))
        return resolved

    # ----------------------------------------------------------------- (de)serialization

    def to_dict(self) -> dict[str, Any]:
        """Only what differs from the defaults, in a readable order (what ``save_mapping`` writes)."""
        out: dict[str, Any] = {}
        default = Mapping()
        for key in ALLOWED_KEYS:
            value = getattr(self, key)
            if value != getattr(default, key):
                out[key] = value if not isinstance(value, (list, dict)) else json.loads(json.dumps(value))
        return out

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "mapping") -> Mapping:
        """Validate and build; ``MappingError`` names the bad key and the allowed ones."""
        if not isinstance(data, dict):
            raise MappingError(f"{source}: a mapping must be a set of 'key: value' lines (a mapping object), "
                               f"not {type(data).__name__}")
        unknown = [k for k in data if k not in ALLOWED_KEYS]
        if unknown:
            raise MappingError(f"{source}: unknown key {', '.join(repr(str(k)) for k in unknown)}; "
                               f"allowed keys: {', '.join(ALLOWED_KEYS)}")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            if key == "text" and isinstance(value, list):
                key, value = "text_columns", value
            kwargs[key] = _check_value(key, value, source)
        mapping = cls(**kwargs)
        return mapping


def _found(columns: Sequence[str]) -> str:
    shown = ", ".join(f"'{c}'" for c in list(columns)[:60])
    more = f" … and {len(columns) - 60} more" if len(columns) > 60 else ""
    return f"Columns found: {shown or '(none)'}{more}."


def _check_value(key: str, value: Any, source: str) -> Any:
    def bad(expected: str) -> MappingError:
        return MappingError(f"{source}: '{key}' must be {expected}, not {value!r}")

    if key in FIELDS or key in ("tags_column", "default_channel", "format"):
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise bad("a column name" if key in FIELDS or key == "tags_column" else "a non-empty text")
        value = str(value).strip()
        if key == "format" and value.lower() not in (*FORMATS, "ndjson", *PRESETS):
            raise MappingError(f"{source}: unknown format {value!r}; allowed: {', '.join((*FORMATS, *PRESETS))}")
        return value
    if key == "text_columns":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, (str, int)) for v in value):
            raise bad("a list of column names")
        return [str(v) for v in value]
    if key == "metrics":
        if not isinstance(value, dict) or not all(isinstance(v, (str, int)) and str(v).strip()
                                                  for v in value.values()):
            raise bad("a set of 'metric name: column' pairs")
        return {str(k): str(v) for k, v in value.items()}
    if key == "csat_max":
        if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 100:
            raise bad("a whole number from 2 to 100")
        return value
    if key == "dayfirst":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if key == "timezone":
        if not isinstance(value, str) or not valid_timezone(value.strip()):
            raise bad("an IANA time zone name such as UTC or Europe/Paris")
        return value.strip()
    if key == "value_maps":
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise bad("a set of 'field: {source value: value}' maps")
        wrong = [k for k in value if k not in FIELDS]
        if wrong:
            raise MappingError(f"{source}: value_maps for unknown field {wrong[0]!r}; fields: {', '.join(FIELDS)}")
        for fld, table in value.items():
            for raw, mapped in table.items():
                if mapped is not None and (isinstance(mapped, bool) or not isinstance(mapped, (str, int, float))
                                           or (isinstance(mapped, float) and not math.isfinite(mapped))):
                    raise MappingError(f"{source}: value_maps.{fld}: {raw!r} maps to {mapped!r}; "
                                       "use a number, a text or null")
        return {str(f): {str(k): v for k, v in t.items()} for f, t in value.items()}
    if key == "tag_events":
        if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
            raise bad("a set of 'tag: event type' pairs")
        return {str(k).lower(): v.strip().lower() for k, v in value.items()}
    raise MappingError(f"{source}: unknown key {key!r}")  # pragma: no cover - guarded by ALLOWED_KEYS


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping from YAML (.yaml/.yml) or JSON (.json); ``MappingError`` on any problem."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(f"{path.name}: cannot read the mapping file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"{path.name}: the mapping file is not UTF-8 text") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise MappingError(f"{path.name}: not valid JSON ({exc})") from exc
    else:
        import yaml

        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise MappingError(f"{path.name}: not valid YAML ({exc})") from exc
    if data is None:
        raise MappingError(f"{path.name}: the mapping file is empty")
    return Mapping.from_dict(data, source=path.name)


def save_mapping(mapping: Mapping, path: str | Path) -> Path:
    """Write ``mapping.to_dict()`` as JSON (.json) or YAML (anything else)."""
    path = Path(path)
    data = mapping.to_dict()
    if path.suffix.lower() == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- detection

def detect_mapping(columns: Sequence[str] | RecordStream, *, preset: str | Preset | None = None,
                   meta: dict[str, Any] | None = None) -> Mapping:
    """Guess a mapping from column names (and, with a preset, the header metadata).

    ``columns`` may be a ``RecordStream``: its columns, preset and header metadata are used.
    Order: the preset's synonyms, then the generic synonyms (exact after ``normalize_name``), then a
    unique prefix (nps/csat/ces) or suffix (≥ 5 letters) match, then the preset's options and
    ``refine``. Each column feeds at most one field. ``mapping.notes`` says what was guessed.
    """
    if not isinstance(columns, (list, tuple)) and hasattr(columns, "columns"):
        stream = columns
        preset = preset or stream.preset
        meta = meta if meta is not None else stream.meta
        columns = stream.columns
    chosen = get_preset(preset)
    columns = list(columns)
    meta = meta or {}
    index: dict[str, str] = {}
    for col in columns:
        index.setdefault(normalize_name(col), col)
    taken: set[str] = set()
    found: dict[str, str] = {}
    notes: list[str] = []

    def exact(table: dict[str, tuple[str, ...]]) -> None:
        for fld in FIELDS:
            if fld in found:
                continue
            for synonym in table.get(fld, ()):
                col = index.get(normalize_name(synonym))
                if col and col not in taken:
                    found[fld] = col
                    taken.add(col)
                    break

    if chosen:
        exact(chosen.synonyms)
    exact(GENERIC_SYNONYMS)
    for fld in FIELDS:
        if fld in found:
            continue
        hits = []
        for col in columns:
            if col in taken:
                continue
            key = normalize_name(col)
            for synonym in (normalize_name(s) for s in GENERIC_SYNONYMS[fld]):
                if (fld in PREFIX_FIELDS and len(synonym) >= PREFIX_MIN and key.startswith(synonym)) or \
                        (len(synonym) >= SUFFIX_MIN and key.endswith(synonym)):
                    hits.append(col)
                    break
        if len(hits) == 1:
            found[fld] = hits[0]
            taken.add(hits[0])
            notes.append(f"{fld} guessed from the column name '{hits[0]}'")
    mapping = Mapping(**found, notes=notes)
    if chosen:
        for key, value in chosen.options.items():
            setattr(mapping, key, json.loads(json.dumps(value)) if isinstance(value, (dict, list)) else value)
        mapping.format = chosen.name
        if chosen.refine:
            chosen.refine(mapping, columns, meta)
    return mapping
