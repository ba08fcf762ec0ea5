"""The weekly digest of one team: what changed at our steps, our measures against targets, new
friction, perspectives we owe, decisions, our action items due and wins we share in — each
read through the app that owns it (the figures are the very ones the team's pages show: the
target views of the team scorecard, with their n, and the wins as the wins app measured them).

A digest is for one team and one week (Monday to Sunday, the week of its last day); the lines a
person chose to read in their digest (preferences) are added to the first one they receive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cxkeeper.core import figures, history
from cxkeeper.governance import queries as governance_queries
from cxkeeper.governance.choices import CLOSED_STATUSES, DecisionStatus
from cxkeeper.initiatives import queries as initiative_queries
from cxkeeper.initiatives.choices import DecisionState
from cxkeeper.initiatives.models import AffectedTeam
from cxkeeper.initiatives.models import Decision as FrictionDecision
from cxkeeper.insights import clock
from cxkeeper.journeys import queries as journey_queries
from cxkeeper.notify import mail, queries
from cxkeeper.org.models import Team
from cxkeeper.outcomes import queries as outcome_queries
from cxkeeper.outcomes.choices import Status
from cxkeeper.wins import queries as win_queries

SHOWN = 10          # lines per section before "and n more"
DUE_AHEAD_DAYS = 7  # action items due within the coming week are listed (overdue ones too)
TROUBLE_FIRST = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2}


@dataclass(frozen=True)
class Line:
    text: str
    url: str = ""
    detail: str = ""
    statistics: str = ""  # the figures behind `detail` (a target's explanation), read behind "Details"

    @property
    def link(self) -> str:
        return mail.absolute(self.url) if self.url else ""


@dataclass
class Section:
    key: str
    title: str
    lines: list[Line] = field(default_factory=list)
    more: int = 0

    @classmethod
    def of(cls, key: str, title: str, lines: list[Line]) -> Section:
        return cls(key, title, lines[:SHOWN], max(0, len(lines) - SHOWN))


@dataclass
class Digest:
    team: Team | None
    since: dt.datetime
    until: dt.datetime
    sections: list[Section]
    personal: list[Line] = field(default_factory=list)   # the reader's own digest lines
    personal_ids: list[int] = field(default_factory=list)

    @property
    def week(self) -> dt.date:
        return week_of(self.until)

    @property
    def is_empty(self) -> bool:
        return not self.personal and not any(s.lines for s in self.sections)

    @property
    def title(self) -> str:
        name = self.team.name if self.team is not None else "You"
        return f"{name}: the week to {self.until:%d %b %Y}"


def week_of(moment: dt.datetime) -> dt.date:
    day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return day - dt.timedelta(days=day.weekday())


def _actor(record) -> str:
    return record.actor_label if record.actor_label and record.actor_label != "system" else "cxkeeper"


def _changes_at_our_steps(team: Team, since, until) -> list[Line]:
    lines = []
    for journey, items in journey_queries.team_steps(team):
        for step, _responsibility in items:
            for record in journey_queries.step_history(step).filter(at__gt=since, at__lte=until)[:SHOWN + 1]:
                labels = history.changed_labels(record) if record.action == "update" else []
                lines.append((record.at, Line(
                    f"{step.name} ({journey.name}): {_actor(record)} {record.get_action_display()} the "
                    f"{history.kind_of(record)} “{record.object_repr}”",
                    step.get_absolute_url(), f"Changed: {', '.join(labels)}" if labels else "")))
    return [line for _at, line in sorted(lines, key=lambda pair: pair[0], reverse=True)]


def _targets(team: Team) -> list[Line]:
    """The target views of the team's scorecard — the figure its page shows (`core.figures`)."""
    as_of = clock.data_through() or outcome_queries.default_as_of()
    card = outcome_queries.scorecard(team, as_of=as_of, period_days=90)
    views = sorted(card.targets, key=lambda v: (TROUBLE_FIRST.get(v.status, 3), outcome_queries.target_label(v.target)))
    return [Line(f"{outcome_queries.target_label(v.target)}: {v.status_label.lower()}", v.target.get_absolute_url(),
                 v.assessment.plain, v.assessment.explanation) for v in views]


def _new_friction(team: Team, since, until) -> list[Line]:
    step_ids = outcome_queries.team_step_ids(team, roles=("owns", "contributes"))
    rows = (initiative_queries.friction_points().filter(created_at__gt=since, created_at__lte=until)
            .filter(Q(step_id__in=step_ids) | Q(steps__in=step_ids) | Q(owner_team=team)).distinct()
            .order_by("-created_at", "-id"))
    return [Line(f"{fp.title}", fp.get_absolute_url(), f"{fp.get_status_display()}, raised {fp.created_at:%d %b}")
            for fp in rows]


def _perspectives_owed(team: Team) -> list[Line]:
    lines = []
    for row in initiative_queries.perspectives_owed([team], limit=SHOWN + 1):
        subject = row.subject
        asked = f"asked {row.asked_at:%d %b %Y}" if row.asked_at else "not asked yet"
        lines.append(Line(subject.title, subject.get_absolute_url(), f"{row.why or row.reason} ({asked})".strip()))
    return lines


def _decisions(team: Team, since, until) -> list[Line]:
    lines = []
    council_rows = (governance_queries.decisions(status=DecisionStatus.DECIDED)
                    .filter(council__members__team=team, decided_on__gt=since.date(), decided_on__lte=until.date())
                    .distinct().order_by("-decided_on", "-id"))
    for d in council_rows:
        lines.append(Line(f"“{d.council.name}” decided: {d.statement}", d.get_absolute_url(),
                          f"Review on {d.review_on:%d %b %Y}" if d.review_on else ""))
    friction_rows = (FrictionDecision.objects.filter(state=DecisionState.DECIDED, decided_at__gt=since,
                                                     decided_at__lte=until,
                                                     friction_point_id__in=AffectedTeam.objects.filter(
                                                         team=team, removed=False, friction_point__isnull=False)
                                                     .values("friction_point_id"))
                     .select_related("friction_point", "option").distinct().order_by("-decided_at", "-id"))
    for d in friction_rows:
        chosen = f": “{d.option.title}”" if d.option_id else ""
        lines.append(Line(f"Decided for “{d.friction_point.title}”{chosen}", d.friction_point.get_absolute_url(),
                          d.get_how_display() if d.how else ""))
    return lines


def _action_items_due(team: Team, until) -> list[Line]:
    horizon = until.date() + dt.timedelta(days=DUE_AHEAD_DAYS)
    rows = (governance_queries.action_items(team=team).exclude(status__in=CLOSED_STATUSES)
            .filter(due__isnull=False, due__lte=horizon))
    today = until.date()
    return [Line(item.title, item.get_absolute_url(),
                 (f"overdue since {item.due:%d %b %Y}" if item.due < today else f"due {item.due:%d %b %Y}")
                 + (f", {item.owner.get_full_name() or item.owner.get_username()}" if item.owner_id else ""))
            for item in rows]


def _wins(team: Team, since, until) -> list[Line]:
    rows = [m for m in win_queries.wins(team=team) if m.verdict_since and since < m.verdict_since <= until]
    return [Line(m.subject.title if m.subject is not None else "A win", m.get_absolute_url(), m.sentence)
            for m in rows]


def team_digest(team: Team, *, until: dt.datetime | None = None) -> Digest:
    """What the team's members read this week (the seven days up to `until`, default now)."""
    until = until or timezone.now()
    since = until - dt.timedelta(days=7)
    sections = [
        Section.of("changes", "What changed at our steps", _changes_at_our_steps(team, since, until)),
        Section.of("targets", "Our measures against targets", _targets(team)),
        Section.of("friction", "New friction", _new_friction(team, since, until)),
        Section.of("perspectives", "Perspectives we owe", _perspectives_owed(team)),
        Section.of("decisions", "Decisions", _decisions(team, since, until)),
        Section.of("actions", "Our action items due", _action_items_due(team, until)),
        Section.of("wins", "Wins we share in", _wins(team, since, until)),
    ]
    return Digest(team, since, until, sections)


def team_digest_preview(team: Team) -> Digest:
    """The team's digest as it reads now, for the keepers' preview page: the week up to the end
    of the current hour, kept per change of the data (`core.figures`), so opening the preview
    does not build the digest again (45 ms of CPU at 1M feedback rows) until something changed
    or the hour turned."""
    now = timezone.now()
    until = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return figures.figure("notify.team_digest", (team.pk, team.version, until.isoformat()),
                          lambda: team_digest(team, until=until))


def personal_digest(*, until: dt.datetime | None = None) -> Digest:
    """For someone in no team: only the lines they chose to read in their digest."""
    until = until or timezone.now()
    return Digest(None, until - dt.timedelta(days=7), until, [])


def for_reader(digest: Digest, user) -> Digest:
    """The digest as this person reads it: with the lines waiting for their digest."""
    entries = list(queries.waiting_entries(user))
    return Digest(digest.team, digest.since, digest.until, digest.sections,
                  [Line(e.message, e.url) for e in entries], [e.pk for e in entries])


def render(digest: Digest, user) -> tuple[str, str, str, dict]:
    """(subject, plain text, HTML, headers) of the e-mail to `user`."""
    unsubscribe = mail.absolute(reverse("notify:unsubscribe", args=[mail.unsubscribe_token(user.pk)]))
    context = {"digest": digest, "reader": user, "unsubscribe_url": unsubscribe,
               "preferences_url": mail.absolute(reverse("notify:preferences")),
               "team_url": mail.absolute(reverse("org:team", args=[digest.team.slug])) if digest.team else ""}
    text = render_to_string("notify/email/digest.txt", context)
    html = render_to_string("notify/email/digest.html", context)
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    return f"Weekly digest — {digest.title}", text, html, headers
