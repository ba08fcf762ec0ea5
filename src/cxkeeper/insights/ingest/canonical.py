"""The canonical feedback row every source is turned into."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

EXTERNAL_ID_MAX = 200
TEXT_MAX = 20_000
NPS_RANGE = (0, 10)
CES_RANGE = (1, 7)
DEFAULT_CSAT_MAX = 5


@dataclass(slots=True)
class CanonicalRow:
    """One validated feedback item.

    ``received_at`` is always tz-aware UTC. ``text`` is stripped ('' allowed). ``csat_max`` is set
    whenever ``csat`` is. ``row_number`` is the row a user sees in the file (header lines counted).

    ``raw_hash`` is the SHA-256 (hex) of the normalized canonical *content* — every field except
    ``external_id`` and ``row_number`` — so it is stable across re-imports of the same data and
    changes when the content of an item changes. When the mapping has no id column at all, the
    row's ``external_id`` is its ``raw_hash`` and ``id_generated`` is True: re-importing the same
    file is then still idempotent (two identical items in one id-less file share one id, and
    the storage layer counts the second as a duplicate).
    """

    external_id: str
    received_at: datetime
    channel: str
    row_number: int
    text: str = ""
    customer_id: str | None = None
    segment: str | None = None
    nps: int | None = None
    csat: int | None = None
    csat_max: int | None = None
    ces: int | None = None
    event_type: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    step: str | None = None
    raw_hash: str = ""
    id_generated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id, "received_at": self.received_at.isoformat(),
            "channel": self.channel, "customer_id": self.customer_id, "segment": self.segment,
            "text": self.text, "nps": self.nps, "csat": self.csat, "csat_max": self.csat_max,
            "ces": self.ces, "event_type": self.event_type, "metrics": dict(self.metrics),
            "step": self.step, "row_number": self.row_number, "raw_hash": self.raw_hash,
            "id_generated": self.id_generated,
        }


def content_hash(*, received_at: datetime, channel: str, customer_id: str | None, segment: str | None,
                 text: str, nps: int | None, csat: int | None, csat_max: int | None, ces: int | None,
                 event_type: str | None, metrics: dict[str, float], step: str | None) -> str:
    """SHA-256 hex of the normalized content (see ``CanonicalRow``). Stable across Python versions.

    The fields are joined with the unit separator; None is written as NUL, so None and '' differ.
    """
    parts = [received_at.isoformat(), channel, customer_id, segment, text, nps, csat, csat_max, ces, event_type,
             step]
    if metrics:
        parts.extend(f"{k}={float(v)!r}" for k, v in sorted(metrics.items()))
    data = "\x1f".join("\x00" if p is None else str(p) for p in parts)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()
