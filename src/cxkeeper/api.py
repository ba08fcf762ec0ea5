"""The REST API root (`/api/v1`). Routers live in each app's api.py; see docs/api.md.

Every operation needs a signed-in caller: a personal API token (`cxkeeper.org.api_auth`) or
the browser session (`cxkeeper.core.api.SessionAuth`), wired here. What the caller may change
is decided by the same actions the pages use.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.views.defaults import page_not_found

from cxkeeper import search
from cxkeeper.channels import api as channels_api
from cxkeeper.core import api as core_api
from cxkeeper.governance import api as governance_api
from cxkeeper.governance import planning_api
from cxkeeper.initiatives import api as initiatives_api
from cxkeeper.insights import api as insights_api
from cxkeeper.insights import api_ingest
from cxkeeper.insights.warehouse import api as warehouse_api
from cxkeeper.jobs import api as jobs_api
from cxkeeper.journeys import api as journeys_api
from cxkeeper.notify import api as notify_api
from cxkeeper.org import actions as org_actions
from cxkeeper.org import api as org_api
from cxkeeper.org import api_auth
from cxkeeper.outcomes import api as outcomes_api
from cxkeeper.wins import api as wins_api


def signed_in_only(view):
    """The API docs and the OpenAPI document are for callers who may use the API: a signed-in
    session or a valid token. Others are sent to sign in (the page) or answered 401 (JSON)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        token_user = None
        if header.lower().startswith("bearer "):
            token_user = org_actions.user_for_token(header[7:].strip())
        if request.user.is_authenticated or token_user is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            response = JsonResponse({"detail": api_auth.UNAUTHENTICATED}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="cxkeeper"'
            return response
        return redirect_to_login(request.get_full_path())

    return guarded


PREFIX = "/api/v1"


def not_found(request, exception):
    """Django's 404 (`handler404`): under /api/ a path no route matches — a slash too many, an
    id with a "/" in it — is answered in JSON like every other API error, elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"No such path: {request.path}. See {PREFIX}/docs."}, status=404)
    return page_not_found(request, exception)


api = core_api.Api(
    title="cxkeeper API",
    version="1",
    description="The shared journey map, teams and history of a cxkeeper workspace. See docs/api.md.",
    urls_namespace="api",
    auth=[api_auth.BearerTokenAuth(), core_api.SessionAuth()],
    # Ninja's Swagger page is served from vendored files only when "ninja" is an installed app;
    # otherwise it would load scripts from a CDN, which the offline rule and our CSP forbid.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
    docs_decorator=signed_in_only,
)
core_api.install_error_handlers(api, unauthenticated_detail=api_auth.UNAUTHENTICATED)

api.add_router("/me", org_api.me_router)
api.add_router("/me/notification-preferences", notify_api.preferences_router)  # issue 15
api.add_router("/tokens", org_api.tokens_router)
api.add_router("/workspace", org_api.workspace_router)
api.add_router("/glossary", org_api.glossary_router)
api.add_router("/teams", org_api.teams_router)
api.add_router("/personas", journeys_api.personas_router)
api.add_router("/journeys", journeys_api.journeys_router)
api.add_router("/stages", journeys_api.stages_router)
api.add_router("/steps", journeys_api.steps_router)
api.add_router("/responsibilities", journeys_api.responsibilities_router)
api.add_router("/handoffs", journeys_api.handoffs_router)
api.add_router("/suggestions", journeys_api.suggestions_router)  # suggested changes to steps (issue 14)
api.add_router("/history", core_api.history_router)
api.add_router("/notifications", core_api.notifications_router)
api.add_router("/feedback", insights_api.feedback_router)
api.add_router("/metrics", insights_api.metrics_router)
api.add_router("/review", insights_api.review_router)
api.add_router("/imports", api_ingest.imports_router)
api.add_router("/warehouse-sources", warehouse_api.warehouse_router)  # issue 16
api.add_router("/outcomes", outcomes_api.outcomes_router)
api.add_router("/metric-definitions", outcomes_api.metric_definitions_router)
api.add_router("/targets", outcomes_api.targets_router)
api.add_router("/success-statements", outcomes_api.success_statements_router)
api.add_router("/kpis", outcomes_api.kpis_router)
api.add_router("/tensions", outcomes_api.tensions_router)
api.add_router("/alignment", outcomes_api.alignment_router)
api.add_router("/scorecards", outcomes_api.scorecards_router)
api.add_router("/language", outcomes_api.language_router)
api.add_router("/friction-points", initiatives_api.friction_points_router)
# Planning exports (issue 15, item 7): CSV (plain or Jira's importer) and iCalendar — before
# the routers whose "/{id}" would otherwise take "export.csv" for an id.
api.add_router("/initiatives", planning_api.initiatives_export_router)
api.add_router("/action-items", planning_api.action_items_export_router)
api.add_router("/initiatives", initiatives_api.initiatives_router)
api.add_router("/priorities", initiatives_api.priorities_router)
api.add_router("/planned-changes", initiatives_api.planned_changes_router)

# Wins (issue 13): measured results and kudos; an initiative's impact under /initiatives.
api.add_router("/wins", wins_api.wins_router)
api.add_router("/initiatives", wins_api.impact_router)

# The CX council (issue 12): councils and charters, meetings, the decision log, action items.
api.add_router("/councils", governance_api.councils_router)
api.add_router("/meetings", governance_api.meetings_router)
api.add_router("/decisions", governance_api.decisions_router)
api.add_router("/action-items", governance_api.action_items_router)

# Search everything (issue 14): one query over every app, so it lives above them (cxkeeper.search).
api.add_router("/search", search.search_router)

# Slack and Teams channels of a team, outgoing webhooks (issue 15; docs/integrations.md).
api.add_router("/teams", channels_api.team_channels_router)
api.add_router("/webhooks", channels_api.webhooks_router)

# Background work (issue 15): the job queue's jobs, for keepers and admins.
api.add_router("/jobs", jobs_api.jobs_router)
