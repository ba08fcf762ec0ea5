"""Insight pages: journey heatmap, step insights, feedback explorer, review queue, routing
quality. Views parse and authorize; figures come from `queries` (rollups only), writes from
`actions`, chart specs from `charts`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from cxkeeper.core.params import parse_id
from cxkeeper.core.views import safe_next
from cxkeeper.insights import actions, charts, clock, presentation, queries
from cxkeeper.insights.forms import NONE_OF_THESE, OFF_TOPIC, FeedbackFilterForm, MetricPeriodForm, RouteForm
from cxkeeper.insights.metrics import CATALOGUE
from cxkeeper.insights.warehouse import queries as warehouse_queries
from cxkeeper.journeys import queries as journey_queries
from cxkeeper.journeys.models import Step
from cxkeeper.org.permissions import can, require_keeper

VERBATIMS_PER_PAGE = 20
QUEUE_PER_PAGE = 25

try:  # built separately; the step page shows its Themes section only when the module exists
    from cxkeeper.insights import themes as themes_module
except ImportError:  # pragma: no cover - depends on what is installed
    themes_module = None


def _can_raise_friction(user) -> bool:
    from cxkeeper.insights.permissions import can_propose_friction_point

    return can_propose_friction_point(user)


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _metric_choices():
    return [(key, m.label) for key, m in CATALOGUE.items()]


def heatmap(request, slug):
    journey = journey_queries.journey_by_slug(slug)
    form = MetricPeriodForm(request.GET)
    metric, period, min_n = form.values()
    through = clock.data_through()
    start, end = form.window(period, through)
    result = queries.journey_heatmap(journey, metric=metric, start=start, end=end, min_n=min_n)
    context = {
        "journey": journey, "heatmap": result, "metric": metric, "period": period, "min_n": min_n,
        "data_through": through,
        "metric_label": CATALOGUE[metric].label, "metric_unit": CATALOGUE[metric].scale,
        "metrics": _metric_choices(), "periods": presentation.PERIODS, "legend": presentation.legend(metric),
        "ranking": charts.heatmap_ranking(result) if any(c.value.enough for c in result.cells) else None,
    }
    template = "insights/partials/heatmap_grid.html" if _is_htmx(request) else "insights/heatmap.html"
    return render(request, template, context)


class _CountedPaginator(Paginator):
    """A paginator told its count (from the rollups) instead of counting the rows."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # fills the cached_property


class _CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows: a search for a common word matches a twentieth of every
    message, and counting them all (hundreds of milliseconds at a million rows) tells a person
    no more than "more than 1,000 — narrow the search"; the pages go as far as the cap."""

    def __init__(self, object_list, per_page, *, cap: int, filters: dict):
        super().__init__(object_list, per_page)
        found = queries.feedback_count_up_to(object_list, cap + 1, filters=filters)
        self.capped = found > cap
        self.__dict__["count"] = min(found, cap)  # fills the cached_property


SEARCH_COUNT_CAP = 1000


def step_insights(request, pk):
    step = get_object_or_404(Step.objects.select_related("stage__journey"), pk=pk)
    form = MetricPeriodForm(request.GET)
    metric, period, min_n = form.values()
    through = clock.data_through()
    start, end = form.window(period, through)
    insights = queries.step_insights(step, metric=metric, start=start, end=end, min_n=min_n)
    tiles = [presentation.shown(name, insights.total.value(name))
             for name in ("nps", "csat", "ces", "ces_easy", "sentiment", "negative_share", "churn_rate",
                          "complaint_share", "volume")]
    # The step's own page needs only the source of each item; the count comes from the rollups
    # (every stored item of the step is in them), not from counting the step's feedback rows.
    rows = queries.feedback_list(step=step).select_related(None).select_related("source")
    # Feedback kept in a warehouse is in the rollups but not in the store (its sample shows apart).
    stored = queries.step_feedback_count(step) - warehouse_queries.external_count(step.pk)
    verbatims = _CountedPaginator(rows, VERBATIMS_PER_PAGE, count=stored).get_page(
        request.GET.get("page"))
    themes = queries.step_themes(step, since=start, as_of=end) if themes_module is not None else None
    context = {
        "step": step, "journey": step.stage.journey, "insights": insights, "metric": metric, "period": period,
        "data_through": through,
        "min_n": min_n, "metric_label": CATALOGUE[metric].label, "metrics": _metric_choices(),
        "periods": presentation.PERIODS, "tiles": tiles, "page": verbatims,
        "themes_available": themes_module is not None,
        "themes": themes, "themes_since": start, "themes_as_of": end,
        "can_raise_friction": _can_raise_friction(request.user),
        "trend_chart": charts.trend(insights),
        "trend_n_chart": charts.trend_n(insights),
        "nps_chart": charts.nps_distribution(insights) if insights.nps_distribution["n"] else None,
        "ces_chart": charts.ces_split(insights) if insights.ces_split["n"] else None,
        "channel_chart": charts.split(insights.channels, metric, title=f"{CATALOGUE[metric].label} by channel",
                                      min_n=min_n) if insights.channels else None,
        "segment_chart": charts.split(insights.segments, metric, title=f"{CATALOGUE[metric].label} by segment",
                                      min_n=min_n) if insights.segments else None,
    }
    return render(request, "insights/step_insights.html", context)


def feedback_explorer(request):
    choices = queries.filter_choices()
    form = FeedbackFilterForm(request.GET or None, choices=choices)
    filters = form.filters() if request.GET else {}
    rows = queries.feedback_list(**filters)
    paginator = (_CappedPaginator(rows, 25, cap=SEARCH_COUNT_CAP, filters=filters) if filters.get("q")
                 else Paginator(rows, 25))
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "insights/feedback_list.html", {"form": form, "page": page, "filtered": bool(request.GET),
                                                           "capped": getattr(paginator, "capped", False)})


def review_queue(request):
    step = None
    if request.GET.get("step", "").isdigit():
        step = Step.objects.select_related("stage__journey").filter(pk=int(request.GET["step"])).first()
    queue = queries.review_queue(step, per_group=queries.QUEUE_LISTED_PER_GROUP)
    page = Paginator(queue.entries, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    items = queries.queue_page(queue, list(page))
    share = queries.routed_share()
    # "since you started": the share when this person first opened the queue in this session
    started = request.session.setdefault("review_started_share", share.share)
    steps = queries.filter_choices()["steps"]
    context = {
        "page": page, "step": step, "queue": queue, "queue_items": items,
        "items": [(item.feedback, item.suggestions) for item in items],
        "steps": steps, "none_value": NONE_OF_THESE, "off_topic_value": OFF_TOPIC,
        # the same options under every message: rendered once, not once per message (most of the page's work)
        "step_options": render_to_string("insights/_step_options.html", {"steps": steps}),
        "share": share, "started_share": started, "relearn": queries.latest_relearn(),
        "min_confidence": queries.SUGGESTION_MIN_CONFIDENCE, "spot_share": 100 * queries.spot_check_share(),
        "per_group": queries.QUEUE_LISTED_PER_GROUP,
        "can_correct": can(actions.require_correct, request.user, None),
        "can_retrain": can(require_keeper, request.user, "retrain the step router"),
    }
    return render(request, "insights/review.html", context)


OTHER_STEP = "other"  # the cluster page's "these messages are about <a step from the list>" button


def review_cluster(request, cluster_id):
    """A cluster of similar queue items: a sample first, then one answer for all of them."""
    from django.http import Http404

    cluster = queries.queue_cluster(cluster_id)
    if cluster is None:
        raise Http404("Every message of this cluster has been reviewed.")
    return render(request, "insights/review_cluster.html", {
        "cluster": cluster, "steps": queries.filter_choices()["steps"], "none_value": NONE_OF_THESE,
        "other_value": OTHER_STEP,
        "off_topic_value": OFF_TOPIC, "min_confidence": queries.SUGGESTION_MIN_CONFIDENCE,
        "can_correct": can(actions.require_correct, request.user, None),
    })


@require_POST
def assign_cluster(request, cluster_id):
    actions.require_correct(request.user, None)  # refused before anything is read
    cluster = queries.queue_cluster(cluster_id)
    if cluster is None:
        messages.info(request, "Every message of that cluster has already been reviewed.")
        return redirect(reverse("insights:review"))
    data = request.POST.copy()
    if data.get("step") == OTHER_STEP:  # "these messages are about" with a step from the list
        data["step"] = data.get("other_step", "")
    form = RouteForm(data)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("step", ["Choose a step."])))
        return redirect(reverse("insights:review_cluster", args=[cluster_id]))
    try:
        members = cluster.all_but(data.getlist("leave_out"))
    except ValueError as problem:
        messages.error(request, str(problem))
        return redirect(reverse("insights:review_cluster", args=[cluster_id]))
    answer = form.cleaned_data["step"]
    moved = actions.assign_cluster(members, answer, acting_user=request.user,
                                   description=cluster.sample[0].text[:120] if cluster.sample else "")
    where = ("set aside as off-topic" if answer == OFF_TOPIC else f"routed to “{answer.name}”" if answer
             else "marked as about none of the steps")
    if cluster.spot_step is not None and answer == cluster.spot_step:
        where = f"confirmed on “{answer.name}”"
        if len(members) == cluster.size:
            where += " (this spot check is not asked again)"
    left = cluster.size - len(members)
    messages.success(request, f"{moved} similar message{'s' if moved != 1 else ''} {where}. "
                              + (f"{left} left out {'keep' if left != 1 else 'keeps'} waiting for an answer. "
                                 if left else "") + "The router is learning from them.")
    return redirect(reverse("insights:review"))


@require_POST
def route_feedback(request, pk):
    feedback = queries.feedback_by_id(pk)
    actions.require_correct(request.user, feedback)  # refused before anything is parsed
    form = RouteForm(request.POST)
    if not form.is_valid():
        problem = " ".join(form.errors.get("step", ["Choose a step."]))
        if _is_htmx(request):
            return render(request, "insights/partials/review_done.html",
                          {"feedback": feedback, "error": problem}, status=422)
        messages.error(request, problem)
        return redirect(reverse("insights:review"))
    answer = form.cleaned_data["step"]
    feedback = actions.review_feedback(feedback, answer, acting_user=request.user)
    step = None if answer == OFF_TOPIC else answer
    if _is_htmx(request):
        return render(request, "insights/partials/review_done.html",
                      {"feedback": feedback, "step": step, "off_topic": answer == OFF_TOPIC})
    messages.success(request, "Set aside as off-topic." if answer == OFF_TOPIC else
                     f"Routed to “{step.name}”." if step else "Marked as about no step of the map.")
    return redirect(safe_next(request, request.POST.get("next"), reverse("insights:review")))


@require_POST
def retrain_router(request):
    model = actions.retrain_router(acting_user=request.user)
    if model is None:
        messages.error(request, "The router needs at least two steps on the journey map.")
    else:
        messages.success(request, f"Router retrained on {model.n_examples} examples "
                                  f"({model.n_corrections} corrections).")
    return redirect(reverse("insights:routing"))


def routing_quality(request):
    return render(request, "insights/routing.html", {
        "quality": queries.routing_quality(),
        "sentiment": queries.sentiment_choice(),
        "can_retrain": can(require_keeper, request.user, "retrain the step router"),
    })




THEME_GROUPS = (
    ("problem", "Problems customers raise", "Themes where most customers are unhappy (by their scores and the tone "
     "of their words). Adopt a theme's wording as example phrases of its step, so routing learns it, or raise it "
     "as a friction point.", True),
    ("mixed", "Other themes in unrouted feedback", "Neither mostly unhappy nor mostly happy: often topics the map "
     "does not cover yet. Raise one as a friction point when it shows a problem.", True),
    ("praise", "Praise", "Themes where most customers are happy: worth passing on to the teams, not friction.",
     False),
)


def friction(request):
    """Where customers struggle now: one card per step with its credible signals, ranked by
    customers affected × severity; themes split into problems, other topics and praise."""
    from cxkeeper.insights.friction import signal_cards
    from cxkeeper.journeys.models import Journey

    journey = Journey.objects.filter(slug=request.GET.get("journey", "")).first()
    window = request.GET.get("window", "28")
    window_days = int(window) if window in ("14", "28", "56") else 28
    result = queries.friction_signals(journey, window_days=window_days)
    from cxkeeper.insights.themes import theme_as_phrases

    themes = result["themes"] or []
    for theme in themes:
        theme.phrases = theme_as_phrases(theme, k=5)
    groups = [{"tone": tone, "title": title, "intro": intro, "raisable": raisable,
               "themes": [t for t in themes if t.tone == tone]} for tone, title, intro, raisable in THEME_GROUPS]
    return render(request, "insights/friction.html", {
        **result, "cards": signal_cards(result["signals"]), "journeys": Journey.objects.all(), "selected": journey,
        "window_days": window_days, "theme_groups": [g for g in groups if g["themes"]],
        "window_start": result["as_of"] - dt.timedelta(days=window_days - 1) if result["as_of"] else None,
        "can_edit_steps": can(require_keeper, request.user, "x"),
        # the discovery the themes came from, so "Raise as friction point" finds the same theme
        "themes_since": result["as_of"] - dt.timedelta(days=56) if result["as_of"] else None,
        "can_raise_friction": _can_raise_friction(request.user),
    })


@require_POST
def add_theme_phrases(request, pk):
    """A keeper adopts a theme's wording as example phrases of a step (used at the next retraining)."""
    from django.shortcuts import get_object_or_404

    from cxkeeper.core.errors import Conflict
    from cxkeeper.journeys.actions import add_example_phrases

    step = get_object_or_404(Step, pk=pk)
    version = request.POST.get("version", "")
    try:
        step, added = add_example_phrases(step, request.POST.getlist("phrase")[:10],
                                          expected_version=parse_id(version) or 0,
                                          acting_user=request.user)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(step.get_absolute_url())
    if added:
        messages.success(request, f"Added {added} example phrase(s) to “{step.name}”. "
                                  "Retrain the router to use them.")
    else:
        messages.info(request, "Those phrases are already on the step.")
    return redirect(step.get_absolute_url())


def erase_customer(request):
    """Admins erase one customer's feedback on request; the history keeps only the count."""
    from django import forms as django_forms

    from cxkeeper.core.forms import run_form
    from cxkeeper.org.permissions import require_admin

    require_admin(request.user, "erase a customer's feedback")

    class EraseForm(django_forms.Form):
        customer_id = django_forms.CharField(max_length=200, label="Customer id",
                                             help_text="Exactly as it was in the imported data.")
        confirm = django_forms.BooleanField(label="I understand this cannot be undone")

    def perform(data):
        result = actions.erase_customer(data["customer_id"], acting_user=request.user)
        uploads = (f" {result.uploads_deleted} raw upload(s) of unfinished imports were deleted too."
                   if result.uploads_deleted else "")
        if result.rejected_rows_erased:
            uploads += (f" What {result.rejected_rows_erased} rejected row(s) of imports kept about the customer "
                        "was erased from the import reports.")
        messages.success(request,
                         f"Erased {result.erased} feedback item(s) of that customer; figures updated.{uploads}")

    return run_form(request, EraseForm(request.POST or None), perform, template="core/form.html",
                    context={"title": "Erase a customer's feedback", "cancel_url": reverse("insights:feedback")},
                    success_url=reverse("insights:feedback"))
