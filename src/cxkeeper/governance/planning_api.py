"""Planning exports in the API (issue 15, item 7): `/api/v1/initiatives/export.csv|ics` and
`/api/v1/action-items/export.csv|ics`, the same files as the pages' download links
(`planning_exports`). Anyone signed in may export: everyone reads initiatives and action items."""

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from cxkeeper.core import links
from cxkeeper.core.api import READ_ERRORS
from cxkeeper.governance import planning_exports

initiatives_export_router = Router(tags=["initiatives"])
action_items_export_router = Router(tags=["governance"])


class PlanningCsvQuery(Schema):
    layout: Literal["plain", "jira"] = Field("plain", description="plain: every field; jira: the columns of Jira's "
                                                                  "CSV importer (docs/integrations.md)")


def _file(export: planning_exports.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _body(media_type: str, description: str) -> dict:
    return {"responses": {200: {"description": description,
                                "content": {media_type: {"schema": {"type": "string"}}}}}}


def _base(request) -> str:
    return links.base_url(request)


@initiatives_export_router.get(
    "/export.csv", url_name="initiatives_export_csv", response=READ_ERRORS,
    summary="Initiatives as CSV: every field, or the Jira importer's layout (an Epic each, its milestones as Tasks)",
    openapi_extra=_body("text/csv", "CSV, formula-safe, UTF-8"))
def initiatives_csv(request, query: Query[PlanningCsvQuery]):
    return _file(planning_exports.initiatives_csv(layout=query.layout, base_url=_base(request)))


@initiatives_export_router.get(
    "/export.ics", url_name="initiatives_export_ics", response=READ_ERRORS,
    summary="Initiatives' ship dates and milestones as an iCalendar feed (all-day events)",
    openapi_extra=_body("text/calendar", "iCalendar (RFC 5545)"))
def initiatives_ics(request):
    return _file(planning_exports.initiatives_ics(base_url=_base(request)))


@action_items_export_router.get(
    "/export.csv", url_name="action_items_export_csv", response=READ_ERRORS,
    summary="Action items as CSV: every field, or the Jira importer's layout (Tasks, under their initiative's Epic)",
    openapi_extra=_body("text/csv", "CSV, formula-safe, UTF-8"))
def action_items_csv(request, query: Query[PlanningCsvQuery]):
    return _file(planning_exports.action_items_csv(layout=query.layout, base_url=_base(request)))


@action_items_export_router.get(
    "/export.ics", url_name="action_items_export_ics", response=READ_ERRORS,
    summary="Action items with a due date as an iCalendar feed (all-day events)",
    openapi_extra=_body("text/calendar", "iCalendar (RFC 5545)"))
def action_items_ics(request):
    return _file(planning_exports.action_items_ics(base_url=_base(request)))
