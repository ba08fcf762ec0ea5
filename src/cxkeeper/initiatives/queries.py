"""Reads of friction points, for the pages and the API alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cxkeeper.core import figures, numbers
from cxkeeper.initiatives.choices import FrictionStatus, TeamRole
from cxkeeper.initiatives.models import FrictionPoint, Initiative, InitiativeMetric, InitiativeTeam, RankingSnapshot
from cxkeeper.journeys.models import Journey, Stage, Step


def friction_points(*, journey=None, step=None, status: str | None = None) -> QuerySet[FrictionPoint]:
    """Newest first; each filter is optional (a journey, a step, a status value)."""
    rows = (FrictionPoint.objects.select_related("journey", "step", "step__stage", "raised_by", "owner_team")
            .prefetch_related("steps"))
    if journey is not None:
        rows = rows.filter(journey=journey)
    if step is not None:
        rows = rows.filter(step=step)
    if status:
        rows = rows.filter(status=status)
    return rows


def friction_point_by_id(pk: int) -> FrictionPoint:
    return get_object_or_404(FrictionPoint.objects.select_related("journey", "step", "step__stage", "raised_by",
                                                                  "owner_team"), pk=pk)


def theme_by_key(journey, key: str, *, since=None, as_of=None):
    """The theme `key` among the journey's themes, from the same cached discovery the friction
    and step pages use (`insights.queries.journey_themes`); None when it is no longer found."""
    from cxkeeper.insights import queries as insight_queries
    from cxkeeper.insights.themes import discover_themes

    themes = insight_queries.journey_themes(journey, since=since, discover=discover_themes, as_of=as_of)
    return next((t for t in themes if t.key == key), None)


def signal_by_ref(journey, *, window_days: int, kind: str, metric: str, step_id: int | None,
                  theme_key: str = ""):
    """The friction signal a page showed, found again in the same run the friction page makes
    (`insights.queries.friction_signals`, with themes) — or, failing that, in the run without
    themes the API and CLI make. Returns (signal, run result) or (None, None) when it is no
    longer found (new feedback may have changed the run)."""
    from cxkeeper.insights import queries as insight_queries

    def matches(signal) -> bool:
        return (signal.kind == kind and signal.metric == metric
                and (signal.step.pk if signal.step is not None else None) == step_id
                and (not theme_key or (signal.theme is not None and signal.theme.key == theme_key)))

    for with_themes in (True, False) if kind != "negative_theme" else (True,):
        result = insight_queries.friction_signals(journey, window_days=window_days, with_themes=with_themes)
        found = next((s for s in result["signals"] if matches(s)), None)
        if found is not None:
            return found, result
    return None, None


def friction_points_under(place: Journey | Stage | Step) -> QuerySet[FrictionPoint]:
    """Friction points placed at a journey, stage or step (or below it): what its delete detaches."""
    if isinstance(place, Step):
        return FrictionPoint.objects.filter(step=place)
    if isinstance(place, Stage):
        return FrictionPoint.objects.filter(step__stage=place)
    return FrictionPoint.objects.filter(Q(journey=place) | Q(step__stage__journey=place))


# --- initiatives ---


def initiatives(*, status: str | None = None, team=None, friction_point=None) -> QuerySet[Initiative]:
    """Newest first, with their teams, metrics, steps and dependencies at hand."""
    rows = (Initiative.objects.select_related("friction_point", "created_by")
            .prefetch_related(Prefetch("team_roles", InitiativeTeam.objects.select_related("team")),
                              Prefetch("metric_moves", InitiativeMetric.objects.select_related("metric")),
                              Prefetch("steps", Step.objects.select_related("stage__journey")),
                              "depends_on"))
    if status:
        rows = rows.filter(status=status)
    if team is not None:
        rows = rows.filter(team_roles__team=team).distinct()
    if friction_point is not None:
        rows = rows.filter(friction_point=friction_point)
    return rows


def initiative_by_id(pk: int) -> Initiative:
    return get_object_or_404(initiatives(), pk=pk)


def initiatives_of_team(team) -> QuerySet[Initiative]:
    return Initiative.objects.filter(team_roles__team=team).distinct()


def lead_team(initiative: Initiative):
    return next((r.team for r in initiative.team_roles.all() if r.role == TeamRole.LEAD), None)


def initiative_dict(initiative: Initiative) -> dict:
    """The plain shape of an initiative: the CLI's `--json` and the API read the same fields."""
    return {
        "id": initiative.pk, "title": initiative.title, "description": initiative.description,
        "status": initiative.status, "status_label": initiative.get_status_display(),
        "ship_date": initiative.ship_date.isoformat() if initiative.ship_date else None,
        "friction_point_id": initiative.friction_point_id,
        "friction_point_title": initiative.friction_point.title if initiative.friction_point_id else None,
        "teams": [{"team_id": r.team_id, "team": r.team.name, "role": r.role} for r in initiative.teams_in_order()],
        "steps": [{"step_id": s.pk, "step": s.name} for s in initiative.steps.all()],
        "metrics": [{"metric_id": m.metric_id, "metric": m.metric.name, "metric_key": m.metric.key,
                     "direction": m.direction} for m in initiative.metric_moves.all()],
        "milestones": list(initiative.milestones or []),
        "depends_on": [{"initiative_id": d.pk, "title": d.title} for d in initiative.depends_on.all()],
        "version": initiative.version,
    }


def ranking_history(limit: int = 10) -> list[RankingSnapshot]:
    return list(RankingSnapshot.objects.all()[:limit])


# --- co-creation ---
# Reads of the co-creation loop (docs/initiatives.md "Co-creation"): who is affected, who has
# answered, the tensions, the options with every team's stance, the CX impact review of a
# planned change. `perspective_summary` and `affected_teams` are what the priorities board reads.

IMPACT_MONTHS = 3     # customers per month: the average of the last three whole months
MEASURE_DAYS = 90     # today's measures at the steps of a planned change
SIGNAL_WINDOW = 28    # the friction run read for "the data at its steps shows the friction"
SHOWN_METRICS = ("nps", "ces", "csat")


def subject_kwargs(subject) -> dict:
    from cxkeeper.initiatives.models import PlannedChange

    return {"planned_change": subject} if isinstance(subject, PlannedChange) else {"friction_point": subject}


def concerned_steps(friction_point) -> list[Step]:
    """The steps a friction point concerns: the ones set on the challenge, else the step it is
    placed at (none when it is not placed)."""
    steps = list(friction_point.steps.select_related("stage__journey").order_by("stage__journey__name",
                                                                                 "stage__position", "position"))
    if steps:
        return steps
    return [friction_point.step] if friction_point.step_id else []


def steps_of(subject) -> list[Step]:
    from cxkeeper.initiatives.models import PlannedChange

    if isinstance(subject, PlannedChange):
        return list(subject.steps.select_related("stage__journey").order_by("stage__journey__name", "stage__position",
                                                                            "position"))
    return concerned_steps(subject)


def teams_from_map(steps, *, upstream: bool = True) -> list[tuple[object, str]]:
    """(team, why) for every team the map ties to `steps`: owners and contributors of them, the
    teams that hand off into them (`upstream`) and the teams they hand off to. A planned change
    asks the teams downstream only (`upstream=False`): what reaches customers after it."""
    from cxkeeper.journeys.choices import ResponsibilityRole
    from cxkeeper.journeys.models import Handoff, Responsibility

    step_ids = [s.pk for s in steps]
    reasons: dict[int, list[str]] = {}
    teams: dict[int, object] = {}

    def add(team, why):
        teams[team.pk] = team
        if why not in reasons.setdefault(team.pk, []):
            reasons[team.pk].append(why)

    for r in (Responsibility.objects.filter(step_id__in=step_ids, role__in=(ResponsibilityRole.OWNS,
                                                                              ResponsibilityRole.CONTRIBUTES))
              .select_related("team", "step").order_by("step__position", "role")):
        add(r.team, f"{'owns' if r.role == ResponsibilityRole.OWNS else 'contributes to'} “{r.step.name}”")
    handoffs = Handoff.objects.select_related("from_team", "to_team", "from_step", "to_step")
    if upstream:
        for h in handoffs.filter(to_step_id__in=step_ids).exclude(from_step_id__in=step_ids):
            add(h.from_team, f"hands off into “{h.to_step.name}” (from “{h.from_step.name}”)")
    for h in handoffs.filter(from_step_id__in=step_ids).exclude(to_step_id__in=step_ids):
        add(h.to_team, f"receives a handoff from “{h.from_step.name}” at “{h.to_step.name}”")
    return [(teams[pk], "; ".join(reasons[pk])) for pk in sorted(teams, key=lambda pk: teams[pk].name)]


def affected_rows(subject, *, include_removed: bool = False):
    from cxkeeper.initiatives.models import AffectedTeam

    rows = AffectedTeam.objects.filter(**subject_kwargs(subject)).select_related("team")
    return rows if include_removed else rows.filter(removed=False)


def affected_teams(friction_point) -> list:
    """The teams a friction point concerns (from the map, plus or minus a keeper's changes),
    by name. For the priorities board and the pages alike."""
    return [row.team for row in affected_rows(friction_point)]


def affected_teams_of_points(friction_point_ids) -> dict[int, list]:
    """`affected_teams` for many friction points in one query (agenda kinds list several)."""
    from cxkeeper.initiatives.models import AffectedTeam

    teams: dict[int, list] = {pk: [] for pk in friction_point_ids}
    for row in AffectedTeam.objects.filter(friction_point_id__in=list(teams), removed=False).select_related("team"):
        teams[row.friction_point_id].append(row.team)
    return teams


def perspectives_of(subject):
    from cxkeeper.initiatives.models import Perspective

    return Perspective.objects.filter(**subject_kwargs(subject)).select_related("team", "answered_by")


def perspective_of(subject, team):
    return perspectives_of(subject).filter(team=team).first()


def perspective_by_id(subject, pk: int):
    return get_object_or_404(perspectives_of(subject), pk=pk)


def perspectives_owed(teams, *, limit: int = 20) -> list:
    """Affected rows of `teams` not answered yet, on open friction points and planned changes
    not yet live — what those teams owe (the "my work" home, issue 14); oldest ask first."""
    from cxkeeper.initiatives.choices import PlannedStatus
    from cxkeeper.initiatives.models import AffectedTeam, Perspective

    team_ids = [t.pk for t in teams]
    if not team_ids:
        return []
    rows = (AffectedTeam.objects.filter(removed=False, team_id__in=team_ids)
            .filter(Q(friction_point__status=FrictionStatus.OPEN) | Q(planned_change__status=PlannedStatus.PLANNED))
            .select_related("team", "friction_point", "planned_change").order_by("asked_at", "pk"))
    answered = set(Perspective.objects.filter(team_id__in=team_ids)
                   .values_list("friction_point_id", "planned_change_id", "team_id"))
    owed = [r for r in rows if (r.friction_point_id, r.planned_change_id, r.team_id) not in answered]
    return owed[:limit]


@dataclass(frozen=True)
class AskedTeam:
    """An affected team with its answer (None: not heard yet)."""

    row: object          # AffectedTeam
    perspective: object  # Perspective | None

    @property
    def team(self):
        return self.row.team

    @property
    def heard(self) -> bool:
        return self.perspective is not None


def asked_teams(subject) -> list[AskedTeam]:
    answers = {p.team_id: p for p in perspectives_of(subject)}
    return [AskedTeam(row, answers.get(row.team_id)) for row in affected_rows(subject)]


def not_heard(subject) -> list:
    """Affected rows of teams that have not answered yet."""
    return [a.row for a in asked_teams(subject) if not a.heard]


def reminders_due(*, now=None) -> list:
    """Affected teams not heard from, asked (or last reminded) at least the workspace's
    `perspective_reminder_days` ago, on open friction points and planned changes not yet live."""
    from cxkeeper.initiatives.choices import PlannedStatus
    from cxkeeper.initiatives.models import AffectedTeam, Perspective
    from cxkeeper.org.models import Workspace

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=Workspace.current().perspective_reminder_days)
    rows = (AffectedTeam.objects.filter(removed=False, asked_at__isnull=False)
            .filter(Q(friction_point__status=FrictionStatus.OPEN)
                    | Q(planned_change__status=PlannedStatus.PLANNED, planned_change__go_live__gte=now.date()))
            .filter(Q(reminded_at__isnull=True, asked_at__lte=cutoff) | Q(reminded_at__lte=cutoff))
            .select_related("team", "friction_point", "planned_change").order_by("pk"))
    answered = set(Perspective.objects.values_list("friction_point_id", "planned_change_id", "team_id"))
    return [r for r in rows if (r.friction_point_id, r.planned_change_id, r.team_id) not in answered]


@dataclass(frozen=True)
class PerspectiveSummary:
    """What the priorities board reads of a friction point's perspectives.

    `effort_points`: the affected teams' effort estimates added up, each mapped to points by
    `choices.EFFORT_POINTS` (nothing 0, days 1, weeks 3, months 8, a quarter or more 13); None
    when no team has estimated. `escalated`: waiting for the executive sponsor."""

    teams_asked: int = 0
    teams_heard: int = 0
    objections: int = 0
    effort_points: float | None = None
    escalated: bool = False


def perspective_summary(friction_point) -> PerspectiveSummary:
    from cxkeeper.initiatives.choices import EFFORT_POINTS, DecisionState, Stance
    from cxkeeper.initiatives.models import Decision

    asked = asked_teams(friction_point)
    heard = [a.perspective for a in asked if a.heard]
    points = [EFFORT_POINTS[p.effort] for p in heard if p.effort in EFFORT_POINTS]
    return PerspectiveSummary(
        teams_asked=len(asked), teams_heard=len(heard),
        objections=sum(1 for p in heard if p.stance == Stance.OBJECT),
        effort_points=float(sum(points)) if points else None,
        escalated=Decision.objects.filter(friction_point=friction_point, state=DecisionState.ESCALATED).exists())


# ---------------------------------------------------------------- tensions


@dataclass(frozen=True)
class Tension:
    """One tension at the top of a friction point. `kind`: objection, contribution (a constraint
    meets another team's contribution), target (a constraint meets a target in trouble at the
    same steps), not_heard, data (a team says "not affected" where the data shows the friction)."""

    kind: str
    title: str
    detail: str
    teams: tuple[str, ...]
    statistics: str = ""  # the figures behind `detail`, shown behind "Details" (targets' explanations)


def _team_steps(team_id: int, steps: list[Step]) -> set[int]:
    """Of `steps`, those where the map ties the team in (a responsibility, or a handoff into or
    out of the step); every one of them when the map does not (a team a keeper added)."""
    from cxkeeper.journeys.choices import ResponsibilityRole
    from cxkeeper.journeys.models import Handoff, Responsibility

    ids = [s.pk for s in steps]
    found = set(Responsibility.objects.filter(team_id=team_id, step_id__in=ids, role__in=(
        ResponsibilityRole.OWNS, ResponsibilityRole.CONTRIBUTES)).values_list("step_id", flat=True))
    found |= set(Handoff.objects.filter(from_team_id=team_id, to_step_id__in=ids).values_list("to_step_id", flat=True))
    found |= set(Handoff.objects.filter(to_team_id=team_id, from_step_id__in=ids).values_list("from_step_id",
                                                                                             flat=True))
    return found or set(ids)


def _constraint_text(perspective) -> str:
    from cxkeeper.initiatives.choices import ConstraintKind

    labels = dict(ConstraintKind.choices)
    return "; ".join(f"{labels.get(c.get('kind'), 'other')}: “{c.get('text', '')}”" for c in perspective.constraints)


def _names(step_ids: set[int], steps: list[Step]) -> str:
    return ", ".join(f"“{s.name}”" for s in steps if s.pk in step_ids)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _troubled_targets(step_ids: set[int]) -> list:
    """Targets set at these steps (or their stages) that are at risk or off track today."""
    from cxkeeper.outcomes import queries as outcome_queries
    from cxkeeper.outcomes.choices import Scope, Status

    if not step_ids:
        return []
    stage_ids = set(Step.objects.filter(pk__in=step_ids).values_list("stage_id", flat=True))
    targets = outcome_queries.targets_in_scope(steps=step_ids).filter(
        Q(scope=Scope.STEP, step_id__in=step_ids) | Q(scope=Scope.STAGE, stage_id__in=stage_ids))
    views = [outcome_queries.assess(t) for t in targets]
    return [v for v in views if v.status in (Status.AT_RISK, Status.OFF_TRACK)]


def _signals_at(steps: list[Step]) -> dict[int, list]:
    """Friction signals of the latest run (`insights.queries.friction_signals`, the figure the
    friction page shows, without themes) at these steps, by step id."""
    from cxkeeper.insights import queries as insight_queries

    found: dict[int, list] = {}
    ids = {s.pk for s in steps}
    for journey in {s.stage.journey for s in steps}:
        run = insight_queries.friction_signals(journey, window_days=SIGNAL_WINDOW, with_themes=False)
        for signal in run["signals"]:
            if signal.step is not None and signal.step.pk in ids:
                found.setdefault(signal.step.pk, []).append(signal)
    return found


def tensions(friction_point) -> list[Tension]:
    """Every tension of a friction point, computed from what the teams said and the data:
    objections (to the friction point's handling or to an option); a constraint that meets
    another team's contribution at a step both work on, or a target at risk or off track at
    the team's steps; affected teams not heard yet; a team that says "not affected" while a
    friction signal or the friction point's own signal evidence sits at its steps."""
    from cxkeeper.initiatives.choices import Stance
    from cxkeeper.initiatives.models import OptionStance

    steps = concerned_steps(friction_point)
    asked = asked_teams(friction_point)
    heard = [a.perspective for a in asked if a.heard]
    team_steps = {a.team.pk: _team_steps(a.team.pk, steps) for a in asked}
    found: list[Tension] = []
    for p in heard:
        if p.stance == Stance.OBJECT:
            found.append(Tension("objection", f"{p.team.name} objects", p.reason, (p.team.name,)))
    affected_ids = set(team_steps)
    for s in (OptionStance.objects.filter(option__friction_point=friction_point, stance="object",
                                          team_id__in=affected_ids).select_related("team", "option")
              .order_by("option_id", "team__name")):
        found.append(Tension("objection", f"{s.team.name} objects to the option “{s.option.title}”", s.reason,
                             (s.team.name,)))
    for p in heard:  # one tension per constrained team and kind, naming everything it meets
        if not p.constraints:
            continue
        mine = team_steps.get(p.team_id, set())
        met = [(other, mine & team_steps.get(other.team_id, set())) for other in heard
               if other.team_id != p.team_id and other.contribution.strip()]
        met = [(other, shared) for other, shared in met if shared]
        if met:
            names = [other.team.name for other, _ in met]
            found.append(Tension(
                "contribution", f"{p.team.name}’s constraints meet what {_and(names)} could contribute",
                f"{p.team.name}: {_constraint_text(p)} — " + "; ".join(
                    f"{other.team.name} could contribute “{other.contribution.strip()}” at {_names(shared, steps)}"
                    for other, shared in met) + ".", (p.team.name, *names)))
        troubled = _troubled_targets(mine)
        if troubled:
            found.append(Tension(
                "target", f"{p.team.name}’s constraints meet "
                          f"{'a target' if len(troubled) == 1 else f'{len(troubled)} targets'} in trouble",
                f"{p.team.name}: {_constraint_text(p)} — " + "; ".join(
                    f"the target {v.target.metric.name} {v.target.value:g} at {v.target.scope_label} "
                    f"({v.assessment.plain})" for v in troubled) + ".",
                (p.team.name,), " ".join(v.assessment.explanation for v in troubled)))
    waiting = [a for a in asked if not a.heard]
    if waiting:
        found.append(Tension("not_heard", f"{numbers.count(len(waiting))} of {numbers.count(len(asked))} affected "
                             f"{numbers.plural(len(asked), 'team has', 'teams have')} not been heard yet",
                             ", ".join(a.team.name for a in waiting), tuple(a.team.name for a in waiting)))
    claims = [p for p in heard if p.stance == Stance.NOT_AFFECTED]
    if claims:
        signals = _signals_at(steps)
        evidence = friction_point.evidence or {}
        for p in claims:
            mine = team_steps.get(p.team_id, set())
            shown = [sig for step_id in sorted(mine) for sig in signals.get(step_id, [])]
            if shown:
                found.append(Tension(
                    "data", f"{p.team.name} says it is not affected, but the data at its steps shows the friction",
                    shown[0].explanation, (p.team.name,)))
            elif evidence.get("signal_kind") and friction_point.step_id in mine:
                found.append(Tension(
                    "data", f"{p.team.name} says it is not affected, but the data at its steps shows the friction",
                    evidence.get("explanation") or "The friction point was raised from a friction signal there.",
                    (p.team.name,)))
    return found


# ---------------------------------------------------------------- options and decision


@dataclass(frozen=True)
class OptionView:
    option: object
    stances: list  # [(team, OptionStance | None)] for every affected team, by name

    @property
    def supported_by_all(self) -> bool:
        return bool(self.stances) and all(s is not None and s.stance == "support" for _, s in self.stances)

    @property
    def objections(self) -> int:
        return sum(1 for _, s in self.stances if s is not None and s.stance == "object")

    @property
    def waiting(self) -> int:
        return sum(1 for _, s in self.stances if s is None)


def option_views(friction_point) -> list[OptionView]:
    from cxkeeper.initiatives.models import Option, OptionStance

    teams = affected_teams(friction_point)
    options = list(Option.objects.filter(friction_point=friction_point).select_related("proposed_by"))
    by_option: dict[int, dict[int, object]] = {}
    for s in OptionStance.objects.filter(option__in=options).select_related("team", "answered_by"):
        by_option.setdefault(s.option_id, {})[s.team_id] = s
    return [OptionView(o, [(t, by_option.get(o.pk, {}).get(t.pk)) for t in teams]) for o in options]


def option_by_id(friction_point, pk: int):
    from cxkeeper.initiatives.models import Option

    return get_object_or_404(Option.objects.filter(friction_point=friction_point), pk=pk)


def decision_of(friction_point):
    from cxkeeper.initiatives.models import Decision

    return Decision.objects.filter(friction_point=friction_point).select_related(
        "option", "decided_by", "escalated_by").first()


def escalations():
    """Friction points waiting for the executive sponsor, oldest escalation first."""
    from cxkeeper.initiatives.choices import DecisionState
    from cxkeeper.initiatives.models import Decision

    return (Decision.objects.filter(state=DecisionState.ESCALATED).select_related("friction_point", "escalated_by")
            .order_by("escalated_at", "pk"))


# ---------------------------------------------------------------- planned changes


def planned_changes(*, status: str | None = None, step=None):
    from cxkeeper.initiatives.models import PlannedChange

    rows = PlannedChange.objects.select_related("team", "declared_by").prefetch_related("steps")
    if status:
        rows = rows.filter(status=status)
    if step is not None:
        rows = rows.filter(steps=step)
    return rows


def planned_change_by_id(pk: int):
    return get_object_or_404(planned_changes(), pk=pk)


def planned_changes_on(journey) -> list:
    """Planned changes not yet withdrawn that touch a step of the journey, by go-live date:
    the marker list of the journey map."""
    from cxkeeper.initiatives.choices import PlannedStatus

    # Kept per change of the records (`core.figures`): the journey map shows it on every view.
    return figures.figure("initiatives.planned_changes_on", (journey.pk,), lambda: list(
        planned_changes().filter(steps__stage__journey=journey).exclude(status=PlannedStatus.WITHDRAWN)
        .distinct().order_by("go_live", "pk")), depends=(figures.RECORDS,))


@dataclass(frozen=True)
class StepMeasure:
    step: Step
    figure: object  # insights.queries.Figure over the measure period

    def value(self, key: str):
        return self.figure.value(key)


@dataclass(frozen=True)
class ImpactReview:
    """What a planned change touches: the teams (on its steps and downstream), the customers
    per month there (feedback items, the average of the last whole months), today's measures
    at each step and the targets set there."""

    teams: list              # [(team, why)]
    customers_per_month: float | None
    customer_months: tuple   # (first month, last month) averaged, or ()
    measures: list           # [StepMeasure]
    measure_period: object   # insights.clock.Period
    targets: list            # outcomes TargetView


def impact_review(planned_change) -> ImpactReview:
    from cxkeeper.insights import clock
    from cxkeeper.insights import queries as insight_queries
    from cxkeeper.outcomes import queries as outcome_queries
    from cxkeeper.outcomes.choices import Scope

    steps = steps_of(planned_change)
    ids = [s.pk for s in steps]
    teams = teams_from_map(steps, upstream=False)
    period = clock.period(MEASURE_DAYS)
    through = clock.data_through()
    per_month, months = None, ()
    if through is not None and ids:
        last = through.replace(day=1) - dt.timedelta(days=1)  # the last whole month
        first = outcome_queries.months_back(last.replace(day=1), IMPACT_MONTHS - 1)
        total = insight_queries.total(insight_queries.rollups(start=first, end=last, steps=ids))
        per_month, months = total.n / IMPACT_MONTHS, (first, last.replace(day=1))
    figures_by_step = insight_queries.by_step(insight_queries.rollups(start=period.start, end=period.end,
                                                                      steps=ids)) if ids else {}
    empty = insight_queries._figure(None, {}, min_n=insight_queries.DEFAULT_MIN_N)
    measures = [StepMeasure(s, figures_by_step.get(s.pk, empty)) for s in steps]
    stage_ids = {s.stage_id for s in steps}
    targets = [outcome_queries.assess(t) for t in outcome_queries.targets_in_scope(steps=set(ids)).filter(
        Q(scope=Scope.STEP, step_id__in=ids) | Q(scope=Scope.STAGE, stage_id__in=stage_ids))] if ids else []
    return ImpactReview(teams, per_month, months, measures, period, targets)
