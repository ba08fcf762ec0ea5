"""The one listener of `core.events` this app subscribes (apps.py): quick, never raising —
what takes time (an SMTP conversation) is enqueued as a job."""

from __future__ import annotations

from cxkeeper.core.events import Event


def hear(event: Event) -> None:
    from cxkeeper.notify import actions

    actions.deliver_event(event)
