"""API of wins (`/api/v1/wins`, `/api/v1/initiatives/{id}/impact`): everyone signed in reads and
adds kudos to a win; measurements are computed, never written through the API. See docs/wins.md."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxkeeper.core.api import READ_ERRORS, WRITE_ERRORS, ApiPagination, acting_user, get_or_404, resolve
from cxkeeper.initiatives.models import Initiative
from cxkeeper.org.models import Team
from cxkeeper.wins import actions, queries
from cxkeeper.wins.choices import Verdict
from cxkeeper.wins.models import KUDOS_MAX, Measurement
from cxkeeper.wins.permissions import require_read

wins_router = Router(tags=["wins"])
impact_router = Router(tags=["wins"])

VerdictFilter = Literal[tuple([*Verdict.values, "all"])]  # type: ignore[valid-type]


class TeamCreditOut(Schema):
    team: str
    role: str = Field(description="leads, contributes, consulted — or “declared it” for a planned change.")
    hidden_hero: bool = Field(description="Back office or not customer-facing: work customers never see.")
    office: str
    customer_facing: bool


class MeasurementOut(Schema):
    id: int
    initiative_id: int | None
    planned_change_id: int | None
    initiative: str = Field(description="The initiative's (or planned change's) title.")
    kind: str = Field(description="initiative or planned change")
    metric: str | None = Field(description="The impact engine's metric key; null when it cannot be measured.")
    label: str
    scope: str = Field(description="The steps it was measured at (and the channel).")
    aims: str | None = Field(description="up or down: which way the initiative aims to move it.")
    change_date: dt.date | None = Field(description="The ship date or go-live day the effect is measured from.")
    verdict: str = Field(description="win, no_credible_change, worse, too_early or cannot_measure.")
    verdict_label: str
    effect: float | None = Field(description="Metric units (scores) or a relative change (volumes: −0.3 = 30% "
                                             "fewer), against the comparison steps.")
    low: float | None = Field(description="The 95% interval of the effect.")
    high: float | None
    effect_text: str | None
    interval_text: str | None
    n_before: int
    n_after: int
    sentence: str = Field(description="The verdict in one plain sentence (or why it cannot be measured yet).")
    as_of: dt.date | None = Field(description="The last day of data it was measured on.")
    measured_at: dt.datetime
    data_version: str = Field(description="The data version it was measured on; measured again when it moves.")
    teams: list[TeamCreditOut]
    url: str
    details: dict[str, Any] | None = Field(None, description="The statistics: method, level and slope changes, "
                                                             "comparison steps, n, the rule.")


class ImpactOut(Schema):
    initiative_id: int
    initiative: str
    status: str
    ship_date: dt.date | None
    as_of: dt.date = Field(description="The data-through day.")
    measurable: bool
    problem: str | None = Field(description="Why the initiative cannot be measured yet (no ship date, no metric, a "
                                            "ship date after the data, not shipped); null when it can.")
    teams: list[TeamCreditOut]
    results: list[MeasurementOut]


class KudosIn(Schema):
    text: str = Field(description=f"A note of thanks, at most {KUDOS_MAX} characters.")


class KudosOut(Schema):
    id: int
    measurement_id: int
    author: str | None
    text: str
    created_at: dt.datetime


def _kudos_dict(k) -> dict:
    return {"id": k.pk, "measurement_id": k.measurement_id, "text": k.text, "created_at": k.created_at,
            "author": k.author.get_username() if k.author_id else None}


class WinFilters(Schema):
    team: str | None = Field(None, description="A team (id or name): only results it contributed to.")
    verdict: VerdictFilter = Field("win", description="Which verdicts (default: wins only; “all” for every result).")


@wins_router.get("", url_name="wins", response={200: list[MeasurementOut], **READ_ERRORS},
                 summary="Measured wins (or any verdict)")
@paginate(ApiPagination)
def list_wins(request, filters: Query[WinFilters]):
    """Every measured result of a shipped initiative or a live planned change, wins by default,
    newest first, each with its teams and their roles (hidden heroes marked)."""
    require_read(acting_user(request))
    team = resolve(Team, filters.team, field="team") if filters.team else None
    verdict = None if filters.verdict == "all" else filters.verdict
    return [queries.row_dict(r) for r in queries.measurements(verdict=verdict, team=team)]


@wins_router.get("/{id}", url_name="win", response={200: MeasurementOut, **READ_ERRORS},
                 summary="One measured result, with its statistics")
def get_win(request, id: int):
    require_read(acting_user(request))
    queries.ensure_measured()
    return queries.row_dict(get_or_404(Measurement, id), with_details=True)


@wins_router.get("/{id}/kudos", url_name="win_kudos", response={200: list[KudosOut], **READ_ERRORS},
                 summary="Kudos notes on a win")
def list_kudos(request, id: int):
    require_read(acting_user(request))
    row = get_or_404(Measurement, id)
    return [_kudos_dict(k) for k in row.kudos.select_related("author")]


@wins_router.post("/{id}/kudos", url_name="win_kudos", response={201: KudosOut, **WRITE_ERRORS},
                  summary="Add a kudos note to a win")
def add_kudos(request, id: int, payload: KudosIn):
    """Anyone signed in, viewers too; only on a win (422 otherwise)."""
    row = get_or_404(Measurement, id)
    return 201, _kudos_dict(actions.add_kudos(row, payload.text, acting_user=acting_user(request)))


@impact_router.get("/{id}/impact", url_name="initiative_impact", response={200: ImpactOut, **READ_ERRORS},
                   summary="An initiative's measured effect on each metric it aims to move")
def initiative_impact(request, id: int):
    """Each metric the initiative aims to move, at its steps, from its ship date: verdict, effect,
    interval, n, sentence and statistics — or, when it cannot be measured yet, why."""
    require_read(acting_user(request))
    initiative = get_or_404(Initiative, id)
    report = queries.subject_report(initiative)
    return {"initiative_id": initiative.pk, "initiative": initiative.title, "status": initiative.status,
            "ship_date": initiative.ship_date, "as_of": report["as_of"], "measurable": not report["problem"],
            "problem": report["problem"] or None, "teams": [c.as_dict() for c in report["credit"]],
            "results": [queries.row_dict(r, with_details=True) for r in report["rows"]]}
