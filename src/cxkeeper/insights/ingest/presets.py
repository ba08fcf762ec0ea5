"""Source presets: how to read and map the export of a known tool.

A preset is data plus two small functions, so a new source is a new ``Preset(...)`` entry in
``PRESETS`` (or ``register_preset``):

* ``read_header(first_rows) -> Header`` — where the column names are and how many header rows
  precede the data (tabular formats: CSV, XLSX). Extra header rows become ``Header.meta``.
* ``synonyms`` — column names (any case/spacing) tried before the generic ones, per field.
* ``options`` — default mapping options (``default_channel``, ``csat_max``, ``value_maps`` …).
* ``refine(mapping, columns, meta)`` — last adjustments from header metadata (e.g. Qualtrics
  question texts), changing the mapping in place and adding ``mapping.notes``.

``refine`` receives the ``Mapping`` being detected; this module does not import ``mapping``
(``mapping`` imports it: see the order in ``fields``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .fields import normalize_name, valid_timezone


def column_names(values: Sequence[Any]) -> list[str]:
    """Header cells → unique, non-empty column names ('' → 'column 3'; a repeated 'x' → 'x (2)')."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(values, start=1):
        name = "" if value is None else str(value).strip()
        if not name:
            name = f"column {index}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        seen.setdefault(name, 1)
        names.append(name)
    return names


@dataclass(frozen=True)
class Header:
    """Column names, how many rows the header took, and anything else the header rows said."""

    columns: list[str]
    rows: int = 1
    meta: dict[str, Any] = field(default_factory=dict)


def first_row_header(rows: list[list[Any]]) -> Header:
    return Header(columns=column_names(rows[0]), rows=1)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    formats: tuple[str, ...] = ("csv", "xlsx", "jsonl", "parquet")
    header_probe_rows: int = 1
    read_header: Callable[[list[list[Any]]], Header] = first_row_header
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    refine: Callable[[Any, list[str], dict[str, Any]], None] | None = None  # (mapping, columns, meta)


# --------------------------------------------------------------------------- generic synonyms

#: Generic column-name synonyms per canonical field, best first (compared after ``normalize_name``).
GENERIC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "response id", "ticket id", "review id", "feedback id", "external id", "record id",
                    "case id", "case number", "ticket number", "interaction id", "uuid", "guid"),
    "received_at": ("received at", "date", "created at", "created", "created date", "created on", "submitted",
                    "submitted at", "submitted on", "submission date", "timestamp", "recorded date",
                    "datetime", "date time", "response date", "review date", "feedback date", "event date",
                    "occurred at", "time"),
    "text": ("text", "comment", "comments", "feedback", "review", "review text", "verbatim", "body", "message",
             "feedback text", "comment text", "free text", "open text", "content", "response", "answer",
             "description"),
    "nps": ("nps", "nps score", "likelihood to recommend", "likely to recommend", "recommend score",
            "recommendation score", "recommend", "net promoter score", "ltr"),
    "csat": ("csat", "csat score", "satisfaction", "satisfaction score", "satisfaction rating",
             "customer satisfaction", "rating", "star rating", "stars"),
    "ces": ("ces", "ces score", "effort", "effort score", "customer effort", "customer effort score", "ease"),
    "channel": ("channel", "source", "via", "medium", "origin", "source channel"),
    "customer_id": ("customer id", "customer", "account id", "account", "client id", "user id", "contact id",
                    "customer email", "email", "user", "requester email", "requester"),
    "segment": ("segment", "customer segment", "plan", "persona", "tier", "customer type", "subscription"),
    "event_type": ("event type", "event", "event name"),
    "step": ("step", "journey step", "step name", "touchpoint"),
}

#: Fields whose synonyms may also match as a *prefix* of a longer name ('NPS (0-10)' → nps).
PREFIX_FIELDS = ("nps", "csat", "ces")
PREFIX_MIN = 3
#: Any synonym this long may match as a *suffix* ('Requester email' → customer_id).
SUFFIX_MIN = 5


# --------------------------------------------------------------------------- qualtrics

_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"')
_LEGACY_V = re.compile(r"^V\d+$")
_RESPONSE_ID = re.compile(r"^R_[0-9A-Za-z]{6,}$")


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def qualtrics_header(rows: list[list[Any]]) -> Header:
    """Detect the Qualtrics header layout.

    * current export: row 1 column names, row 2 question texts, row 3 ``{"ImportId": ...}``;
    * legacy export: row 1 ``V1 … V10, Q1 …``, row 2 labels (``ResponseID``, ``StartDate`` …)
      and question texts — the label replaces a ``V<n>`` name;
    * two rows without import ids (names + question texts), recognized because the row under
      ``ResponseId`` is not a response id;
    * otherwise a single header row (already-cleaned data).
    """
    row1 = [_cell(v) for v in rows[0]]
    row2 = [_cell(v) for v in rows[1]] if len(rows) > 1 else []
    row3 = [_cell(v) for v in rows[2]] if len(rows) > 2 else []
    if row3 and sum(bool(_IMPORT_ID.match(v)) for v in row3) >= max(1, len([v for v in row3 if v]) // 2):
        columns = column_names(row1)
        import_ids: dict[str, dict[str, Any]] = {}
        for name, raw in zip(columns, row3, strict=False):
            try:
                info = json.loads(raw)
            except ValueError:
                continue
            if isinstance(info, dict):
                import_ids[name] = info
        texts = dict(zip(columns, row2, strict=False))
        return Header(columns, 3, {"variant": "qualtrics", "question_texts": texts, "import_ids": import_ids})
    if row2 and any(_LEGACY_V.match(v) for v in row1) and "responseid" in {normalize_name(v) for v in row2}:
        names = [label if _LEGACY_V.match(name) and label else name
                 for name, label in zip(row1, row2 + [""] * (len(row1) - len(row2)), strict=False)]
        columns = column_names(names)
        texts = dict(zip(columns, row2, strict=False))
        return Header(columns, 2, {"variant": "qualtrics-legacy", "question_texts": texts, "import_ids": {}})
    keys = [normalize_name(v) for v in row1]
    if row2 and "responseid" in keys:
        below = row2[keys.index("responseid")] if keys.index("responseid") < len(row2) else ""
        if below and not _RESPONSE_ID.match(below):
            columns = column_names(row1)
            texts = dict(zip(columns, row2, strict=False))
            return Header(columns, 2, {"variant": "qualtrics-2-rows", "question_texts": texts, "import_ids": {}})
    return Header(column_names(row1), 1, {"variant": "qualtrics-1-row", "question_texts": {}, "import_ids": {}})


_NPS_Q = re.compile(r"\blikely\b.*\brecommend", re.I | re.S)
_CSAT_Q = re.compile(r"\bhow satisfied\b|\bsatisfaction with\b|\boverall satisfaction\b|\bhow would you rate\b", re.I)
_CES_Q = re.compile(r"\bhow easy\b|\beasy (was it|it was) to\b|\beffort\b|\bmade it easy\b", re.I)
_OPEN_Q = re.compile(
    r"\bwhy\b|\bwhat (could|can|should) we\b|\btell us\b|\bplease (describe|explain|share|specify|tell)\b"
    r"|\bcomments?\b|\banything else\b|\bsuggestions?\b|\bin your own words\b|\bwhat is the (main )?reason\b"
    r"|\bwhat did you\b|\bhow (can|could) we improve\b", re.I)

QUALTRICS_CSAT_LABELS = {
    "very dissatisfied": 1, "extremely dissatisfied": 1, "dissatisfied": 2, "somewhat dissatisfied": 2,
    "neither satisfied nor dissatisfied": 3, "neutral": 3, "satisfied": 4, "somewhat satisfied": 4,
    "very satisfied": 5, "extremely satisfied": 5,
}


def _qualtrics_refine(mapping: Any, columns: list[str], meta: dict[str, Any]) -> None:
    texts: dict[str, str] = meta.get("question_texts") or {}
    import_ids: dict[str, dict[str, Any]] = meta.get("import_ids") or {}

    def import_id(col: str) -> str:
        return str(import_ids.get(col, {}).get("ImportId", ""))

    # The date column's import id carries the account's time zone: {"ImportId":"recordedDate","timeZone":"…"}.
    if mapping.received_at and mapping.timezone == "UTC":
        zone = import_ids.get(mapping.received_at, {}).get("timeZone")
        if isinstance(zone, str) and zone.strip():
            zone = "UTC" if zone.strip().upper() in {"Z", "UTC", "GMT"} else zone.strip()
            if valid_timezone(zone):
                mapping.timezone = zone
                mapping.notes.append(f"dates are in {zone} (from the export's header)")

    used = set(mapping.columns_used())
    questions: list[str] = []
    for col in columns:
        iid = import_id(col)
        if col in used or col.upper().endswith("_NPS_GROUP") or iid.upper().endswith("_NPS_GROUP"):
            continue
        if import_ids and not iid.upper().startswith("QID"):
            continue  # metadata column (startDate, _recordId, …)
        questions.append(col)

    free_text = [c for c in questions
                 if import_id(c).upper().endswith("_TEXT") or (not import_ids and c.upper().endswith("_TEXT"))
                 or (not import_id(c).upper().endswith("_TEXT") and _OPEN_Q.search(texts.get(c, "")))]
    closed = [c for c in questions if c not in free_text]
    for fld, pattern, label in (("nps", _NPS_Q, "NPS"), ("csat", _CSAT_Q, "CSAT"), ("ces", _CES_Q, "CES")):
        if getattr(mapping, fld):
            continue
        hit = next((c for c in closed if pattern.search(texts.get(c, ""))), None)
        if hit:
            setattr(mapping, fld, hit)
            closed.remove(hit)
            mapping.notes.append(f"{label} from {hit} ({_clip(texts.get(hit, ''))})")
    if free_text:
        mapping.text = None
        mapping.text_columns = free_text
        mapping.notes.append("text from the free-text answers " + ", ".join(free_text))


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


QUALTRICS = Preset(
    name="qualtrics",
    description="Qualtrics survey export (3 header rows: names, question texts, import ids; legacy 2-row too)",
    formats=("csv", "xlsx"),
    header_probe_rows=3,
    read_header=qualtrics_header,
    synonyms={
        "external_id": ("response id",),
        "received_at": ("recorded date", "end date"),
        "channel": ("distribution channel",),
        "customer_id": ("external reference", "external data reference", "recipient email"),
    },
    options={"default_channel": "survey", "value_maps": {"csat": QUALTRICS_CSAT_LABELS}},
    refine=_qualtrics_refine,
)


# --------------------------------------------------------------------------- zendesk

ZENDESK_SATISFACTION = {
    "good": 2, "bad": 1, "offered": None, "unoffered": None,
    "good, i'm satisfied": 2, "bad, i'm unsatisfied": 1,
}


def _zendesk_refine(mapping: Any, columns: list[str], meta: dict[str, Any]) -> None:
    by_key = {normalize_name(c): c for c in columns}
    subject = by_key.get("subject")
    body = next((by_key[k] for k in ("description", "comment", "comments", "firstcomment", "body")
                 if k in by_key), None)
    parts = [c for c in (subject, body) if c]
    if parts:
        mapping.text = None
        mapping.text_columns = parts
        mapping.notes.append("text = " + " + ".join(parts))
    tags = by_key.get("tags")
    if tags and not mapping.tags_column:
        mapping.tags_column = tags
        mapping.notes.append(f"event_type 'complaint' when {tags} contains complaint")


ZENDESK = Preset(
    name="zendesk",
    description="Zendesk ticket export (Id, Created at, Subject, Description, Via, Satisfaction Score, Tags)",
    formats=("csv", "xlsx", "jsonl"),
    synonyms={
        "external_id": ("id", "ticket id"),
        "received_at": ("created at", "created"),
        "channel": ("via", "channel"),
        "customer_id": ("requester email", "requester id", "requester"),
        "csat": ("satisfaction score", "satisfaction rating", "satisfaction"),
    },
    options={"csat_max": 2, "default_channel": "support", "value_maps": {"csat": ZENDESK_SATISFACTION},
             "tag_events": {"complaint": "complaint"}},
    refine=_zendesk_refine,
)


PRESETS: dict[str, Preset] = {p.name: p for p in (QUALTRICS, ZENDESK)}


def register_preset(preset: Preset) -> None:
    PRESETS[preset.name] = preset


def get_preset(preset: str | Preset | None) -> Preset | None:
    if preset is None or isinstance(preset, Preset):
        return preset
    try:
        return PRESETS[preset.lower()]
    except KeyError:
        raise ValueError(f"unknown preset {preset!r}; known presets: {', '.join(sorted(PRESETS))}") from None
