"""Change history: a JSON snapshot before and after every write, written by the actions, and
the same history read back in words (`field_changes`, `kind_of`) for pages and notices."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from cxkeeper.core import figures, numbers, words
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


# ------------------------------------------------------------------ reading history
# What a person sees of a change record: the kind of object in words, and for an update
# only the fields that changed, each under its form label with its values written as a
# person writes them — never a raw dict, an internal field name or an id.

HIDDEN_KEYS = {"version", "created_at", "updated_at", "slug"}
_SECRET = re.compile(r"(hash|digest|password|secret|salt)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
LONG = 160  # characters of a text value shown before "…"
LISTED = 4  # items of a list or a set of values shown before "and n more"


@dataclass(frozen=True)
class FieldChange:
    label: str   # the field's form label: "Description", "Owner team"
    before: str  # the old value in words ("" when `note` says it all)
    after: str
    note: str = ""  # for values made of many parts: what was added, removed or changed


def kind_of(record: ChangeRecord) -> str:
    """The kind of object in a sentence: "step", "team KPI", "KPI link"."""
    model = record.content_type.model_class()
    name = model._meta.verbose_name if model is not None else record.content_type.model
    return words.kind(str(name))


def _field(model, key):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _shorten(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= LONG else text[:LONG - 1].rstrip() + "…"


def _date_text(text: str) -> str:
    try:
        if _ISO_DATETIME.match(text):
            moment = datetime.datetime.fromisoformat(text)
            if moment.utcoffset() is None:
                return f"{moment:%-d %b %Y %H:%M}"
            return f"{moment.astimezone(datetime.UTC):%-d %b %Y %H:%M} UTC"
        return f"{datetime.date.fromisoformat(text):%-d %b %Y}"
    except ValueError:
        return text


def _listed(items: list[str]) -> str:
    shown = items[:LISTED]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def value_text(value, field=None) -> str:
    """One stored value as words: choices by their label, yes/no, dates, numbers through
    core.numbers, lists by their items, a set of values by how many there are."""
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if field is not None and getattr(field, "flatchoices", None):
        shown = dict(field.flatchoices).get(value)
        if shown is not None:
            return str(shown)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return numbers.fixed(value, 0)
    if isinstance(value, float):
        return numbers.compact(value, 4)
    if isinstance(value, str):
        if _ISO_DATE.match(value) or _ISO_DATETIME.match(value):
            return _date_text(value)
        return f"“{_shorten(value)}”"
    if isinstance(value, list):
        if all(isinstance(item, str | int | float) for item in value):
            return _listed([value_text(item) for item in value])
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        keys = sorted(str(k) for k in value)
        span = ""
        if keys and all(_ISO_DATE.match(k) for k in keys):
            span = f", {_date_text(keys[0])} to {_date_text(keys[-1])}" if len(keys) > 1 else f", {_date_text(keys[0])}"
        return f"{len(value)} value{'s' if len(value) != 1 else ''}{span}"
    return _shorten(str(value))


def _dict_note(before: dict, after: dict) -> str:
    """What changed in a set of values (a KPI's monthly values, a mapping): added, removed,
    changed entries, the first few of each named."""
    def entry(key, value):
        name = _date_text(str(key)) if _ISO_DATE.match(str(key)) else words.label(str(key))
        return f"{name} ({value_text(value)})"

    added = [entry(k, after[k]) for k in sorted(after, key=str) if k not in before]
    removed = [entry(k, before[k]) for k in sorted(before, key=str) if k not in after]
    changed = [f"{entry(k, before[k])[:-1]} → {value_text(after[k])})" for k in sorted(after, key=str)
               if k in before and before[k] != after[k]]
    parts = [f"{what} {_listed(items)}" for what, items in (("added", added), ("removed", removed),
                                                              ("changed", changed)) if items]
    return "; ".join(parts) or "reordered"


def _list_note(before: list, after: list) -> str | None:
    if not all(isinstance(item, str | int | float) for item in [*before, *after]):
        return None
    added = [value_text(item) for item in after if item not in before]
    removed = [value_text(item) for item in before if item not in after]
    parts = [f"{what} {_listed(items)}" for what, items in (("added", added), ("removed", removed)) if items]
    return "; ".join(parts) or "reordered"


def _related_text(field, ids) -> str:
    """Many-to-many ids → the names of the objects (those deleted since are counted)."""
    ids = list(ids or [])
    if not ids:
        return "none"
    names = {obj.pk: str(obj) for obj in field.related_model.objects.filter(pk__in=ids)}
    shown = [names[i] for i in ids if i in names]
    gone = len(ids) - len(shown)
    return _listed(shown + ([f"{gone} since deleted"] if gone else []))


def field_changes(record: ChangeRecord) -> list[FieldChange]:
    """The fields an update changed, in the model's field order, each in words. A model labels
    what its actions record beyond its fields in `history_labels` ({key: label})."""
    if record.action != "update":
        return []
    model = record.content_type.model_class()
    before, after = record.before or {}, record.after or {}
    order = [f.name for f in model._meta.get_fields()] if model is not None else []
    keys = sorted({**before, **after}, key=lambda k: (order.index(k) if k in order else len(order), k))
    shown = []
    for key in keys:
        if key in HIDDEN_KEYS or _SECRET.search(key) or (key.endswith("_label") and key[:-6] in {**before, **after}):
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        field = _field(model, key)
        named = getattr(model, "history_labels", {}).get(key) if model is not None else None
        label = named or words.label(field.verbose_name if field is not None and hasattr(field, "verbose_name")
                                     else key)
        if key not in before and key in after and not isinstance(field, models.Field):
            # A fact recorded with the change rather than a field (how KPI values were entered).
            shown.append(FieldChange(label, "", "", value_text(new).strip("“”")))
        elif isinstance(field, models.ForeignKey):
            shown.append(FieldChange(label, _fk_text(before, key), _fk_text(after, key)))
        elif isinstance(field, models.ManyToManyField):
            shown.append(FieldChange(label, _related_text(field, old), _related_text(field, new)))
        elif isinstance(old, dict) and isinstance(new, dict) and old and new:
            shown.append(FieldChange(label, "", "", _dict_note(old, new)))
        elif isinstance(old, list) and isinstance(new, list) and old and new and _list_note(old, new):
            shown.append(FieldChange(label, "", "", _list_note(old, new)))
        else:
            shown.append(FieldChange(label, value_text(old, field), value_text(new, field)))
    return shown


def _fk_text(data: dict, key: str) -> str:
    if data.get(key) is None:
        return "none"
    return data.get(f"{key}_label") or "an object since deleted"


def changed_labels(record: ChangeRecord | None) -> list[str]:
    """The labels of the fields an update changed, for notices: ["Description"]."""
    return [change.label for change in field_changes(record)] if record is not None else []
