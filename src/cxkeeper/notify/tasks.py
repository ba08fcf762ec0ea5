"""The background work of notices (`cxkeeper.jobs`): an e-mail at once, one person's digest,
and the weekly run that sends every team's digest. Each is safe to run twice: a notice e-mail
is one message (a retry after a refusal resends it), a digest is claimed once per team, week
and person (`DigestDelivery.key`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cxkeeper.jobs import enqueue_once, schedule, task
from cxkeeper.notify import actions, digest, mail, preferences, queries


@task("notify.send_notice", title="Send a notice by e-mail")
def send_notice(*, user_id: int, kind: str, message: str, url: str = "") -> None:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not mail.configured():
        return
    context = {"message": message, "url": mail.absolute(url) if url else "", "label": preferences.label_of(kind),
               "preferences_url": mail.absolute(reverse("notify:preferences")), "reader": user}
    mail.send(user.email, message, render_to_string("notify/email/notice.txt", context),
              render_to_string("notify/email/notice.html", context), headers={"Auto-Submitted": "auto-generated"})


@task("notify.send_digest", title="Send a weekly digest")
def send_digest(*, team_id: int | None, until: str, user_id: int) -> None:
    """One person's digest of one team for the week of `until` (ISO time): sent at most once."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    team = queries.teams().filter(pk=team_id).first() if team_id else None
    if user is None or not user.email or (team_id and team is None):
        return
    moment = dt.datetime.fromisoformat(until)
    if queries.sent(team_id, digest.week_of(moment), user.pk):
        return
    built = digest.team_digest(team, until=moment) if team is not None else digest.personal_digest(until=moment)
    reading = digest.for_reader(built, user)
    if reading.is_empty:
        return
    delivery = actions.claim_delivery(team, digest.week_of(moment), user)
    if delivery is None:
        return  # sent already this week, or another job is sending it
    subject, text, html, headers = digest.render(reading, user)
    try:
        mail.send(user.email, subject, text, html, headers=headers)
    except Exception as exc:
        actions.mark_failed(delivery, f"{type(exc).__name__}: {exc}")
        raise  # the queue retries it
    actions.mark_sent(delivery, reading.personal_ids)


@dataclass(frozen=True)
class Planned:
    team: str              # the team's name ("" for people in no team)
    recipients: list[str]  # usernames that get it this run
    already: list[str]     # usernames that got it this week already
    empty: bool


def plan(*, team=None, until: dt.datetime | None = None) -> list[Planned]:
    """Who would get which digest now — what `cxkeeper digest send --dry-run` prints."""
    until = until or timezone.now()
    week = digest.week_of(until)
    teams = [team] if team is not None else list(queries.teams())
    out = []
    for t in teams + ([None] if team is None else []):
        people = queries.digest_recipients(t)
        if t is None and not people:
            continue
        built = digest.team_digest(t, until=until) if t is not None else digest.personal_digest(until=until)
        sent = [u for u in people if queries.sent(getattr(t, "pk", None), week, u.pk)]
        due = [u for u in people if u not in sent and not digest.for_reader(built, u).is_empty]
        out.append(Planned(t.name if t is not None else "", [u.get_username() for u in due],
                           [u.get_username() for u in sent], built.is_empty))
    return out


def send_digests(*, team=None, until: dt.datetime | None = None) -> int:
    """Enqueue this week's digest of every team (or one) for each of its readers; returns how many
    were enqueued. Empty digests and digests sent already this week are left out."""
    until = until or timezone.now()
    if not mail.configured():
        return 0
    count = 0
    week = digest.week_of(until)
    teams = [team] if team is not None else list(queries.teams())
    for t in teams + ([None] if team is None else []):
        people = queries.digest_recipients(t)
        if not people:
            continue
        built = digest.team_digest(t, until=until) if t is not None else digest.personal_digest(until=until)
        for user in people:
            if queries.sent(getattr(t, "pk", None), week, user.pk) or digest.for_reader(built, user).is_empty:
                continue
            # one job per team, week and person while it waits: a second run queues nothing more
            key = f"notify.digest:{getattr(t, 'pk', None) or '-'}:{week.isoformat()}:{user.pk}"
            _job, queued = enqueue_once(key, "notify.send_digest", team_id=getattr(t, "pk", None),
                                        until=until.isoformat(), user_id=user.pk)
            count += queued
    return count


@task("notify.weekly_digests", title="Send the weekly digests of the teams")
def weekly_digests() -> None:
    send_digests()


schedule("notify.weekly_digests", every=dt.timedelta(days=7), weekday=settings.CXKEEPER_DIGEST_WEEKDAY,
         at=settings.CXKEEPER_DIGEST_AT)
