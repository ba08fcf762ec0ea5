"""Reads of history and notifications."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from cxkeeper.core.models import ChangeRecord, Notification

PAGE_SIZE = 50


def activity(*, actor_id=None, model: str | None = None, journey_id=None) -> QuerySet[ChangeRecord]:
    records = ChangeRecord.objects.select_related("actor", "content_type")
    if actor_id:
        records = records.filter(actor_id=actor_id)
    if model:
        records = records.filter(content_type__model=model)
    if journey_id:
        records = records.filter(journey_id=journey_id)
    return records


def object_history(app_label: str, model: str, object_id: int) -> tuple[ContentType, QuerySet[ChangeRecord]]:
    content_type = ContentType.objects.get_by_natural_key(app_label, model)
    return content_type, ChangeRecord.objects.filter(content_type=content_type, object_id=object_id).select_related(
        "actor"
    )


def recent_changes_of(obj, limit: int = 15) -> QuerySet[ChangeRecord]:
    """The latest changes of one object, newest first (the "Changes" list on detail pages)."""
    content_type = ContentType.objects.get_for_model(type(obj))
    return ChangeRecord.objects.filter(content_type=content_type, object_id=obj.pk) \
        .select_related("actor").order_by("-at", "-id")[:limit]


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)
