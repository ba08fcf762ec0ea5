"""Something happened that people should hear of — told once, heard everywhere (issue 15).

An action calls `emit(Event(...))`. After the transaction commits, every subscribed listener
gets the event: the in-app notices (with each person's preferences), e-mail, team channels in
Slack or Teams and outgoing webhooks. Listeners live in higher layers and subscribe in their
app's `ready()`, so the apps that emit never import them (dependencies stay downward).

A listener must be quick and must not raise: slow delivery is enqueued as a background job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# kind → plain label shown in preferences and subscriptions ("A step your team owns changed").
EVENT_KINDS: dict[str, str] = {}


def event_kind(kind: str, label: str) -> str:
    """Declare an event kind once (at import of the module that emits it); returns the kind."""
    EVENT_KINDS[kind] = label
    return kind


@dataclass(frozen=True)
class Event:
    kind: str                              # a key of EVENT_KINDS, e.g. "step.changed"
    message: str                           # one plain sentence a person reads
    url: str = ""                          # the page it is about, site-relative ("/steps/4/")
    recipient_ids: tuple[int, ...] = ()    # users who should hear of it, before preferences
    team_ids: tuple[int, ...] = ()         # teams concerned (their channels hear of it)
    actor: str | None = None               # username of who did it, None for the system
    change_id: int | None = None           # the history record, when there is one
    data: dict = field(default_factory=dict)  # JSON-serialisable details for webhooks
    occurred_at: datetime = field(default_factory=timezone.now)


Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Hear of every event from now on (idempotent: a listener is kept once)."""
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def emit(event: Event) -> None:
    """Tell every listener once the current transaction commits (at once outside one)."""
    if event.kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {event.kind!r}: declare it with event_kind()")
    transaction.on_commit(lambda: deliver(event))


def emit_after_commit(kind: str, make: Callable[[], Event | None]) -> None:
    """Like `emit`, for an event whose recipients are read once the transaction commits (the
    members of a team as they are then): `make` runs after commit and returns the event, or
    None when there is nobody to tell. The kind is checked now, where the mistake is."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}: declare it with event_kind()")

    def later():
        try:
            event = make()
        except Exception:  # like a listener: a failed notice must not undo nor stop the action
            log.exception("building the %s event failed", kind)
            return
        if event is not None:
            deliver(event)

    transaction.on_commit(later)


def deliver(event: Event) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # one broken channel must not stop the others, nor the action
            log.exception("event listener %s failed on %s", getattr(listener, "__name__", listener), event.kind)
