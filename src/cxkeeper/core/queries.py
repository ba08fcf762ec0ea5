"""Reads of history and notifications."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from cxkeeper.core import words
from cxkeeper.core.models import ChangeRecord, Notification, VersionedModel

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


def history_kinds() -> list[tuple[str, str, str]]:
    """(app label, model name, plain label) of every kind of object whose changes are recorded:
    each concrete `VersionedModel` in the app registry, so a new app's models appear in the
    activity filter and get a history page without a list to keep up to date."""
    kinds = [(m._meta.app_label, m._meta.model_name, words.kind(str(m._meta.verbose_name)))
             for m in apps.get_models() if issubclass(m, VersionedModel)]
    return sorted(kinds, key=lambda kind: kind[2])
