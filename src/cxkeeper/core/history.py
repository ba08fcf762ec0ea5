"""Change history: a JSON snapshot before and after every write, written by the actions."""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from cxkeeper.core import figures
from cxkeeper.core.models import ChangeRecord


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model) -> dict:
    """Every concrete field by name; foreign keys as their id plus a readable label."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if isinstance(field, models.ForeignKey):
            fk_id = getattr(obj, field.attname)
            data[field.name] = fk_id
            if fk_id is not None:
                data[f"{field.name}_label"] = str(getattr(obj, field.name))
        else:
            data[field.name] = _plain(getattr(obj, field.attname))
    for field in obj._meta.many_to_many:
        if obj.pk:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def _place(obj) -> tuple[int | None, int | None]:
    """(journey_id, step_id) of a journey-map object, found by duck typing to keep core generic."""
    locate = getattr(obj, "history_place", None)
    return locate() if callable(locate) else (None, None)


def record_change(obj, action: str, before: dict | None, after: dict | None, actor) -> ChangeRecord:
    # Every audited write passes here: the figures computed from audited objects are recomputed.
    figures.data_changed(figures.RECORDS)
    journey_id, step_id = _place(obj)
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.get_username() if getattr(actor, "pk", None) else "system"),
        # Set on the user object by whatever authenticated the request (org.api_auth for tokens).
        via=str(getattr(actor, "cxkeeper_via", "") or "")[:200],
        before=before,
        after=after,
        journey_id=journey_id,
        step_id=step_id,
    )
