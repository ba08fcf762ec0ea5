"""Scorecards (`/api/v1/scorecards`): a team's (its steps against targets, KPIs, tensions,
friction, handoffs) and the organization's (every outcome against target, gaps, stale
journeys, worst steps), with the same figures as the pages and the reports."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cxkeeper.core.api import READ_ERRORS
from cxkeeper.insights import clock
from cxkeeper.journeys.models import Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.api.schemas import (
    KpiLinkOut,
    MetricValueOut,
    PeriodValueOut,
    SuccessStatementOut,
    TargetOut,
    TensionOut,
    metric_value_dict,
    num,
    target_dict,
    tension_dict,
)
from cxkeeper.outcomes.models import SuccessStatement
from cxkeeper.outcomes.summary import sponsor_summary


class TeamBriefOut(Schema):
    id: int
    name: str
    slug: str


class StepBriefOut(Schema):
    id: int
    name: str
    stage_id: int
    stage_name: str
    journey_id: int
    journey_name: str


def team_brief(team: Team) -> dict:
    return {"id": team.pk, "name": team.name, "slug": team.slug}


def step_brief(step: Step) -> dict:
    return {"id": step.pk, "name": step.name, "stage_id": step.stage_id, "stage_name": step.stage.name,
            "journey_id": step.stage.journey_id, "journey_name": step.stage.journey.name}


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    days: int


class PeriodChangeOut(Schema):
    metric: str
    current: MetricValueOut
    previous: MetricValueOut
    difference: float | None = Field(description="current − previous (null without enough responses)")
    significant: bool = Field(description="after Benjamini–Hochberg across the scorecard")
    better: bool | None = Field(description="true: credibly better; false: credibly worse; null: no clear change")
    test: str | None
    p_value: float | None
    p_adjusted: float | None


def change_dict(change) -> dict:
    c = change.comparison
    return {"metric": change.metric, "current": metric_value_dict(change.current),
            "previous": metric_value_dict(change.previous), "difference": num(change.difference),
            "significant": change.significant, "better": change.better, "test": getattr(c, "test", None),
            "p_value": num(getattr(c, "p_value", None)), "p_adjusted": num(getattr(c, "p_adjusted", None))}


class ScorecardStepOut(Schema):
    step: StepBriefOut
    role: str = Field(description="owns or contributes")
    n: int = Field(description="feedback items in the period")
    changes: dict[str, PeriodChangeOut] = Field(description="nps, ces, csat, complaint_share: this period vs the last")
    targets: list[TargetOut]


class ScorecardKpiOut(Schema):
    id: int
    name: str
    unit: str
    direction: str
    source: str
    series: list[PeriodValueOut]
    latest: PeriodValueOut | None
    previous: PeriodValueOut | None
    change: float | None
    improving: bool | None
    links: list[KpiLinkOut]
    tensions: list[TensionOut] = Field(description="tensions found in the data for this KPI")


class HandoffBriefOut(Schema):
    id: int
    from_step_id: int
    from_step_name: str
    from_team: str
    to_step_id: int
    to_step_name: str
    to_team: str
    crosses_teams: bool
    description: str


class TeamScorecardOut(Schema):
    team: TeamBriefOut
    as_of: dt.date = Field(description="the last day of the period: by default the data-through day")
    data_through: dt.date | None = Field(description="the clock's last day of data (docs/insights.md, “The clock”)")
    period: PeriodOut
    status_counts: dict[str, int]
    totals: dict[str, PeriodChangeOut] = Field(description="the team's steps together")
    steps: list[ScorecardStepOut]
    targets: list[TargetOut] = Field(description="targets at the team's steps, their stages and journeys, "
                                                 "and the organization")
    kpis: list[ScorecardKpiOut]
    tensions: list[TensionOut]
    friction: list[dict[str, Any]] = Field(description="friction signals at the team's steps (as /metrics/friction)")
    handoffs: list[HandoffBriefOut]


def _period_value(pair) -> dict | None:
    return {"period": pair[0], "value": pair[1]} if pair is not None else None


def kpi_view_dict(view) -> dict:
    kpi = view.kpi
    return {"id": kpi.pk, "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction, "source": kpi.source,
            "series": [{"period": p, "value": v} for p, v in view.series], "latest": _period_value(view.latest),
            "previous": _period_value(view.previous), "change": num(view.change), "improving": view.improving,
            "links": list(view.links),
            "tensions": [tension_dict(f) for f in view.tensions]}


def handoff_dict(handoff) -> dict:
    return {"id": handoff.pk, "from_step_id": handoff.from_step_id, "from_step_name": handoff.from_step.name,
            "from_team": handoff.from_team.name, "to_step_id": handoff.to_step_id,
            "to_step_name": handoff.to_step.name, "to_team": handoff.to_team.name,
            "crosses_teams": handoff.crosses_teams, "description": handoff.description}


def period_dict(period) -> dict:
    return {"start": period.start, "end": period.end, "previous_start": period.previous_start,
            "previous_end": period.previous_end, "days": period.days}


def _known_through(views) -> object:
    """The clock's data-through day, read once and handed to every target view (their
    `data_through` field would read it again each)."""
    through = clock.data_through()
    for view in views:
        view.data_through = through
    return through


def scorecard_dict(card) -> dict:
    """A `queries.Scorecard` as plain data: the same figures as the page and the reports."""
    through = _known_through([*card.targets, *(v for line in card.steps for v in line.targets)])
    return {
        "team": team_brief(card.team), "as_of": card.as_of, "data_through": through,
        "period": period_dict(card.period),
        "status_counts": card.status_counts,
        "totals": {name: change_dict(c) for name, c in card.totals.items()},
        "steps": [{"step": step_brief(line.step), "role": line.role, "n": line.n,
                   "changes": {name: change_dict(c) for name, c in line.changes.items()},
                   "targets": [target_dict(v) for v in line.targets]} for line in card.steps],
        "targets": [target_dict(v) for v in card.targets],
        "kpis": [kpi_view_dict(v) for v in card.kpis],
        "tensions": [tension_dict(f) for f in card.tensions],
        "friction": [_signal_dict(s) for s in card.friction],
        "handoffs": [handoff_dict(h) for h in card.handoffs],
    }


def _signal_dict(signal) -> dict:
    from cxkeeper.insights.queries import signal_dict

    data = signal_dict(signal)
    return {k: (num(v) if isinstance(v, float) else v) for k, v in data.items()}


class ScorecardQuery(Schema):
    period_days: int = Field(90, ge=7, le=732, description="days in the period (compared with the one before)")
    as_of: dt.date | None = Field(None, description="last day of the period; default: the data-through day")


scorecards_router = Router(tags=["outcomes"])


@scorecards_router.get("/teams/{slug}", url_name="team_scorecard", response={200: TeamScorecardOut, **READ_ERRORS},
                       summary="A team's scorecard: its steps against targets, KPIs, tensions, friction")
def team_scorecard(request, slug: str, query: Query[ScorecardQuery]):
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise HttpError(404, f"No team with slug “{slug}”.")
    return scorecard_dict(queries.scorecard(team, as_of=query.as_of, period_days=query.period_days))


class OutcomeViewOut(Schema):
    id: int
    name: str
    description: str
    metric_keys: list[str]
    targets: list[TargetOut]
    statements: list[SuccessStatementOut]
    kpi_links: list[dict[str, Any]] = Field(description="{id, kind, note, kpi_id, kpi_name, team_name}")


class SharedWithoutLeadOut(Schema):
    step: StepBriefOut
    teams: list[TeamBriefOut]


class HeroOut(Schema):
    team: TeamBriefOut
    owns: int
    contributes: int
    informed: int


class CoverageOut(Schema):
    n_steps: int
    unowned_steps: list[StepBriefOut]
    shared_without_lead: list[SharedWithoutLeadOut]
    idle_teams: list[TeamBriefOut]
    hidden_heroes: list[HeroOut]
    cross_team_handoffs: list[HandoffBriefOut]


class StaleJourneyOut(Schema):
    id: int
    name: str
    keeper: str | None
    last_reviewed_at: dt.datetime | None


class WorstStepOut(Schema):
    step: StepBriefOut
    metric: str
    value: MetricValueOut
    owners: list[TeamBriefOut]


class SponsorTrendOut(Schema):
    target_id: int
    label: str
    words: str = Field(description="the trend in plain words: “no clear change”, “better than 12 months ago …”")
    months: int
    n: int = Field(description="responses over the months of the trend")
    slope_per_month: float | None
    change: float | None = Field(description="slope × the months the line spans")
    p: float | None = Field(description="the trend's p, as the target card quotes it")
    q: float | None = Field(description="Benjamini–Hochberg across every target trend of the view")
    clear: bool = Field(description="q ≤ 0.05: larger than chance")
    better: bool | None


class SponsorItemOut(Schema):
    title: str
    url: str
    sentence: str
    n: int | None


class SponsorWinOut(Schema):
    title: str
    metric: str
    effect: str
    sentence: str
    url: str


class SponsorSummaryOut(Schema):
    sentences: list[str] = Field(description="the summary in words, as the page and the report's first page say it")
    north_star: SponsorTrendOut | None = Field(description="the first organization-wide target")
    status_counts: dict[str, int]
    movers: list[SponsorTrendOut] = Field(description="the largest clear changes (at most 3)")
    n_escalations: int
    escalations: list[SponsorItemOut]
    priorities: list[SponsorItemOut] = Field(description="the top of the priority board")
    wins: list[SponsorWinOut]


def _trend_dict(trend) -> dict:
    return {"target_id": trend.view.target.pk, "label": trend.label, "words": trend.words, "months": trend.months,
            "n": trend.n, "slope_per_month": num(trend.slope), "change": num(trend.change), "p": num(trend.p),
            "q": num(trend.q), "clear": trend.clear, "better": trend.better}


def _item_dict(item) -> dict:
    return {"title": item.title, "url": item.url, "sentence": item.sentence, "n": item.n}


def summary_dict(summary) -> dict:
    return {
        "sentences": summary.sentences,
        "north_star": _trend_dict(summary.north_star) if summary.north_star is not None else None,
        "status_counts": summary.status_counts, "movers": [_trend_dict(t) for t in summary.movers],
        "n_escalations": summary.n_escalations, "escalations": [_item_dict(e) for e in summary.escalations],
        "priorities": [_item_dict(p) for p in summary.priorities],
        "wins": [{"title": w.title, "metric": w.metric, "effect": w.effect, "sentence": w.sentence, "url": w.url}
                 for w in summary.wins],
    }


class OrgScorecardOut(Schema):
    as_of: dt.date
    data_through: dt.date | None = Field(description="the clock's last day of data (docs/insights.md, “The clock”)")
    period: PeriodOut = Field(description="the period_days ending as_of (worst steps); targets use their own window")
    mission: str
    period_days: int
    status_counts: dict[str, int]
    outcomes: list[OutcomeViewOut]
    coverage: CoverageOut
    stale_journeys: list[StaleJourneyOut]
    worst_steps: list[WorstStepOut]
    tensions: list[TensionOut] = Field(description="tensions found in the data")
    summary: SponsorSummaryOut = Field(description="the sponsor's one-screen summary at the top of the page")


def _statement_dict(statement) -> SuccessStatement:
    return statement  # serialized by SuccessStatementOut


def org_dict(view, period_days: int) -> dict:
    coverage = view.coverage
    through = _known_through([t for o in view.outcomes for t in o.targets])
    return {
        "as_of": view.as_of, "data_through": through,
        "period": period_dict(queries.period_ending(view.as_of, period_days)),
        "mission": view.mission, "period_days": period_days,
        "status_counts": view.status_counts,
        "outcomes": [{
            "id": o.outcome.pk, "name": o.outcome.name, "description": o.outcome.description,
            "metric_keys": [m.key for m in o.outcome.metrics.all()],
            "targets": [target_dict(t) for t in o.targets],
            "statements": [_statement_dict(s) for s in o.statements],
            "kpi_links": [{"id": link.pk, "kind": link.kind, "note": link.note, "kpi_id": link.kpi_id,
                           "kpi_name": link.kpi.name, "team_name": link.kpi.team.name} for link in o.kpi_links],
        } for o in view.outcomes],
        "coverage": {
            "n_steps": coverage.n_steps,
            "unowned_steps": [step_brief(s) for s in coverage.unowned_steps],
            "shared_without_lead": [{"step": step_brief(s), "teams": [team_brief(t) for t in teams]}
                                    for s, teams in coverage.shared_without_lead],
            "idle_teams": [team_brief(t) for t in coverage.idle_teams],
            "hidden_heroes": [{"team": team_brief(h.team), "owns": h.owns, "contributes": h.contributes,
                               "informed": h.informed} for h in coverage.hidden_heroes],
            "cross_team_handoffs": [handoff_dict(h) for h in coverage.cross_team_handoffs],
        },
        "stale_journeys": [{"id": j.pk, "name": j.name, "keeper": j.keeper.get_username() if j.keeper_id else None,
                            "last_reviewed_at": j.last_reviewed_at} for j in view.stale_journeys],
        "worst_steps": [{"step": step_brief(w.step), "metric": w.metric, "value": metric_value_dict(w.value),
                         "owners": [team_brief(t) for t in w.owners]} for w in view.worst_steps],
        "tensions": [tension_dict(f) for f in view.tensions],
        "summary": summary_dict(sponsor_summary(view)),
    }


class OrgQuery(ScorecardQuery):
    worst_metric: Literal["nps", "ces", "csat", "ces_easy", "sentiment", "negative_share",
                          "complaint_share"] = Field("ces", description="the metric worst steps are ranked by")


@scorecards_router.get("/organization", url_name="org_scorecard", response={200: OrgScorecardOut, **READ_ERRORS},
                       summary="The organization view: every outcome against target, gaps, stale journeys, worst steps")
def org_scorecard(request, query: Query[OrgQuery]):
    view = queries.org_view(as_of=query.as_of, period_days=query.period_days, worst_metric=query.worst_metric)
    return org_dict(view, query.period_days)

