"""Home, activity, history, notifications and the refusal page."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cxkeeper.core import queries
from cxkeeper.journeys import queries as journey_queries
from cxkeeper.journeys.permissions import require_structure
from cxkeeper.org.permissions import can

# Objects whose history can be shown: app label → models.
HISTORY_MODELS = {
    "org": {"workspace", "glossaryterm", "team", "person"},
    "journeys": {"persona", "journey", "stage", "step", "responsibility", "handoff"},
    "outcomes": {"metricdefinition", "sharedoutcome", "target", "successstatement", "teamkpi", "kpilink"},
    "initiatives": {"frictionpoint"},
}


def home(request):
    return render(request, "core/home.html", {
        "overview": journey_queries.journeys_overview(),
        "overdue": journey_queries.overdue_journeys(),
        "activity": journey_queries.recent_activity(12),
        "can_structure": can(require_structure, request.user),
    })


def activity(request):
    journey = request.GET.get("journey", "")
    records = queries.activity(model=request.GET.get("model") or None,
                               journey_id=int(journey) if journey.isdigit() else None)
    page = Paginator(records, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/activity.html", {"page": page, "models": sorted(
        m for models in HISTORY_MODELS.values() for m in models)})


def object_history(request, app_label, model, object_id):
    if model not in HISTORY_MODELS.get(app_label, ()):
        raise Http404("No history for that kind of object.")
    try:
        content_type, records = queries.object_history(app_label, model, object_id)
    except ContentType.DoesNotExist as exc:
        raise Http404 from exc
    obj = content_type.model_class().objects.filter(pk=object_id).first()
    if obj is None and not records.exists():
        raise Http404(f"There is no {content_type.name} {object_id}, and none ever was.")
    page = Paginator(records, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    title = str(obj) if obj is not None else (records[0].object_repr if records else f"{model} {object_id}")
    return render(request, "core/history.html", {"page": page, "object": obj, "title": title,
                                                 "kind": content_type.name, "deleted": obj is None})


def notifications(request):
    page = Paginator(queries.notifications_for(request.user), queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@require_POST
def notifications_read(request):
    queries.notifications_for(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")


def healthz(request):
    return JsonResponse({"status": "ok"})


def forbidden(request, exception=None):
    reason = getattr(exception, "reason", None) or "You do not have permission to do that."
    return render(request, "403.html", {"reason": reason}, status=403)


