"""Writes of the wins app: kudos notes and mention watches. Measurements are written by
`wins.measure` (computed, not edited)."""

from __future__ import annotations

from django.db import transaction

from cxkeeper.core.actions import create_object
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.history import record_change, snapshot
from cxkeeper.core.text_rules import text_problems
from cxkeeper.wins import permissions
from cxkeeper.wins.choices import Verdict
from cxkeeper.wins.models import KUDOS_MAX, Kudos, Measurement, MentionWatch


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def add_kudos(measurement: Measurement, text: str, *, acting_user) -> Kudos:
    """A note of thanks on a win (anyone signed in); the text is kept as typed (escaped when
    shown), one line, at most KUDOS_MAX characters."""
    permissions.require_add_kudos(acting_user)
    text = _clean(text)
    if not text:
        raise InvalidInput({"text": "Write a note of thanks."})
    if len(text) > KUDOS_MAX:
        raise InvalidInput({"text": f"Keep the note to {KUDOS_MAX} characters (it has {len(text)})."})
    if measurement.verdict != Verdict.WIN:
        raise InvalidInput({"measurement": "Kudos go to wins; this result is not a win."})
    kudos = Kudos(measurement=measurement, text=text, author=acting_user if getattr(acting_user, "pk", None) else None)
    problems = text_problems(kudos)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        kudos.save()
        record_change(kudos, "create", None, snapshot(kudos), acting_user)
    return kudos


def watch_mentions(initiative, values: dict, *, acting_user) -> MentionWatch:
    """Count the items mentioning `topic` (in `channel`, at `steps`, default the initiative's)
    as a metric the initiative aims to reduce."""
    permissions.require_watch(acting_user, initiative)
    topic = _clean(values.get("topic", ""))
    if not topic or len(topic) > 60:
        raise InvalidInput({"topic": "Give the words to count (1 to 60 characters), e.g. “login”."})
    watch, _ = create_object(MentionWatch, {"initiative": initiative, "topic": topic,
                                            "channel": (values.get("channel") or "").strip(),
                                            "steps": list(values.get("steps") or [])}, acting_user=acting_user)
    return watch
