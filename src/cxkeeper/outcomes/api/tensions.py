"""Tensions (`/api/v1/tensions`): every team KPI compared with the shared measures at the team's
steps — a KPI that improves while the customer's measure worsens, found in the data."""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxkeeper.core.api import READ_ERRORS, ApiPagination
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.api.schemas import TensionOut, team_ref, tension_dict


class TensionFilters(Schema):
    team: str | None = Field(None, description="team id, slug or name: its KPIs")
    kpi: int | None = Field(None, description="KPI id")
    found: bool | None = Field(None, description="true: only tensions found in the data")


tensions_router = Router(tags=["outcomes"])


@tensions_router.get("", url_name="tensions", response={200: list[TensionOut], **READ_ERRORS},
                     summary="Every KPI × shared-measure comparison, found or not, with its evidence")
@paginate(ApiPagination)
def list_tensions(request, filters: Query[TensionFilters]):
    """The correction for multiple comparisons is always made across every team's KPIs, so a
    team filter shows the same verdicts as the whole list. Found tensions come first."""
    team = team_ref(filters.team, "team") if filters.team else None
    findings = queries.tension_findings(team=team)
    if filters.kpi is not None:
        findings = [f for f in findings if f.kpi.pk == filters.kpi]
    if filters.found is not None:
        findings = [f for f in findings if f.found == filters.found]
    findings.sort(key=lambda f: (not f.found, f.kpi.team.name, f.kpi.name, f.metric.name))
    return [tension_dict(f) for f in findings]
