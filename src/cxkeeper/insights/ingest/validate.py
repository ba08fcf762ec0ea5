"""Turn source records into ``CanonicalRow``s, collecting every problem of a row as ``RowError``s.

The one validation path: a file import (``convert`` over a ``RecordStream``) and the API's
feedback batches (``convert`` over ``readers.read_json_batch``, ``strict``) check and normalise
every row here, so a row is rejected with the same reason, naming the same field, either way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .canonical import CES_RANGE, EXTERNAL_ID_MAX, NPS_RANGE, TEXT_MAX, CanonicalRow, content_hash
from .errors import RowError, short_value
from .mapping import Mapping

Result = CanonicalRow | list[RowError]

# --------------------------------------------------------------------------- cells


def cell_text(value: Any) -> str:
    """A cell as stripped text: None → '', 12.0 → '12', lists joined with ', '."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(t for t in (cell_text(v) for v in value) if t)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


# --------------------------------------------------------------------------- numbers

_WHOLE = re.compile(r"^[+-]?\d+(?:[.,]0*)?$")


def parse_whole(value: Any, low: int, high: int) -> int | None:
    """'9', '9.0', 9, 9.0, ' 9 ' → 9; '' / None → None; anything else or out of range → ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, (float, Decimal)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if not math.isfinite(value) or value != int(value):
            raise ValueError
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        if not _WHOLE.match(text):
            raise ValueError
        number = int(re.split(r"[.,]", text)[0])
    if not low <= number <= high:
        raise ValueError
    return number


def parse_number(value: Any) -> float | None:
    """A finite float from a number or text ('1234.5', ' 3 '); '' / None → None; else ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if math.isnan(number):
            return None
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        number = float(text)
    if not math.isfinite(number):
        raise ValueError
    return number


# --------------------------------------------------------------------------- dates

EXCEL_EPOCH = datetime(1899, 12, 30)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_YEAR, MAX_YEAR = 1900, 2200
DATE_HINT = "use e.g. 2024-03-31, 2024-03-31 14:05, 31/03/2024 or 03/31/2024"

_NUMERIC = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_OFFSET = re.compile(r"^(.*\d)\s*(?:(Z|UTC|GMT)|(?:UTC|GMT)?([+-])(\d{2}):?(\d{2}))$", re.I)
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?\s*([AaPp]\.?[Mm]\.?)?)?$")
_YEAR_FIRST = re.compile(
    r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?$")
_TEXT_FORMATS = (
    "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y",
    "%d %b %Y %H:%M", "%d %B %Y %H:%M", "%d %b %Y %H:%M:%S", "%d %B %Y %H:%M:%S",
    "%b %d %Y %H:%M", "%B %d %Y %H:%M", "%b %d %Y %H:%M:%S", "%B %d %Y %H:%M:%S",
    "%b %d %Y %I:%M %p", "%B %d %Y %I:%M %p", "%b %d %Y %I:%M:%S %p", "%B %d %Y %I:%M:%S %p",
    "%a %d %b %Y %H:%M:%S", "%a %b %d %H:%M:%S %Y", "%A %d %B %Y", "%A %B %d %Y",
)


def get_zone(name: str | None) -> tzinfo:
    if not name or name.upper() == "UTC":
        return UTC
    return ZoneInfo(name)


def parse_datetime(value: Any, *, dayfirst: bool = False, tz: tzinfo = UTC) -> datetime | None:
    """Any supported date/time → tz-aware UTC ``datetime``; '' / None → None; unreadable → ValueError.

    Reads ISO 8601 (with T or a space, optional seconds/fraction/offset/Z), ``DD/MM/YYYY`` and
    ``MM/DD/YYYY`` (``/``, ``.`` or ``-``; a part above 12 decides, else ``dayfirst``), ``YYYY/MM/DD``,
    ``YYYYMMDD``, month names (``3 Mar 2024``, ``Mar 3, 2024 2:05 PM``), Excel serial numbers
    (20000–99999), epoch seconds and milliseconds, and ``datetime``/``date`` cells. A naive result is
    taken to be in ``tz`` (the source's zone), then converted to UTC.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a true/false value")
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and math.isnan(value):
            return None
        result = _from_number(float(value))
    else:
        text = str(value).strip()
        if not text:
            return None
        result = _from_text(text, dayfirst)
    if result.tzinfo is None:
        result = result.replace(tzinfo=tz)
    if result.tzinfo is not UTC:
        result = result.astimezone(UTC)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError(f"year {result.year} is not plausible")
    return result


def _from_number(number: float) -> datetime:
    if 20_000 <= number < 100_000:
        return EXCEL_EPOCH + timedelta(days=number)  # Excel serial date (naive, in the source zone)
    if 1e8 <= number < 1e11:
        return EPOCH + timedelta(seconds=number)
    if 1e11 <= number < 1e14:
        return EPOCH + timedelta(milliseconds=number)
    raise ValueError("a number that is neither an Excel date nor epoch seconds")


def _from_text(text: str, dayfirst: bool) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if _NUMERIC.match(text):
        if len(text) == 8 and text.isdigit():
            return datetime.strptime(text, "%Y%m%d")
        return _from_number(float(text))
    body, offset = text, None
    m = _OFFSET.match(text)
    if m and not _NUMERIC_DATE.match(text):
        body = m.group(1).strip()
        if m.group(2):
            offset = UTC
        else:
            delta = timedelta(hours=int(m.group(4)), minutes=int(m.group(5)))
            offset = timezone(-delta if m.group(3) == "-" else delta)
    result = _from_body(body, dayfirst)
    if offset is not None:
        if result.tzinfo is not None:
            raise ValueError("two time zones")
        result = result.replace(tzinfo=offset)
    return result


def _from_body(body: str, dayfirst: bool) -> datetime:
    if body != body.strip() or body == "":
        raise ValueError("empty")
    try:
        return datetime.fromisoformat(body)
    except ValueError:
        pass
    m = _NUMERIC_DATE.match(body)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if len(m.group(3)) == 2:
            year += 2000 if year < 69 else 1900
        if first > 12 >= second:
            day, month = first, second
        elif second > 12 >= first:
            month, day = first, second
        elif dayfirst:
            day, month = first, second
        else:
            month, day = first, second
        return _build(year, month, day, m.group(4), m.group(5), m.group(6), m.group(7), m.group(8))
    m = _YEAR_FIRST.match(body)
    if m:
        return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), m.group(6),
                      m.group(7), None)
    cleaned = " ".join(body.replace(",", " ").split())
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned, flags=re.I)
    for fmt in _TEXT_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    raise ValueError("unrecognized")


def _build(year: int, month: int, day: int, hour: str | None, minute: str | None, second: str | None,
           fraction: str | None, ampm: str | None) -> datetime:
    h = int(hour) if hour else 0
    if ampm:
        pm = ampm[0].lower() == "p"
        if not 1 <= h <= 12:
            raise ValueError("bad 12-hour time")
        h = (h % 12) + (12 if pm else 0)
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    return datetime(year, month, day, h, int(minute) if minute else 0, int(second) if second else 0, micro)


# --------------------------------------------------------------------------- conversion plan

@dataclass(frozen=True)
class _Plan:
    mapping: Mapping
    text_columns: tuple[str, ...]
    text_label: str
    metrics: tuple[tuple[str, str], ...]
    zone: tzinfo
    value_maps: dict[str, dict[str, Any]]
    tag_events: tuple[tuple[str, str], ...]
    default_channel: str | None
    known: tuple[str, ...] | None = None  # strict: the only keys a record may have


def _plan(mapping: Mapping, *, strict: bool = False) -> _Plan:
    text_columns = tuple(mapping.text_sources())
    return _Plan(
        mapping=mapping, text_columns=text_columns, text_label=" + ".join(text_columns),
        metrics=tuple(mapping.metrics.items()), zone=get_zone(mapping.timezone),
        value_maps={f: {str(k).strip().lower(): v for k, v in table.items()}
                    for f, table in mapping.value_maps.items()},
        tag_events=tuple((k.lower(), v.lower()) for k, v in mapping.tag_events.items()),
        default_channel=" ".join((mapping.default_channel or "").split()).lower() or None,
        known=tuple(mapping.columns_used()) if strict else None,
    )


_TAG_SPLIT = re.compile(r"[\s,;|]+")
_TAG_PART = re.compile(r"[_\-]")


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else _TAG_SPLIT.split(str(value))
    return [str(t).strip().lower() for t in items if str(t).strip()]


def to_canonical(record: dict[str, Any], row_number: int, mapping: Mapping, *, filename: str,
                 strict: bool = False) -> Result:
    """One record → a ``CanonicalRow``, or the list of ALL its problems as ``RowError``s.

    ``mapping`` must name the record's columns exactly (``convert`` resolves it first).
    """
    return _convert_one(record, row_number, _plan(mapping, strict=strict), filename)


def convert(stream: Iterable[tuple[int, Any]], mapping: Mapping, filename: str | None = None, *,
            columns: Sequence[str] | None = None, strict: bool = False) -> Iterator[Result]:
    """Lazily convert ``(row_number, record)`` items: one ``CanonicalRow`` or ``list[RowError]`` each.

    ``stream`` is usually a ``RecordStream``; its ``columns`` (or ``columns=``) are checked against the
    mapping first — a mapping that cannot work raises ``ImportFileError`` before any row is read (the stream is closed).
    Records the reader could not decode (``RowError``) come out as ``[error]``. Duplicate ids are
    *not* checked here (the storage layer counts them).

    ``strict``: a key the mapping does not read is a problem of its row ("unknown field"), not
    an extra column to ignore — for items sent with cxkeeper's own field names (the API batch).
    """
    filename = filename or getattr(stream, "filename", None) or "file"
    columns = columns if columns is not None else getattr(stream, "columns", None)
    if columns is not None:
        try:
            mapping = mapping.resolve(columns, filename)
        except BaseException:
            close = getattr(stream, "close", None)
            if close:
                close()  # the file is not going to be read: release it now
            raise
    plan = _plan(mapping, strict=strict)
    return _convert_all(stream, plan, filename)


def partition(results: Iterable[Result]) -> tuple[list[CanonicalRow], list[RowError]]:
    """Converted items → (the rows to store, every problem of the rejected rows)."""
    rows: list[CanonicalRow] = []
    errors: list[RowError] = []
    for result in results:
        if isinstance(result, CanonicalRow):
            rows.append(result)
        else:
            errors.extend(result)
    return rows, errors


def _convert_all(stream: Iterable[tuple[int, Any]], plan: _Plan, filename: str) -> Iterator[Result]:
    for row_number, record in stream:
        if isinstance(record, RowError):
            yield [record]
        else:
            yield _convert_one(record, row_number, plan, filename)


def _error(errors: list[RowError], filename: str, row_number: int, column: str | None, value: Any,
           reason: str) -> None:
    shown = value if isinstance(value, str) else cell_text(value)
    errors.append(RowError(filename, row_number, column, short_value(shown), reason))


def _mapped(value: Any, table: dict[str, Any] | None) -> Any:
    if table and value is not None:
        key = cell_text(value).lower()
        if key in table:
            return table[key]
    return value


def _whole(errors: list[RowError], filename: str, row_number: int, column: str, value: Any, low: int,
           high: int) -> int | None:
    try:
        return parse_whole(value, low, high)
    except ValueError:
        _error(errors, filename, row_number, column, value,
               f"'{short_value(cell_text(value))}' is not a whole number from {low} to {high}")
        return None


def _label(value: Any, lower: bool = False) -> str | None:
    text = value.strip() if isinstance(value, str) else cell_text(value)
    if not text:
        return None
    if lower:
        return " ".join(text.split()).lower()
    return text


def _nothing_to_record(plan: _Plan) -> str:
    """Why a row with no text, no score and no event is rejected, naming the empty columns."""
    m = plan.mapping
    columns = [*plan.text_columns, m.nps, m.csat, m.ces, m.event_type, plan.tag_events and m.tags_column,
               *(column for _, column in plan.metrics)]
    named = [f"'{c}'" for c in dict.fromkeys(c for c in columns if c)]
    reason = "nothing to record: no text, no score and no event"
    if len(named) == 1:
        return f"{reason} ({named[0]} is empty)"
    if named:
        return f"{reason} ({', '.join(named[:-1])} and {named[-1]} are empty)"
    return reason


def _convert_one(record: dict[str, Any], row_number: int, plan: _Plan, filename: str) -> Result:
    m = plan.mapping
    errors: list[RowError] = []
    maps = plan.value_maps
    get = record.get

    if plan.known is not None:
        for key in record:
            if key not in plan.known:
                _error(errors, filename, row_number, key, record[key],
                       f"unknown field '{key}'; the fields are {', '.join(plan.known)}")

    # external id
    external_id = None
    if m.external_id:
        raw = get(m.external_id)
        external_id = raw.strip() if isinstance(raw, str) else cell_text(raw)
        if not external_id:
            _error(errors, filename, row_number, m.external_id, raw, "an id is required but the cell is empty")
        elif len(external_id) > EXTERNAL_ID_MAX:
            _error(errors, filename, row_number, m.external_id, raw,
                   f"the id is {len(external_id):,} characters long; the limit is {EXTERNAL_ID_MAX}")

    # received_at
    raw_date = _mapped(get(m.received_at), maps.get("received_at")) if m.received_at else None
    received_at = None
    try:
        received_at = parse_datetime(raw_date, dayfirst=m.dayfirst, tz=plan.zone)
        if received_at is None:
            _error(errors, filename, row_number, m.received_at, raw_date, "a date is required but the cell is empty")
    except (ValueError, OverflowError):
        _error(errors, filename, row_number, m.received_at, raw_date,
               f"'{short_value(cell_text(raw_date))}' is not a date and time I can read ({DATE_HINT})")

    # channel
    channel = _label(_mapped(get(m.channel), maps.get("channel")), lower=True) if m.channel else None
    if channel is None:
        channel = plan.default_channel
        if channel is None:
            _error(errors, filename, row_number, m.channel, None,
                   "a channel is required but the cell is empty (and the source has no default channel)")

    # text
    text = ""
    if plan.text_columns:
        if len(plan.text_columns) == 1:
            value = get(plan.text_columns[0])
            text = value.strip() if isinstance(value, str) else cell_text(value)
        else:
            parts = [cell_text(get(c)) for c in plan.text_columns]
            text = "\n\n".join(p for p in parts if p)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > TEXT_MAX:
            _error(errors, filename, row_number, plan.text_label, text,
                   f"the text is {len(text):,} characters long; the limit is {TEXT_MAX:,}")

    nps = csat = ces = None
    if m.nps:
        nps = _whole(errors, filename, row_number, m.nps, _mapped(get(m.nps), maps.get("nps")), *NPS_RANGE)
    if m.csat:
        csat = _whole(errors, filename, row_number, m.csat, _mapped(get(m.csat), maps.get("csat")), 1, m.csat_max)
    if m.ces:
        ces = _whole(errors, filename, row_number, m.ces, _mapped(get(m.ces), maps.get("ces")), *CES_RANGE)

    metrics: dict[str, float] = {}
    for name, column in plan.metrics:
        value = get(column)
        try:
            number = parse_number(value)
        except (ValueError, OverflowError):
            _error(errors, filename, row_number, column, value,
                   f"'{short_value(cell_text(value))}' is not a number (metric {name})")
            continue
        if number is not None:
            metrics[name] = number

    event_type = _label(_mapped(get(m.event_type), maps.get("event_type")), lower=True) if m.event_type else None
    if event_type is None and m.tags_column and plan.tag_events:
        tags = _tags(get(m.tags_column))
        for key, event in plan.tag_events:
            if any(t == key or key in _TAG_PART.split(t) for t in tags):
                event_type = event
                break

    customer_id = _label(_mapped(get(m.customer_id), maps.get("customer_id"))) if m.customer_id else None
    segment = _label(_mapped(get(m.segment), maps.get("segment"))) if m.segment else None
    step = _label(_mapped(get(m.step), maps.get("step"))) if m.step else None

    # An empty feedback item would still count in every volume and share: a row must say something.
    if not errors and not text and nps is None and csat is None and ces is None and event_type is None \
            and not metrics:
        _error(errors, filename, row_number, None, "", _nothing_to_record(plan))
    if errors:
        return errors
    assert received_at is not None and channel is not None  # noqa: S101 - guaranteed when no errors
    csat_max = m.csat_max if csat is not None else None
    raw_hash = content_hash(received_at=received_at, channel=channel, customer_id=customer_id, segment=segment,
                            text=text, nps=nps, csat=csat, csat_max=csat_max, ces=ces, event_type=event_type,
                            metrics=metrics, step=step)
    return CanonicalRow(
        external_id=external_id or raw_hash, received_at=received_at, channel=channel, row_number=row_number,
        text=text, customer_id=customer_id, segment=segment, nps=nps, csat=csat, csat_max=csat_max, ces=ces,
        event_type=event_type, metrics=metrics, step=step, raw_hash=raw_hash, id_generated=not m.external_id,
    )
