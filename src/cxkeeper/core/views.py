"""Pages every app shares: activity, history, notifications, the one delete confirmation and
the refusal page. (The home page gathers several apps, so it lives above them: cxkeeper.home.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cxkeeper.core import queries, words
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.forms import VersionedForm
from cxkeeper.core.params import parse_id
from cxkeeper.core.removals import removal_consequences

CONFIRM_DELETE = "core/confirm_delete.html"


def activity(request):
    journey = request.GET.get("journey", "")
    records = queries.activity(model=request.GET.get("model") or None,
                               journey_id=parse_id(journey))
    page = Paginator(records, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = {model: label for _, model, label in queries.history_kinds()}
    return render(request, "core/activity.html", {"page": page, "kinds": sorted(kinds.items(), key=lambda k: k[1])})


def object_history(request, app_label, model, object_id):
    if (app_label, model) not in {(app, name) for app, name, _ in queries.history_kinds()}:
        raise Http404("No history for that kind of object.")
    try:
        content_type, records = queries.object_history(app_label, model, object_id)
    except ContentType.DoesNotExist as exc:
        raise Http404 from exc
    obj = content_type.model_class().objects.filter(pk=object_id).first()
    if obj is None and not records.exists():
        raise Http404(f"There is no {words.kind(content_type.name)} {object_id}, and none ever was.")
    page = Paginator(records, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    title = str(obj) if obj is not None else records[0].object_repr
    return render(request, "core/history.html", {"page": page, "object": obj, "title": title,
                                                 "kind": words.kind(content_type.name), "deleted": obj is None})


def confirm_delete(request, obj, delete, *, title: str, cancel_url: str, success_url: str, success_message: str,
                   warning: str = ""):
    """The one delete flow of every page. GET asks, naming what goes (`title`) and, where
    more goes with it or something stands in the way, says so (`warning`). POST calls
    `delete(version)` — the app's own removal action, given the version the question was
    shown at, so a page gone stale is refused — and redirects with `success_message`.

    A Conflict (someone changed the object meanwhile) is shown on the question with 409; a
    refusal that names what still depends on the object is shown as it is with 422; in both
    cases nothing was deleted. The caller has already checked the user may delete it."""
    form = VersionedForm(request.POST or None, initial={"version": obj.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            delete(form.cleaned_data.get("version"))
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        except InvalidInput as exc:
            for problems in exc.errors.values():
                for problem in problems:
                    form.add_error(None, problem)
            status = 422
        else:
            messages.success(request, success_message)
            return HttpResponseRedirect(success_url)
    elif request.method == "POST":
        status = 422
    return render(request, CONFIRM_DELETE, {"form": form, "title": title, "warning": warning, "object": obj,
                                            "consequences": removal_consequences(obj), "cancel_url": cancel_url},
                  status=status)


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


def safe_next(request, value: str | None, fallback: str) -> str:
    """Where to go after a form: `value` only when it stays on this site (a relative path or
    this host), else `fallback` — a `next=https://evil.example/` must not send anyone away."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return value
    return fallback
