"""What every ingest module shares: the canonical field names, the file formats, and how a
column name and a time zone are checked.

The bottom of the package: it imports no other ingest module. The rest import in one
direction (``tests/insights/ingest/test_package.py`` checks it)::

    fields, errors → canonical → presets → readers → mapping → validate → previews
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Canonical fields a mapping can point at a source column.
FIELDS = ("external_id", "received_at", "channel", "customer_id", "segment", "text",
          "nps", "csat", "ces", "event_type", "step")

#: What each field means, for messages.
FIELD_LABELS = {
    "external_id": "the feedback's id", "received_at": "the date of the feedback", "channel": "the channel",
    "customer_id": "the customer", "segment": "the segment", "text": "the feedback text", "nps": "NPS (0-10)",
    "csat": "CSAT", "ces": "CES (1-7)", "event_type": "the event type", "step": "the journey step",
}

#: Fields that carry feedback content (a mapping needs at least one of them, or metrics).
CONTENT_FIELDS = ("text", "nps", "csat", "ces", "event_type", "step")

#: Base file formats the readers stream (presets such as ``qualtrics`` read one of these).
FORMATS = ("csv", "xlsx", "jsonl", "parquet")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_name(name: Any) -> str:
    """Column-name key for matching: lowercase, letters and digits only ('Created_at ' → 'createdat')."""
    return _NON_ALNUM.sub("", str(name).lower())


def valid_timezone(name: str) -> bool:
    """True for 'UTC' (any case) and every IANA zone name ('Europe/Paris')."""
    if name.upper() == "UTC":
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
