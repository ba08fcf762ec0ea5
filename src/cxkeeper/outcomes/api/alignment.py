"""The alignment map (`/api/v1/alignment`): North Star → shared outcomes → metrics and targets →
team KPIs, as nodes and edges, each node with its page and its place in this API."""

from ninja import Field, Router, Schema

from cxkeeper.core.api import READ_ERRORS
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.api.schemas import PREFIX


class AlignmentNodeOut(Schema):
    id: str = Field(description="north, o<id>, m<id>, t<id> or k<id>")
    kind: str = Field(description="north_star, outcome, metric, target or kpi")
    column: str
    label: str
    detail: str
    plain: str = Field("", description="a target's status in everyday words (its detail has the statistics); "
                                       "empty for other nodes")
    status: str = Field(description="a target's status; “tension” for a KPI in a found tension")
    url: str = Field(description="the page")
    api_url: str = Field(description="the same object in this API")


class AlignmentEdgeOut(Schema):
    source: str
    target: str
    kind: str = Field(description="measures, targets, supports, tension (declared) or found_tension (in the data)")


class AlignmentColumnOut(Schema):
    title: str
    node_ids: list[str]


class AlignmentOut(Schema):
    mission: str
    columns: list[AlignmentColumnOut]
    nodes: list[AlignmentNodeOut]
    edges: list[AlignmentEdgeOut]
    tensions_found: int


API_PATHS = {"north_star": "language", "outcome": "outcomes", "metric": "metric-definitions",
             "target": "targets", "kpi": "kpis"}


def _api_url(node) -> str:
    if node.kind == "north_star":
        return f"{PREFIX}/language"
    return f"{PREFIX}/{API_PATHS[node.kind]}/{node.id[1:]}"


alignment_router = Router(tags=["outcomes"])


@alignment_router.get("", url_name="alignment", response={200: AlignmentOut, **READ_ERRORS},
                      summary="North Star → shared outcomes → metrics and targets → team KPIs")
def get_alignment(request):
    result = queries.alignment()
    nodes = [{"id": n.id, "kind": n.kind, "column": title, "label": n.label, "detail": n.detail, "plain": n.plain,
              "status": n.status, "url": n.url, "api_url": _api_url(n)}
             for title, column in result.columns for n in column]
    return {"mission": result.mission,
            "columns": [{"title": title, "node_ids": [n.id for n in column]} for title, column in result.columns],
            "nodes": nodes, "edges": [vars(e) for e in result.edges],
            "tensions_found": sum(1 for f in result.findings if f.found)}
