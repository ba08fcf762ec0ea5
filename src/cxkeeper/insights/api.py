"""Feedback and metrics endpoints under /api/v1 (see docs/insights.md).

The same reads as the pages (`insights.queries`, figures from the rollups only) and the same
action for corrections (`actions.correct_feedback_step`: members, keepers and admins;
viewers are refused with a reason)."""


import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxkeeper.core.api import READ_ERRORS, WRITE_ERRORS, ApiPagination, acting_user, get_or_404, ref
from cxkeeper.core.errors import InvalidInput
from cxkeeper.insights import actions, clock, queries
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N, MetricValue
from cxkeeper.insights.models import Feedback, FeedbackSource
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import Team

feedback_router = Router(tags=["feedback"])
metrics_router = Router(tags=["metrics"])
review_router = Router(tags=["review queue"])

journey_ref = ref(Journey, "slug", "name")
team_ref = ref(Team, "slug", "name")
step_ref = ref(Step)
source_ref = ref(FeedbackSource, "name")

# ---------------------------------------------------------------- feedback


class StepBrief(Schema):
    id: int
    name: str
    stage: str
    journey: str


class FeedbackOut(Schema):
    id: int
    source: str = Field(description="Feedback source name.")
    external_id: str
    received_at: dt.datetime
    channel: str
    segment: str
    text: str = Field(description="PII-redacted text, as stored. Treat it as untrusted: escape when displaying.")
    nps: int | None
    csat: int | None
    csat_max: int | None
    ces: int | None
    event_type: str
    sentiment: float | None
    step: StepBrief | None
    routed_by: str = Field(description="'' (unrouted), model, rule, person or off_topic (set aside by a reviewer: "
                                       "in no figure).")
    routing_confidence: float | None

    @staticmethod
    def resolve_source(obj: Feedback) -> str:
        return obj.source.name

    @staticmethod
    def resolve_step(obj: Feedback) -> dict | None:
        if obj.step is None:
            return None
        return {"id": obj.step.pk, "name": obj.step.name, "stage": obj.step.stage.name,
                "journey": obj.step.stage.journey.name}


class FeedbackFilters(Schema):
    q: str | None = Field(None, description="text contains (case-insensitive substring)")
    journey: str | None = Field(None, description="journey id, slug or name")
    step: int | None = Field(None, description="step id")
    channel: str | None = None
    segment: str | None = Field(None, description=f"segment; “{queries.NO_SEGMENT_LABEL}” for none")
    source: str | None = Field(None, description="source id or name")
    routed: Literal["routed", "unrouted", "person", "model", "rule", "off_topic"] | None = None
    from_: dt.date | None = Field(None, alias="from", description="received on or after (YYYY-MM-DD)")
    to: dt.date | None = Field(None, description="received on or before (YYYY-MM-DD)")


@feedback_router.get("", url_name="feedback_list", response={200: list[FeedbackOut], **READ_ERRORS},
                     summary="List feedback (newest first)")
@paginate(ApiPagination)
def list_feedback(request, filters: Query[FeedbackFilters]):
    return queries.feedback_list(
        q=filters.q or "", journey=journey_ref(filters.journey, "journey") if filters.journey else None,
        step=step_ref(filters.step, "step") if filters.step is not None else None,
        channel=filters.channel or "", segment=filters.segment or None,
        source=source_ref(filters.source, "source") if filters.source else None,
        routed=filters.routed or "", start=filters.from_, end=filters.to,
    )


# Batch ingest is POST /api/v1/imports/batch (insights/api_ingest.py), not part of this router.


class EraseIn(Schema):
    customer_id: str = Field(description="the customer id exactly as it was in the imported data")


class EraseOut(Schema):
    erased: int
    uploads_deleted: int = Field(0, description="raw uploaded files still kept for unfinished imports, deleted whole")
    rejected_rows_erased: int = Field(0, description="rejected rows kept for import reports that named the customer: "
                                                     "their values and reasons erased")


@feedback_router.post("/erase", url_name="feedback_erase", response={200: EraseOut, **WRITE_ERRORS},
                      summary="Erase every piece of one customer's feedback (admins; figures update)")
def erase_customer(request, payload: EraseIn):
    result = actions.erase_customer(payload.customer_id, acting_user=acting_user(request))
    return EraseOut(erased=result.erased, uploads_deleted=result.uploads_deleted,
                    rejected_rows_erased=result.rejected_rows_erased)


@feedback_router.get("/{id}", url_name="feedback", response={200: FeedbackOut, **READ_ERRORS},
                     summary="Get one piece of feedback")
def get_feedback(request, id: int):
    return get_or_404(Feedback, id, queries.feedback_list())


class RouteIn(Schema):
    step: int | None = Field(description="The step this feedback is about, or null for none of the map's steps.")


@feedback_router.post("/{id}/route", url_name="feedback_route", response={200: FeedbackOut, **WRITE_ERRORS},
                      summary="Correct the step of a piece of feedback (members, keepers, admins)")
def route_feedback(request, id: int, payload: RouteIn):
    feedback = get_or_404(Feedback, id, queries.feedback_list())
    actions.require_correct(acting_user(request), feedback)
    step = step_ref(payload.step, "step") if payload.step is not None else None
    actions.review_feedback(feedback, step, acting_user=acting_user(request))  # the router learns from it too
    return get_or_404(Feedback, id, queries.feedback_list())


@feedback_router.post("/{id}/off-topic", url_name="feedback_off_topic", response={200: FeedbackOut, **WRITE_ERRORS},
                      summary="Set a piece of feedback aside as off-topic: out of every figure and the queue "
                              "(members, keepers, admins)")
def mark_off_topic(request, id: int):
    feedback = get_or_404(Feedback, id, queries.feedback_list())
    actions.review_feedback(feedback, actions.OFF_TOPIC, acting_user=acting_user(request))
    return get_or_404(Feedback, id, queries.feedback_list())


# ---------------------------------------------------------------- review queue


class SuggestionOut(Schema):
    step: StepBrief
    confidence: float
    confident: bool = Field(description=f"confidence ≥ {queries.SUGGESTION_MIN_CONFIDENCE}: offered as the answer")
    set_aside: bool = Field(False, description="the router set the message aside for a person: its words point to "
                                               "this step, where it came from does not fit it (never offered as "
                                               "the answer)")


class QueueItemOut(Schema):
    feedback: FeedbackOut
    cluster: int = Field(description="the cluster of similar messages it belongs to (assign it in one call)")
    cluster_size: int = Field(description="messages of that cluster still waiting for review")
    uncertainty: float = Field(description="1 − the router's confidence; for a disputed step column, the "
                                           "router's confidence in its other step")
    suggestions: list[SuggestionOut]
    more: int = Field(0, description="with per_group, on the last listed member of a group: the group's waiting "
                                     "members not listed (answer them with the cluster)")


class RoutedShareOut(Schema):
    total: int = Field(description="stored feedback that counts in figures (off-topic excluded)")
    routed: int
    share: float | None = Field(description="routed share in %")
    unrouted_share: float | None = Field(description="unrouted share in % (the “Unrouted” figures)")


class QueueOut(Schema):
    remaining: int = Field(description="items that need a person")
    clusters: int = Field(description="clusters of similar messages among them")
    like_off_topic: int = Field(0, description="unrouted items not asked about: just like a message a person "
                                               "set aside as off-topic")
    routed_share: RoutedShareOut
    items: list[QueueItemOut] = Field(description="in review order: the cluster whose answer teaches most first")


class QueueQuery(Schema):
    step: int | None = Field(None, description="only items now on this step")
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0)
    per_group: int | None = Field(None, ge=1, le=100, description=(
        "list at most this many members of each group of similar messages, one per wording (the web page lists "
        f"{queries.QUEUE_LISTED_PER_GROUP}); default every member"))


def _suggestion(s) -> dict:
    return {"step": {"id": s.step.pk, "name": s.step.name, "stage": s.step.stage.name,
                     "journey": s.step.stage.journey.name}, "confidence": s.confidence, "confident": s.confident,
            "set_aside": s.set_aside}


def _share(share) -> dict:
    return {"total": share.total, "routed": share.routed, "share": share.share, "unrouted_share": share.unrouted_share}


@review_router.get("/queue", url_name="review_queue", response={200: QueueOut, **READ_ERRORS},
                   summary="What needs a person, in review order, with clusters of similar messages")
def review_queue(request, query: Query[QueueQuery]):
    queue = queries.review_queue(step_ref(query.step, "step") if query.step is not None else None,
                                 per_group=query.per_group)
    items = queries.queue_page(queue, queue.entries[query.offset:query.offset + query.limit])
    return {"remaining": queue.remaining, "clusters": queue.clusters, "like_off_topic": queue.like_off_topic,
            "routed_share": _share(queries.routed_share()),
            "items": [{"feedback": item.feedback, "cluster": item.entry.cluster_id, "cluster_size": item.cluster_size,
                       "uncertainty": item.entry.uncertainty, "more": item.entry.more,
                       "suggestions": [_suggestion(s) for s in item.suggestions]} for item in items]}


class StepNamed(Schema):
    id: int
    name: str | None = Field(description="null when the step has been deleted since")
    journey: str | None


class AccuracyOut(Schema):
    percent: float = Field(description="cross-validated accuracy on the router's own examples, in %")
    n_examples: int
    n_corrections: int
    measured_at: dt.datetime


class StoredRoutingOut(Schema):
    total: int = Field(description="stored feedback that counts in figures (off-topic excluded)")
    routed: int
    unrouted: int
    routed_share: float | None = Field(description="in %")
    unrouted_share: float | None = Field(description="in % (the “Unrouted” figures everywhere)")


class OffTopicOut(Schema):
    n: int
    of: int = Field(description="every stored item")
    share: float | None = Field(description="in %")


class PlacedByOut(Schema):
    routed_by: str
    on_step: bool
    label: str
    n: int
    share: float | None = Field(description="in % of every stored item")


class RouterOut(Schema):
    trained_at: dt.datetime
    n_examples: int
    n_steps: int
    n_corrections: int
    threshold_percent: float = Field(description="it routes a message when at least this sure")


class SelfTrainingOut(Schema):
    learnt_from: int = Field(description="stored messages it was sure of and learnt from")
    distinct_read: int
    contexts: int = Field(description="combinations of the context parts it weighed")
    context_parts: list[str]
    set_aside: int | None = Field(None, description="wordings it left for a person to place because where they "
                                                    "came from contradicted the step their words pointed to "
                                                    "(null: a router trained before it checked)")


class StepAccuracyOut(Schema):
    step: StepNamed
    accuracy_percent: float


class ConfusedOut(Schema):
    about: StepNamed | None
    taken_for: StepNamed | None
    times: int


class RoutingQualityOut(Schema):
    accuracy: AccuracyOut | None = Field(description="null until a router has been measured")
    stored: StoredRoutingOut
    off_topic: OffTopicOut
    placed_by: list[PlacedByOut]
    router: RouterOut | None
    self_training: SelfTrainingOut | None = Field(description="null when the router did not self-train")
    per_step: list[StepAccuracyOut] = Field(description="worst first")
    confused: list[ConfusedOut]
    error: str | None


@review_router.get("/routing-quality", url_name="routing_quality", response={200: RoutingQualityOut, **READ_ERRORS},
                   summary="The routing quality page's figures: accuracy, routed and off-topic shares, what the "
                           "router learnt from")
def routing_quality(request):
    return queries.routing_quality().as_data()


@review_router.post("/retrain", url_name="routing_retrain", response={200: RoutingQualityOut, **WRITE_ERRORS},
                    summary="Retrain and measure the router now, as the page's “Retrain router” (keepers and admins); "
                            "answers the routing quality figures")
def retrain(request):
    if actions.retrain_router(acting_user=acting_user(request)) is None:
        raise InvalidInput({"steps": "The router needs at least two steps on the journey map."})
    return queries.routing_quality().as_data()


class ClusterOut(Schema):
    cluster: int
    size: int
    sample: list[FeedbackOut]
    suggestions: list[SuggestionOut] = Field(description="steps for the whole cluster (members' confidences averaged)")


def _cluster(cluster_id: int):
    from ninja.errors import HttpError

    cluster = queries.queue_cluster(cluster_id)
    if cluster is None:
        raise HttpError(404, "No message of that cluster is waiting for review.")
    return cluster


@review_router.get("/clusters/{cluster_id}", url_name="review_cluster", response={200: ClusterOut, **READ_ERRORS},
                   summary="A cluster of similar messages waiting for review, with a sample")
def review_cluster(request, cluster_id: int):
    cluster = _cluster(cluster_id)
    return {"cluster": cluster.cluster_id, "size": cluster.size, "sample": cluster.sample,
            "suggestions": [_suggestion(s) for s in cluster.suggestions]}


class AssignIn(Schema):
    step: int | None = Field(None, description="the step every message of the cluster is about; null with "
                                               "off_topic false for “none of these steps”")
    off_topic: bool = Field(False, description="set every message aside as off-topic instead")
    leave_out: list[int] = Field(default_factory=list, description="“all but these”: ids of messages of the "
                                 "cluster the answer is not for (they keep waiting for review)")


class AssignOut(Schema):
    moved: int = Field(description="messages answered (those a person answered meanwhile keep that answer)")
    routed_share: RoutedShareOut


@review_router.post("/clusters/{cluster_id}/assign", url_name="review_cluster_assign",
                    response={200: AssignOut, **WRITE_ERRORS},
                    summary="One answer for every message of a cluster, in one transaction (members, keepers, admins)")
def assign_cluster(request, cluster_id: int, payload: AssignIn):
    user = acting_user(request)
    actions.require_correct(user, None)
    if payload.off_topic and payload.step is not None:
        raise InvalidInput({"step": "Give a step or off_topic, not both."})
    cluster = _cluster(cluster_id)
    answer = actions.OFF_TOPIC if payload.off_topic else (
        step_ref(payload.step, "step") if payload.step is not None else None)
    try:
        members = cluster.all_but(payload.leave_out)
    except ValueError as problem:
        raise InvalidInput({"leave_out": str(problem)}) from None
    moved = actions.assign_cluster(members, answer, acting_user=user,
                                   description=cluster.sample[0].text[:120] if cluster.sample else "")
    return {"moved": moved, "routed_share": _share(queries.routed_share())}


# ---------------------------------------------------------------- metrics


class MetricOut(Schema):
    value: float | None = Field(description="null when there are too few responses (enough = false)")
    low: float | None = Field(description="95% interval, low end")
    high: float | None = Field(description="95% interval, high end")
    n: int
    enough: bool = Field(description="n ≥ min_n")


class MetricRowOut(Schema):
    key: Any = Field(description="id of the step/stage/journey/team (null = unrouted), the channel or segment, "
                                 "or the first day of the day/week/month")
    label: str
    n: int = Field(description="feedback items in the group")
    metrics: dict[str, MetricOut] = Field(description=", ".join(queries.METRICS) + ", and field:NAME for each "
                                                                                   "field asked for")


class MetricsPeriodOut(Schema):
    start: dt.date
    end: dt.date
    days: int


class MetricsOut(Schema):
    by: str
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None
    data_through: dt.date | None = Field(description="the clock's last day of data (docs/insights.md, “The clock”)")
    period: MetricsPeriodOut = Field(
        description="the days measured: from/to, by default the 90 days ending data_through")
    min_n: int
    rows: list[MetricRowOut]


class MetricsQuery(Schema):
    by: Literal["step", "stage", "journey", "team", "channel", "segment", "day", "week", "month"] = "step"
    journey: str | None = Field(None, description="journey id, slug or name")
    step: int | None = None
    team: str | None = Field(None, description="team id, slug or name (steps it owns or contributes to)")
    channel: str | None = None
    segment: str | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    min_n: int = Field(DEFAULT_MIN_N, ge=1, le=1_000_000, description="below it: “too few responses”")
    field: list[str] = Field(default_factory=list, max_length=20,
                             description="custom declared numeric fields (repeatable): each row's metrics gain "
                                         "`field:NAME`, its mean with a t interval; not with by/filter channel or "
                                         "segment")


def metrics_payload(*, by: str, journey=None, step=None, team=None, channel: str = "", segment: str = "",
                    start=None, end=None, min_n: int = DEFAULT_MIN_N, fields: list[str] | tuple = ()) -> dict:
    """The shape of GET /metrics, shared with `cxkeeper metrics --json`. `fields` adds the mean of
    each custom declared field as metric `field:NAME` (InvalidInput where it cannot apply)."""
    fields = list(dict.fromkeys(f.strip() for f in fields if f and f.strip()))
    if fields and (by not in queries.FIELD_DIMENSIONS or channel or segment):
        raise InvalidInput({"field": "custom fields are summed per step and day: group by "
                                     f"{', '.join(queries.FIELD_DIMENSIONS)}, without a channel or segment filter"})
    period = clock.period(end=end, start=start)
    start, end = period.start, period.end
    figures = queries.metric_table(by, journey=journey, step=step, team=team, channel=channel, segment=segment,
                                   start=start, end=end, min_n=min_n)
    rows = [queries.figure_dict(f) for f in figures]
    for name in fields:
        values = queries.field_table(name, by, journey=journey, step=step, team=team, start=start, end=end,
                                     min_n=min_n)
        for row in rows:
            value = values.get(row["key"]) or MetricValue.too_few(0)
            row["metrics"][queries.FIELD_PREFIX + name] = queries.metric_dict(value)
    return {"by": by, "from": start.isoformat(), "to": end.isoformat(), **clock.clock_dict(period),
            "min_n": min_n, "rows": rows}


@metrics_router.get("", url_name="metrics", response={200: MetricsOut, **READ_ERRORS}, by_alias=True,
                    summary="CX metrics with n and 95% intervals, grouped by one dimension")
def metrics(request, query: Query[MetricsQuery]):
    segment = query.segment or ""
    return metrics_payload(
        by=query.by, journey=journey_ref(query.journey, "journey") if query.journey else None,
        step=step_ref(query.step, "step") if query.step is not None else None,
        team=team_ref(query.team, "team") if query.team else None, channel=query.channel or "",
        segment="" if segment == queries.NO_SEGMENT_LABEL else segment,
        start=query.from_, end=query.to, min_n=query.min_n, fields=query.field,
    )


class HeatmapQuery(Schema):
    metric: Literal[tuple(queries.METRICS)] = "nps"  # type: ignore[valid-type]
    period: int = Field(90, ge=1, le=3660, description="days up to and including the data-through day")
    min_n: int = Field(DEFAULT_MIN_N, ge=1, le=1_000_000)


@metrics_router.get("/heatmap/{journey_id}", url_name="metrics_heatmap", response={200: dict, **READ_ERRORS},
                    summary="A journey's steps by stage with one metric, its interval, n and colour")
def heatmap(request, journey_id: int, query: Query[HeatmapQuery]):
    journey = get_or_404(Journey, journey_id)
    period = clock.period(query.period)
    result = queries.journey_heatmap(journey, metric=query.metric, start=period.start, end=period.end,
                                     min_n=query.min_n)
    return {**queries.heatmap_dict(result), **clock.clock_dict(period)}


class FrictionQuery(Schema):
    journey: str | None = Field(None, description="journey id, slug or name; all journeys when omitted")
    window: Literal[14, 28, 56] = Field(28, description="days in the window compared")


@metrics_router.get("/friction", url_name="metrics_friction", response={200: dict, **READ_ERRORS},
                    summary="Credible friction signals, each explained, with the responsible teams")
def friction(request, query: Query[FrictionQuery]):
    journey = journey_ref(query.journey, "journey") if query.journey else None
    result = queries.friction_signals(journey, window_days=query.window, with_themes=False)
    return {"as_of": result["as_of"].isoformat() if result["as_of"] else None, "window_days": query.window,
            **clock.clock_dict(clock.period(query.window, end=result["as_of"]) if result["as_of"] else None),
            "comparisons": result["family_size"], "signals": [queries.signal_dict(s) for s in result["signals"]]}
