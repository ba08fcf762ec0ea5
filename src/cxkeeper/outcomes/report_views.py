"""Exports of the team scorecard and the organization view: PDF, PNG or Markdown.

Any signed-in person may export (everyone reads outcomes; `LoginRequiredMiddleware` turns
anonymous visitors away). The documents are built by `reports`, from the same queries as the
pages, so an export always says what the page says.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from cxkeeper.core.params import parse_id
from cxkeeper.outcomes import queries, reports

MIN_PERIOD_DAYS, MAX_PERIOD_DAYS, DEFAULT_PERIOD_DAYS = 7, 732, 90


def _period_days(request) -> int | None:
    """`period_days`, or `days` as the scorecard pages name it; 90 when absent, None when invalid."""
    raw = (request.GET.get("period_days") or request.GET.get("days") or "").strip()
    if not raw:
        return DEFAULT_PERIOD_DAYS
    days = parse_id(raw)
    if days is None:
        return None
    return days if MIN_PERIOD_DAYS <= days <= MAX_PERIOD_DAYS else None


def _format(fmt: str) -> str:
    try:
        return reports.check_format(fmt)
    except reports.UnknownFormat as exc:
        raise Http404(str(exc)) from None


def _bad_period() -> HttpResponse:
    return HttpResponseBadRequest(f"period_days must be a whole number of days from {MIN_PERIOD_DAYS} to "
                                  f"{MAX_PERIOD_DAYS}.", content_type="text/plain; charset=utf-8")


def _attachment(report: reports.RenderedReport) -> HttpResponse:
    response = HttpResponse(report.content, content_type=report.content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def scorecard_export(request, slug, fmt):
    fmt = _format(fmt)
    team = queries.team_by_slug(slug)
    days = _period_days(request)
    if days is None:
        return _bad_period()
    return _attachment(reports.scorecard_report(team, fmt, period_days=days))


@require_GET
def org_export(request, fmt):
    fmt = _format(fmt)
    days = _period_days(request)
    if days is None:
        return _bad_period()
    return _attachment(reports.org_report(fmt, period_days=days))
