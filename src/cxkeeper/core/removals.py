"""Removals are announced, never cascaded behind history's back (docs/decisions/0008).

A lower app cannot know what a higher app keeps about its objects: outcomes' targets sit on
journey steps, insights' feedback is routed to them, initiatives' friction points are placed
on them, teams own KPIs. A database cascade (or SET NULL) would remove or change those rows
without a history record and, for feedback, without moving its rollup cells.

So the action that deletes an object *announces* it first, inside its own transaction, while
the row still exists::

    with transaction.atomic():
        current = lock_for_removal(step, expected_version=expected_version)
        announce_removal(current, acting_user=acting_user)
        delete_object(current, expected_version=expected_version, acting_user=acting_user)

and every app that refers to that kind of object has registered a handler that removes or
detaches its own rows through its own actions (each with a history record)::

    # cxkeeper/outcomes/removals.py, imported by OutcomesConfig.ready()
    @on_removal(Step)
    def remove_targets_at_step(step, *, acting_user):
        actions.remove_targets_at(step, acting_user=acting_user)

Handlers run highest layer first — the reverse of the apps' order in INSTALLED_APPS, which is
the layer order (initiatives, outcomes, insights, journeys, org …; see testing/layers.py) —
so an app always cleans up before the apps it builds on, and handlers of one app run in the
order they were registered. A handler acts with the deleting person's rights: if it raises,
the whole delete rolls back and nothing is half done. The foreign keys between apps are
`PROTECT`, so a delete that forgot to announce fails loudly instead of losing history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from cxkeeper.core.errors import Conflict


class RemovalHandler(Protocol):
    """Removes or detaches, through its app's own actions, what refers to `obj`."""

    def __call__(self, obj: Any, /, *, acting_user: Any) -> None: ...


H = TypeVar("H", bound=RemovalHandler)
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    app_label: str        # the app whose rows the handler looks after
    handler: RemovalHandler

    @property
    def name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_registry: dict[type[models.Model], list[Registration]] = {}


def _app_index(label: str) -> int:
    return [config.label for config in apps.get_app_configs()].index(label)


def on_removal(*removed: type[models.Model]) -> Callable[[H], H]:
    """Register the decorated function as a handler for the removal of each model in `removed`.

    The handler's app is the one whose module defines it; it must be the removed model's app
    or one above it (a lower app cannot know a higher one's models). Registering the same
    function again (a re-imported module) replaces the earlier registration.
    """
    if not removed:
        raise TypeError("on_removal needs at least one model")

    def register(handler: H) -> H:
        config = apps.get_containing_app_config(handler.__module__)
        if config is None:
            raise ImproperlyConfigured(f"{handler.__module__} is not in an installed app")
        for model in removed:
            if _app_index(config.label) < _app_index(model._meta.app_label):
                raise ImproperlyConfigured(
                    f"{config.label} is below {model._meta.app_label}: it cannot handle the removal of "
                    f"{model.__name__}")
            registration = Registration(model, config.label, handler)
            existing = _registry.setdefault(model._meta.concrete_model, [])
            existing[:] = [r for r in existing if r.name != registration.name]
            existing.append(registration)
        return handler

    return register


def handlers_for(model: type[models.Model]) -> list[Registration]:
    """The handlers that run when an object of `model` is removed, in the order they run."""
    registered = _registry.get(model._meta.concrete_model, [])
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    # sorted() is stable: one app's handlers keep their registration order.
    return sorted(registered, key=lambda r: -order[r.app_label])


# ---------------------------------------------------------------- saying so before it happens

Explainer = Callable[[Any], list[str]]
_explainers: dict[type[models.Model], list[tuple[str, Explainer]]] = {}


def explains_removal(*removed: type[models.Model]) -> Callable[[Explainer], Explainer]:
    """Register a function that says, in plain sentences, what its app will do to its own rows
    when an object of one of `removed` is deleted ("3 targets set there are deleted") — read
    by the delete confirmation before anyone says yes. Same layer rule as `on_removal`.

    A journey or stage delete announces each of its steps, so an explainer registered for
    `Journey` or `Stage` speaks for everything below it as well."""

    def register(explain: Explainer) -> Explainer:
        config = apps.get_containing_app_config(explain.__module__)
        if config is None:
            raise ImproperlyConfigured(f"{explain.__module__} is not in an installed app")
        name = f"{explain.__module__}.{explain.__qualname__}"
        for model in removed:
            if _app_index(config.label) < _app_index(model._meta.app_label):
                raise ImproperlyConfigured(
                    f"{config.label} is below {model._meta.app_label}: it cannot explain the removal of "
                    f"{model.__name__}")
            existing = _explainers.setdefault(model._meta.concrete_model, [])
            existing[:] = [(label, f) for label, f in existing if f"{f.__module__}.{f.__qualname__}" != name]
            existing.append((config.label, explain))
        return explain

    return register


def removal_consequences(obj: models.Model) -> list[str]:
    """What deleting `obj` would do in the apps that refer to it, one sentence each, the
    lowest app first (the order a reader builds up the picture in); nothing is changed."""
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    registered = sorted(_explainers.get(type(obj)._meta.concrete_model, []), key=lambda item: order[item[0]])
    return [sentence for _, explain in registered for sentence in explain(obj) if sentence]


def announce_removal(obj: models.Model, *, acting_user: Any) -> None:
    """Tell every app that refers to `obj` that it is about to be deleted, so each removes or
    detaches its own rows (with history). Call it inside the deleting transaction, before the
    row goes; a handler that raises rolls the whole delete back."""
    if obj.pk is None:
        raise ValueError(f"{obj!r} was never saved: there is nothing to announce")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("announce_removal must run inside the transaction that deletes the object")
    for registration in handlers_for(type(obj)):
        registration.handler(obj, acting_user=acting_user)


def lock_for_removal(obj: M, *, expected_version: int | None) -> M:
    """The object's current row under a write lock, refused with `Conflict` if someone saved
    it since `expected_version`: a stale delete is refused before any handler has run, and
    nobody edits the object while the consequences of its removal are carried out."""
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise Conflict(current, expected_version)
    return current
