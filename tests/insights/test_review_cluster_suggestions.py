"""The cluster page's suggestions (the router's top steps for a whole cluster) are computed once
per router and set of members, and read back on every later view (review finding: 40–49 ms
of model inference on every view)."""

from __future__ import annotations

from cxkeeper.core import figures
from cxkeeper.insights import actions, queries, routing
from cxkeeper.insights.models import Feedback
from cxkeeper.insights.text.router import StepRouter

from .test_review_queue import (
    PARCEL,
    SPAM,
    client_of,
    org,  # noqa: F401 - the fixture
)


def _counting_routes(monkeypatch) -> list[int]:
    calls: list[int] = []
    route = StepRouter.route

    def counted(self, texts, *args, **kwargs):
        calls.append(1 if isinstance(texts, str) else len(texts))
        return route(self, texts, *args, **kwargs)

    monkeypatch.setattr(StepRouter, "route", counted)
    return calls


def _shown(cluster) -> list[tuple[int, float, bool]]:
    return [(s.step.pk, round(s.confidence, 9), s.readable) for s in cluster.suggestions]


def test_cluster_suggestions_are_computed_once_per_router_and_members(org, monkeypatch):  # noqa: F811
    parcel = min(Feedback.objects.filter(text__in=PARCEL).values_list("pk", flat=True))
    client = client_of(org.it_member)
    assert client.get(f"/feedback/review/clusters/{parcel}/").status_code == 200  # the queue and the figure kept
    calls = _counting_routes(monkeypatch)
    first = queries.queue_cluster(parcel)
    assert first.suggestions and not calls  # read back: no message routed again
    assert client.get(f"/feedback/review/clusters/{parcel}/").status_code == 200
    assert not calls
    with figures.computed_fresh():
        fresh = queries.queue_cluster(parcel)
    assert calls and _shown(fresh) == _shown(first)
    # one member answered: the rest is another set of members, computed once again
    calls.clear()
    actions.review_feedback(Feedback.objects.get(pk=first.member_ids[-1]), org.login_step,
                            acting_user=org.it_member)
    smaller = queries.queue_cluster(parcel)
    assert smaller.size == first.size - 1 and calls
    # a new router: computed again with it
    calls.clear()
    routing.train_router(evaluate=False, self_training=False)
    assert queries.queue_cluster(parcel) is not None and calls


def test_suggestions_of_different_clusters_are_kept_apart(org):  # noqa: F811
    parcel = min(Feedback.objects.filter(text__in=PARCEL).values_list("pk", flat=True))
    spam = min(Feedback.objects.filter(text__in=SPAM).values_list("pk", flat=True))
    with figures.computed_fresh():
        expected = {c: _shown(queries.queue_cluster(c)) for c in (parcel, spam)}
    assert {c: _shown(queries.queue_cluster(c)) for c in (parcel, spam)} == expected
    assert {c: _shown(queries.queue_cluster(c)) for c in (parcel, spam)} == expected
