"""The agenda engine: what a council should talk about, drawn from the data since its last
meeting. One small function per kind of item; each takes the council, the period since the
last meeting (`since`, a day) and the day it is drawn up as of, and returns items with a title,
an evidence link, the teams concerned and a suggested time box. `KINDS` registers them, in the
order they are proposed.

No new statistics here: target status comes from `outcomes.queries.assess`, tensions from
`outcomes.queries.tension_findings`, friction signals and regressions from the friction run of
`insights.friction` — each as of the two days compared (through the figure store), so an item
appears when its condition *started to hold* between the last meeting and now.

Figures are measured up to the data-through day (`insights.clock`), never past it: a meeting
a week after the last feedback looks at the data as it is, not at empty days.

Co-creation (issue 11) adds three kinds: escalations waiting for the executive sponsor (the
council's own and friction points'), friction points whose options have no consensus yet, and
planned changes going live before the next meeting. Wins to celebrate come with the wins work.
See docs/governance.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from cxkeeper.core import figures
from cxkeeper.governance.models import Council, Meeting
from cxkeeper.journeys.choices import ResponsibilityRole
from cxkeeper.journeys.models import Responsibility
from cxkeeper.org.models import Team


@dataclass
class ProposedItem:
    kind: str
    key: str          # what it is about: the same thing is not proposed twice to one meeting
    title: str
    evidence_url: str
    teams: list[Team] = field(default_factory=list)
    time_box: int = 10  # minutes
    detail: str = ""
    statistics: str = ""  # the figures behind `detail` when it is a plain sentence (a target's explanation)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "title": self.title, "detail": self.detail,
                "statistics": self.statistics,
                "evidence_url": self.evidence_url, "teams": [t.name for t in self.teams],
                "time_box_minutes": self.time_box}


KIND_LABELS = {
    "target_status": "Target turned off track or at risk",
    "friction_signal": "New friction signal",
    "friction_point": "New friction point",
    "tension": "Tension found in the data",
    "overdue_action": "Overdue action item",
    "decision_review": "Decision due for review",
    "regression": "Regression",
    "escalation": "Waiting for the executive sponsor",
    "no_consensus": "Options without consensus",
    "planned_change": "Planned change going live before the next meeting",
    "manual": "Added by the facilitator",
}

# ---------------------------------------------------------------- helpers


def data_day(day: dt.date) -> dt.date:
    """`day`, or the data-through day when the data stops earlier."""
    from cxkeeper.insights import clock

    through = clock.data_through()
    return min(day, through) if through is not None else day


def journey_ids(council: Council) -> set[int] | None:
    """The journeys in the council's scope; None: every journey."""
    return None if council.all_journeys else set(council.journeys.values_list("pk", flat=True))


def _in_scope(council: Council, journey_id: int | None) -> bool:
    ids = journey_ids(council)
    return ids is None or journey_id in ids


def step_teams(step_ids, roles=(ResponsibilityRole.OWNS, ResponsibilityRole.CONTRIBUTES)) -> list[Team]:
    team_ids = Responsibility.objects.filter(step_id__in=list(step_ids), role__in=roles).values_list("team_id",
                                                                                                  flat=True)
    return list(Team.objects.filter(pk__in=set(team_ids)).order_by("name"))


def _friction_run(as_of: dt.date):
    from cxkeeper.insights.friction import run_friction

    return figures.figure("governance.friction_run", (as_of,),
                          lambda: run_friction(None, as_of=as_of, themes=[]))


def _signals(council: Council, day: dt.date, kinds) -> dict[tuple, object]:
    run = _friction_run(day)
    return {(s.kind, s.metric, s.step.pk): s for s in run.signals
            if s.kind in kinds and s.step is not None and _in_scope(council, s.step.stage.journey_id)}


def _new_signals(council: Council, since: dt.date, as_of: dt.date, kinds) -> list:
    now_day, then_day = data_day(as_of), data_day(since)
    if now_day <= then_day:
        return []
    now = _signals(council, now_day, kinds)
    before = _signals(council, then_day, kinds)
    return [signal for key, signal in now.items() if key not in before]


# ---------------------------------------------------------------- the kinds

STATUS_RANK = {"no_data": 0, "on_track": 0, "at_risk": 1, "off_track": 2}


def targets_turned(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A target in scope whose status got worse between the two days and is now at risk or
    off track."""
    from cxkeeper.outcomes import queries as outcome_queries

    now_day, then_day = data_day(as_of), data_day(since)
    if now_day <= then_day:
        return []
    items = []
    memo: dict = {}
    for target in outcome_queries.targets_in_scope().order_by("pk"):
        journey = target.journey_id or (target.stage.journey_id if target.stage_id else None) or (
            target.step.stage.journey_id if target.step_id else None)
        if journey is not None and not _in_scope(council, journey):
            continue
        now = outcome_queries.assess(target, as_of=now_day, memo=memo)
        then = outcome_queries.assess(target, as_of=then_day, memo=memo)
        if now.status in ("at_risk", "off_track") and STATUS_RANK[now.status] > STATUS_RANK[then.status]:
            steps = outcome_queries.target_steps(target)
            items.append(ProposedItem(
                "target_status", f"target:{target.pk}:{now.status}",
                f"{outcome_queries.target_label(target)} is now {now.status_label.lower()} "
                f"(was {then.status_label.lower()})",
                target.get_absolute_url(), step_teams(steps, (ResponsibilityRole.OWNS,)) if steps else [], 10,
                now.assessment.plain, now.assessment.explanation))
    return items


def new_friction_signals(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A credible friction signal (a step worse than the rest of its journey, a volume spike)
    that was not there as of the last meeting."""
    items = []
    for s in _new_signals(council, since, as_of, ("worse_than_journey", "volume_spike")):
        items.append(ProposedItem(
            "friction_signal", f"signal:{s.kind}:{s.metric}:{s.step.pk}",
            f"{s.metric_label} at “{s.step.name}”: {s.kind_label}", reverse("insights:step", args=[s.step.pk]),
            step_teams([s.step.pk]), 10, s.explanation))
    return items


def regressions(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A measure at a step that got significantly worse than the step's own trailing period
    (the friction run's `worse_than_before` test), new since the last meeting."""
    items = []
    for s in _new_signals(council, since, as_of, ("worse_than_before",)):
        items.append(ProposedItem(
            "regression", f"regression:{s.metric}:{s.step.pk}",
            f"{s.metric_label} at “{s.step.name}” got worse than before", reverse("insights:step", args=[s.step.pk]),
            step_teams([s.step.pk]), 10, s.explanation))
    return items


def new_friction_points(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """An open friction point raised after the last meeting's day, up to `as_of`."""
    from cxkeeper.initiatives import queries as initiative_queries

    items = []
    rows = initiative_queries.friction_points(status="open").filter(
        created_at__date__gt=since, created_at__date__lte=as_of).order_by("created_at", "pk")
    for fp in rows:
        if fp.journey_id is not None and not _in_scope(council, fp.journey_id):
            continue
        teams = step_teams([fp.step_id]) if fp.step_id else []
        where = f" at “{fp.step.name}”" if fp.step_id else ""
        items.append(ProposedItem("friction_point", f"friction_point:{fp.pk}", f"New friction point{where}: {fp.title}",
                                  fp.get_absolute_url(), teams, 10, fp.description))
    return items


def tensions(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A team KPI found improving while a shared measure at the team's steps worsens, found now
    and not as of the last meeting; for the council's member teams (every team when it has none)."""
    from cxkeeper.outcomes import queries as outcome_queries

    now_day, then_day = data_day(as_of), data_day(since)
    if now_day <= then_day:
        return []
    members = set(council.members.values_list("team_id", flat=True))
    before = {(f.kpi.pk, f.metric.pk) for f in outcome_queries.tension_findings(as_of=then_day) if f.found}
    items = []
    for f in outcome_queries.tension_findings(as_of=now_day):
        if not f.found or (f.kpi.pk, f.metric.pk) in before or (members and f.kpi.team_id not in members):
            continue
        items.append(ProposedItem(
            "tension", f"tension:{f.kpi.pk}:{f.metric.pk}",
            f"{f.kpi.name} ({f.kpi.team.name}) improves while {f.metric.name} at its steps worsens",
            f.kpi.get_absolute_url(), [f.kpi.team], 15, f.test.explanation))
    return items


def overdue_actions(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """An open action item of the council whose due date is before `as_of`."""
    from cxkeeper.governance import queries

    items = []
    for item in queries.action_items(council=council, overdue=True, as_of=as_of):
        days = (as_of - item.due).days
        items.append(ProposedItem(
            "overdue_action", f"overdue:{item.pk}",
            f"Overdue by {days} day{'s' if days != 1 else ''}: {item.title} ({item.owner_team.name})",
            item.get_absolute_url(), [item.owner_team], 5,
            f"Due {item.due:%d %b %Y}; {item.get_status_display()}."))
    return items


def decisions_for_review(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A decision whose review date has come (on or before `as_of`): it returns to the agenda
    until the council sets a new review date or none."""
    from cxkeeper.governance import queries

    items = []
    for decision in queries.decisions_due_for_review(council, as_of):
        teams = list(Team.objects.filter(action_items__decision=decision).distinct().order_by("name"))
        items.append(ProposedItem(
            "decision_review", f"review:{decision.pk}:{decision.review_on.isoformat()}",
            f"Review the decision: {decision.statement}", decision.get_absolute_url(), teams, 10,
            f"Decided {decision.decided_on:%d %b %Y}" + (f" — {decision.rationale}" if decision.rationale else "")
            if decision.decided_on else decision.rationale))
    return items


def _fp_in_scope(council: Council, fp) -> bool:
    return fp.journey_id is None or _in_scope(council, fp.journey_id)


def _teams_of_points(points) -> dict[int, list[Team]]:
    from cxkeeper.initiatives import queries as initiative_queries

    return initiative_queries.affected_teams_of_points([fp.pk for fp in points])


def escalations(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """Every question waiting for the executive sponsor, on every agenda until decided: the
    council's own escalated decisions and friction points escalated because the teams disagree."""
    from cxkeeper.governance import queries
    from cxkeeper.initiatives import queries as initiative_queries

    items = []
    for decision in queries.escalations_waiting(council):
        items.append(ProposedItem(
            "escalation", f"escalation:council:{decision.pk}", f"Waiting for the sponsor: {decision.statement}",
            decision.get_absolute_url(), [], 10, decision.rationale))
    waiting = [d for d in initiative_queries.escalations() if _fp_in_scope(council, d.friction_point)]
    teams = _teams_of_points(d.friction_point for d in waiting)
    for decision in waiting:
        fp = decision.friction_point
        when = f"Escalated {decision.escalated_at:%d %b %Y}" if decision.escalated_at else "Escalated"
        items.append(ProposedItem(
            "escalation", f"escalation:friction_point:{fp.pk}", f"Waiting for the sponsor: {fp.title}",
            fp.get_absolute_url(), teams[fp.pk], 15,
            f"{when}: {decision.escalation_note}" if decision.escalation_note else when + "."))
    return items


def options_without_consensus(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """An open friction point with options, not decided nor escalated, where some affected team
    objects to or has concerns about every option (no option every team supports)."""
    from cxkeeper.initiatives import queries as initiative_queries
    from cxkeeper.initiatives.models import Decision as FrictionDecision

    found = []
    waiting = set(FrictionDecision.objects.values_list("friction_point_id", flat=True))
    for fp in initiative_queries.friction_points(status="open").filter(options__isnull=False).distinct():
        if fp.pk in waiting or not _fp_in_scope(council, fp):
            continue
        views = initiative_queries.option_views(fp)
        if not views or any(v.supported_by_all for v in views):
            continue
        disagreeing = {t.name for v in views for t, s in v.stances if s is not None and s.stance != "support"}
        if not disagreeing:
            continue  # not everyone has answered yet: nothing to settle
        found.append((fp, len(views), disagreeing))
    teams = _teams_of_points(fp for fp, _, _ in found)
    return [ProposedItem(
        "no_consensus", f"no_consensus:{fp.pk}", f"No option has every team's support: {fp.title}",
        fp.get_absolute_url(), teams[fp.pk], 15,
        f"{count} option{'s' if count != 1 else ''}; concerns or objections from "
        + ", ".join(sorted(disagreeing)) + ".") for fp, count, disagreeing in found]


def planned_changes_going_live(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A planned change (not withdrawn, not yet live) whose go-live falls between `as_of` and one
    cadence later — before the next meeting — on a journey in the council's scope."""
    from cxkeeper.initiatives import queries as initiative_queries
    from cxkeeper.initiatives.choices import PlannedStatus

    until = as_of + dt.timedelta(days=council.cadence_days)
    items = []
    rows = initiative_queries.planned_changes(status=PlannedStatus.PLANNED).filter(
        go_live__gte=as_of, go_live__lte=until).order_by("go_live", "pk")
    for change in rows:
        steps = list(change.steps.all())
        if steps and not any(_in_scope(council, s.stage.journey_id) for s in steps):
            continue
        asked = initiative_queries.asked_teams(change)
        pending = [a.team.name for a in asked if not a.heard]
        detail = (f"Goes live {change.go_live:%d %b %Y}; "
                  + (f"not yet heard: {', '.join(pending)}." if pending else "every affected team has answered."))
        items.append(ProposedItem(
            "planned_change", f"planned_change:{change.pk}", f"Going live before the next meeting: {change.title}",
            change.get_absolute_url(), [a.team for a in asked], 10, detail))
    return items


Kind = Callable[[Council, dt.date, dt.date], list[ProposedItem]]

# The registered kinds, in the order they are proposed.
KINDS: list[tuple[str, Kind]] = [
    ("escalation", escalations),
    ("no_consensus", options_without_consensus),
    ("planned_change", planned_changes_going_live),
    ("overdue_action", overdue_actions),
    ("decision_review", decisions_for_review),
    ("target_status", targets_turned),
    ("regression", regressions),
    ("friction_signal", new_friction_signals),
    ("friction_point", new_friction_points),
    ("tension", tensions),
]


def propose(council: Council, *, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """Every registered kind's items, in `KINDS` order."""
    items: list[ProposedItem] = []
    for _, kind in KINDS:
        items.extend(kind(council, since, as_of))
    return items


def propose_for_meeting(meeting: Meeting, *, as_of: dt.date | None = None) -> list[ProposedItem]:
    """The proposal for a meeting: from the previous meeting's day to the meeting's day (today while
    the meeting is still ahead), or to `as_of`."""
    from cxkeeper.governance import queries

    since, end = queries.period_of(meeting)
    return propose(meeting.council, since=since, as_of=as_of or min(end, queries.today()))


__all__ = ["KINDS", "KIND_LABELS", "ProposedItem", "propose", "propose_for_meeting"]


# ---------------------------------------------------------------- wins (issue 13)
# Appended here (not at the top of the file) so the kinds above stay as they were; governance is
# above wins and reads its measurements (docs/decisions/0030).


def _measured_teams(row) -> list[Team]:
    from cxkeeper.wins import queries as win_queries

    return [c.team for c in win_queries.credit(row.subject)]


def wins_to_celebrate(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A win first measured after the last meeting's day, up to `as_of`: celebrate it and its teams."""
    from cxkeeper.wins import queries as win_queries

    return [ProposedItem("win", f"win:{row.pk}", f"Win: {row.subject.title} — {row.label} {row.effect_text}".strip(),
                         row.get_absolute_url(), _measured_teams(row), 5, row.sentence)
            for row in win_queries.wins_between(since, as_of)]


def initiative_regressions(council: Council, since: dt.date, as_of: dt.date) -> list[ProposedItem]:
    """A shipped initiative or live planned change measured credibly worse, first found after
    the last meeting's day: its teams have been notified; the council decides what to do."""
    from cxkeeper.wins import queries as win_queries

    return [ProposedItem("initiative_regression", f"initiative_regression:{row.pk}",
                         f"Made things worse: {row.subject.title} — {row.label}", row.get_absolute_url(),
                         _measured_teams(row), 15, row.sentence)
            for row in win_queries.regressions_between(since, as_of)]


KINDS.extend([("win", wins_to_celebrate), ("initiative_regression", initiative_regressions)])
KIND_LABELS.update({"win": "Win to celebrate", "initiative_regression": "A change that made things worse"})
