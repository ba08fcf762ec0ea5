"""Download links for planning exports on the initiatives list and the action board
(`planning_exports`; issue 15, item 7). Anyone signed in may export what they may read."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from cxkeeper.core import links
from cxkeeper.governance import planning_exports


def _download(request, what: str, fmt: str) -> HttpResponse:
    try:
        planning_exports.check_format(fmt)
    except planning_exports.UnknownExport as exc:
        raise Http404(str(exc)) from None
    layout = request.GET.get("layout", "plain") or "plain"
    try:
        export = planning_exports.export(what, fmt, layout=layout, base_url=links.base_url(request))
    except planning_exports.UnknownExport as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def initiatives_export(request, fmt):
    return _download(request, "initiatives", fmt)


@require_GET
def action_items_export(request, fmt):
    return _download(request, "action-items", fmt)
