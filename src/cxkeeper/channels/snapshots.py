"""What history keeps of a channel or webhook: every field, secrets masked (the history page
and the API show history to people who may not see the addresses)."""

from __future__ import annotations

from cxkeeper.channels.models import mask
from cxkeeper.core.history import snapshot

SECRET_FIELDS = ("url", "secret", "previous_secret")


def history_snapshot(obj) -> dict:
    data = snapshot(obj)
    for name in SECRET_FIELDS:
        if data.get(name):
            data[name] = mask(data[name])
    return data
