"""API for shared outcomes: metric definitions, outcomes, targets, success statements, team
KPIs (values, CSV import, links), tensions, the alignment map, scorecards and the CX language.

One module per router; the JSON they share is `schemas.py`. Every write goes through
`cxkeeper.outcomes.actions`, like the pages: keepers and admins define outcomes, metrics,
targets and success statements; members manage their own team's KPIs; everyone signed in
reads. Every figure comes from `cxkeeper.outcomes.queries`, so the API, the pages and the
reports always agree. See docs/api.md ("Outcomes")."""

from cxkeeper.outcomes.api.alignment import alignment_router
from cxkeeper.outcomes.api.kpis import kpis_router
from cxkeeper.outcomes.api.language import language_router
from cxkeeper.outcomes.api.metric_definitions import metric_definitions_router
from cxkeeper.outcomes.api.outcomes import outcomes_router
from cxkeeper.outcomes.api.scorecards import scorecards_router
from cxkeeper.outcomes.api.success_statements import success_statements_router
from cxkeeper.outcomes.api.targets import targets_router
from cxkeeper.outcomes.api.tensions import tensions_router

__all__ = [
    "alignment_router",
    "kpis_router",
    "language_router",
    "metric_definitions_router",
    "outcomes_router",
    "scorecards_router",
    "success_statements_router",
    "targets_router",
    "tensions_router",
]
