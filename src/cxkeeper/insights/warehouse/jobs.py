"""The scheduled sync: every external source kept current through the jobs interface
(`cxkeeper.jobs`). Until the queue behind it lands the schedule is only recorded; cron can
run `cxkeeper sources sync --all` meanwhile (docs/warehouse.md)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from cxkeeper.core.actors import SYSTEM
from cxkeeper.jobs import schedule, task

SYNC_ALL = "warehouse.sync_sources"
SYNC_ONE = "warehouse.sync_source"


@task(SYNC_ALL, max_attempts=3)
def sync_sources() -> None:
    """Safe to repeat: a sync that stopped left the previous state and its watermark."""
    from cxkeeper.insights.warehouse.sync import sync_all

    sync_all(acting_user=SYSTEM)


@task(SYNC_ONE, max_attempts=3)
def sync_source(name: str) -> None:
    from cxkeeper.insights.warehouse.models import ExternalSource
    from cxkeeper.insights.warehouse.sync import sync_source as sync

    source = ExternalSource.objects.filter(name=name).first()
    if source is not None:  # removed since it was queued: nothing to do
        sync(source, acting_user=SYSTEM)


def sync_interval() -> timedelta:
    """CXKEEPER_WAREHOUSE_SYNC_MINUTES (default 60)."""
    return timedelta(minutes=max(1, int(getattr(settings, "CXKEEPER_WAREHOUSE_SYNC_MINUTES", 60) or 60)))


SCHEDULE = schedule(SYNC_ALL, every=sync_interval())
