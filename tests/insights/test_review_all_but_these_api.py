"""POST /review/clusters/{id}/assign with `leave_out`: one answer for all but the messages a
person left out; ids outside the cluster, or leaving every message out, are refused (422)."""

from __future__ import annotations

from cxkeeper.insights import queries
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback
from cxkeeper.testing.api_matrix import ApiClient

from .test_review_queue import (
    SPAM,
    org,  # noqa: F401 - the fixture
)


def test_assign_a_cluster_for_all_but_these(org):  # noqa: F811
    member = ApiClient(org.it_member)
    spam = sorted(Feedback.objects.filter(text__in=SPAM).values_list("pk", flat=True))
    cluster = queries.queue_cluster(min(spam))
    assert cluster is not None and set(cluster.member_ids) == set(spam)
    url = f"/review/clusters/{cluster.cluster_id}/assign"
    outside = member.post(url, {"off_topic": True, "leave_out": [10**9]})
    assert outside.status_code == 422 and "leave_out" in outside.text
    everything = member.post(url, {"off_topic": True, "leave_out": spam})
    assert everything.status_code == 422 and "Every message was left out" in everything.text
    done = member.post(url, {"off_topic": True, "leave_out": spam[-1:]})
    assert done.status_code == 200 and done.json()["moved"] == len(spam) - 1
    assert Feedback.objects.filter(pk__in=spam[:-1], routed_by=RoutedBy.OFF_TOPIC).count() == len(spam) - 1
    assert Feedback.objects.get(pk=spam[-1]).routed_by != RoutedBy.OFF_TOPIC
    left = member.get(f"/review/clusters/{cluster.cluster_id}").json()
    assert left["size"] == 1 and left["sample"][0]["id"] == spam[-1]
