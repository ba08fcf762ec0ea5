"""Generic audited writes. Domain actions (named for business events) are built on these,
so every write is one transaction, validated, versioned and recorded in history."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction

from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.history import record_change, snapshot
from cxkeeper.core.models import ChangeAction, ChangeRecord
from cxkeeper.core.text_rules import text_problems


def _validate(obj: models.Model) -> None:
    """Django's field validation plus the text rules every written text obeys (length, no
    control or direction-override characters), all problems named by field at once."""
    problems = text_problems(obj)
    try:
        obj.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems.setdefault(field, []).extend(m for m in messages if m not in problems.get(field, []))
    if problems:
        raise InvalidInput(problems)


def create_object(model: type[models.Model], values: dict, *, acting_user) -> tuple[models.Model, ChangeRecord]:
    m2m = {k: values.pop(k) for k in list(values) if k in {f.name for f in model._meta.many_to_many}}
    with transaction.atomic():
        obj = model(**values)
        _validate(obj)
        obj.save()
        for name, items in m2m.items():
            getattr(obj, name).set(items)
        change = record_change(obj, ChangeAction.CREATE, None, snapshot(obj), acting_user)
    return obj, change


def update_object(
    obj: models.Model,
    changes: dict,
    *,
    expected_version: int | None,
    acting_user,
    after_save: Callable[[models.Model], None] | None = None,
) -> tuple[models.Model, ChangeRecord | None]:
    """Apply `changes` if nobody saved the object since `expected_version`.

    The row is re-read under a write lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions serialize writers), so the version check and the write are one
    atomic step: of two concurrent saves of the same version, exactly one wins.
    `expected_version=None` is only for trusted whole-workspace applies that hold their own lock.
    """
    model = type(obj)
    m2m_names = {f.name for f in model._meta.many_to_many}
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(current, expected_version)
        before = snapshot(current)
        for name, value in changes.items():
            if name not in m2m_names:
                setattr(current, name, value)
        _validate(current)
        for name, value in changes.items():
            if name in m2m_names:
                getattr(current, name).set(value)
        after = snapshot(current)
        if after == before:
            return current, None
        current.version += 1
        current.save()
        if after_save:
            after_save(current)
        change = record_change(current, ChangeAction.UPDATE, before, snapshot(current), acting_user)
    return current, change


def delete_object(obj: models.Model, *, expected_version: int | None, acting_user) -> ChangeRecord:
    model = type(obj)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(current, expected_version)
        before = snapshot(current)
        change = record_change(current, ChangeAction.DELETE, before, None, acting_user)
        current.delete()
    return change
