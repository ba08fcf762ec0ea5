"""The review queue read from its stored order (`queries.queue_order`) shows exactly what a
fresh computation shows — the same items in the same order, the same counts and cluster sizes —
after answers (which reuse the stored order), after an import and after a step is deleted
(which must not)."""

from __future__ import annotations

from django.db.models import Count

from cxkeeper.core import figures
from cxkeeper.core.models import StoredFigure
from cxkeeper.insights import actions, queries
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback
from cxkeeper.journeys.models import Step

from .test_review_queue import PARCEL, SPAM, org, rows  # noqa: F401 - the fixture


def snapshot(step=None):
    """The queue as a person sees it. A cluster is named by its smallest member when computed;
    a stored one keeps that name while members leave (its page's address stays valid), so names
    are compared as "the smallest waiting member"."""
    queue = queries.review_queue(step)
    name: dict[int, int] = {}
    for e in queue.entries:
        name[e.cluster_id] = min(name.get(e.cluster_id, e.feedback_id), e.feedback_id)
    entries = [(e.feedback_id, name[e.cluster_id], round(e.uncertainty, 9), e.disputed_step_id)
               for e in queue.entries]
    assert all(queue.members(c) and min(queue.members(c)) == n for c, n in name.items())
    first = [item.feedback.pk for item in queries.queue_page(queue, queue.entries[:25])]
    return {"remaining": queue.remaining, "clusters": queue.clusters, "entries": entries,
            "page": [e.feedback_id for e in queue.entries[3:8]], "first": first,
            "sizes": {name[c]: n for c, n in queue.cluster_sizes.items()}}


def assert_same_as_fresh(step=None):
    stored = snapshot(step)
    with figures.computed_fresh():
        fresh = snapshot(step)
    assert stored == fresh
    assert stored["remaining"] == len(stored["entries"]) and stored["page"] == [e[0] for e in stored["entries"][3:8]]
    return stored


def stored_orders():
    return list(StoredFigure.objects.filter(key__startswith="insights.queue_order").values_list("key", "computed_at"))


def test_answers_reuse_the_stored_order_and_re_rank_only_what_they_changed(org):  # noqa: F811
    before = assert_same_as_fresh()
    kept = stored_orders()
    assert len(kept) == 1
    spam = list(Feedback.objects.filter(text__in=SPAM).order_by("pk"))
    # one member of the heaviest cluster answered: it shrinks, and may fall behind others
    actions.review_feedback(spam[0], actions.OFF_TOPIC, acting_user=org.it_member)
    actions.review_feedback(spam[1], None, acting_user=org.it_member)
    after = assert_same_as_fresh()
    assert after["remaining"] == before["remaining"] - 2
    assert after["sizes"][spam[2].pk] == len(SPAM) - 2
    assert spam[0].pk not in [e[0] for e in after["entries"]]
    parcel = Feedback.objects.filter(text__in=PARCEL).values_list("pk", flat=True)
    actions.assign_cluster(list(parcel), actions.OFF_TOPIC, acting_user=org.it_member)
    gone = assert_same_as_fresh()
    assert not set(parcel) & {e[0] for e in gone["entries"]}
    assert gone["clusters"] == after["clusters"] - 1
    assert stored_orders() == kept  # never recomputed: answers only take items out


def test_imported_items_appear(org):  # noqa: F811
    before = assert_same_as_fresh()
    source = Feedback.objects.filter(text=SPAM[0]).values_list("source", flat=True).get()
    from cxkeeper.insights.models import FeedbackSource

    actions.ingest_feedback_batch(FeedbackSource.objects.get(pk=source),
                                  rows(["quasar marmalade hedgehog", "FOLLOW for follow"], prefix="N"))
    after = assert_same_as_fresh()
    assert after["remaining"] == before["remaining"] + 2
    new = Feedback.objects.filter(external_id__in=["N0", "N1"]).values_list("pk", flat=True)
    assert set(new) <= {e[0] for e in after["entries"]}


def test_items_moved_in_by_a_step_delete_appear_and_the_step_filter_agrees(org):  # noqa: F811
    before = assert_same_as_fresh()
    step_id = (Feedback.objects.filter(routed_by=RoutedBy.MODEL, routing_confidence__gte=0.9)
               .values("step").annotate(n=Count("pk")).order_by("-n").values_list("step", flat=True).first())
    assert step_id is not None, "the fixture has confident model routes"
    doubted = (Feedback.objects.filter(routed_by=RoutedBy.MODEL).values("step").annotate(n=Count("pk"))
               .order_by("-n").values_list("step", flat=True))
    for other in doubted:
        assert_same_as_fresh(Step.objects.get(pk=other))
    moved = actions.unroute_feedback_at_step(Step.objects.get(pk=step_id), acting_user=org.keeper)
    assert moved
    after = assert_same_as_fresh()
    assert after["remaining"] > before["remaining"]
