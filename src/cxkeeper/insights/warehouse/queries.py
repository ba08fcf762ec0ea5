"""Reads of the warehouse path: how fresh each external source is, and its sample of
verbatims (never a scan of the warehouse: the sync brought them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxkeeper.insights.warehouse.models import ExternalSample, ExternalSource, SyncStatus

SAMPLE_SHOWN = 20


@dataclass(frozen=True)
class Freshness:
    name: str
    status: str
    status_label: str
    last_synced_at: dt.datetime | None
    data_up_to: dt.date | None
    rows: int
    message: str

    @property
    def failed(self) -> bool:
        return self.status == SyncStatus.FAILED

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "status_label": self.status_label,
                "last_synced_at": self.last_synced_at, "data_up_to": self.data_up_to, "rows": self.rows,
                "message": self.message}


def freshness() -> list[Freshness]:
    """Every external source: when it was last synced and the newest day of its data.
    The engine URL and table names are not part of it (they are not for every reader)."""
    return [Freshness(s.name, s.status, SyncStatus(s.status).label, s.last_synced_at, s.data_up_to, s.rows,
                      s.message)
            for s in ExternalSource.objects.order_by("name")]


def source_by_name(name: str) -> ExternalSource | None:
    return ExternalSource.objects.filter(name=name).first()


def step_sample(step_id: int, *, start: dt.date | None = None, end: dt.date | None = None,
                limit: int = SAMPLE_SHOWN) -> list[ExternalSample]:
    """The newest sampled verbatims of a step from every external source (redacted at sync)."""
    rows = ExternalSample.objects.filter(step_id=step_id).select_related("source")
    if start:
        rows = rows.filter(day__gte=start)
    if end:
        rows = rows.filter(day__lte=end)
    return list(rows.order_by("-day", "external_id")[:limit])


def external_count(step_id: int) -> int:
    """Feedback rows of a step that live in a warehouse (in the rollups, not in the store)."""
    from django.db.models import Sum

    from cxkeeper.insights.warehouse.models import ExternalCell

    return int(ExternalCell.objects.filter(step_id=step_id).aggregate(n=Sum("n"))["n"] or 0)
