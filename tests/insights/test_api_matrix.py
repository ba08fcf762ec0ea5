"""The feedback, metrics, review-queue and import endpoints in the endpoint role matrix, like
every other endpoint (tests/api): anonymous → 401, the refused role → 403 with a reason and
nothing written, the allowed role → its status (and a history row where the call records one).
Their figures and shapes are tested in test_api.py and test_review_queue.py."""

from __future__ import annotations

import dataclasses

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions, queries
from cxkeeper.insights.models import Feedback, ImportJob
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix
from cxkeeper.testing.builders import build_small_org

from .test_pages import load_feedback
from .test_review_queue import PARCEL, SINGLES, SPAM, rows


def feedback_world():
    """The small organization with survey feedback, a spam cluster in the review queue, one
    customer to erase and an import job; built once for the matrix (testing/worlds.py)."""
    small_org = load_feedback(build_small_org())
    source = actions.create_source({"name": "Social mentions", "kind": "social"}, acting_user=SYSTEM)
    actions.ingest_feedback_batch(source, rows(SPAM + PARCEL + SINGLES, nps=5))
    erasable = dataclasses.replace(rows(["please forget me"], prefix="E")[0], customer_id="C-1")
    actions.ingest_feedback_batch(source, [erasable])
    small_org.queued = Feedback.objects.get(text=SINGLES[0])
    queue = queries.review_queue()
    small_org.cluster = max(queue.cluster_sizes, key=queue.cluster_sizes.get)  # the five spam messages
    small_org.job = ImportJob.objects.create(source=source, filename="survey.csv", file_sha256="0" * 64, format="csv")
    return small_org


def _one(o):
    return Feedback.objects.get(text=SINGLES[1]).pk


BATCH = [{"external_id": "m1", "received_at": "2026-05-02T10:00:00Z", "channel": "web", "text": "the app login loops"}]

ENDPOINTS = [
    E("GET", "/feedback", lambda o: "/feedback"),
    E("GET", "/feedback/{id}", lambda o: f"/feedback/{o.queued.pk}"),
    E("GET", "/metrics", lambda o: "/metrics?by=step"),
    E("GET", "/metrics/heatmap/{journey_id}", lambda o: f"/metrics/heatmap/{o.journey.pk}"),
    E("GET", "/metrics/friction", lambda o: "/metrics/friction"),
    E("GET", "/review/queue", lambda o: "/review/queue"),
    E("GET", "/review/clusters/{cluster_id}", lambda o: f"/review/clusters/{o.cluster}"),
    E("POST", "/feedback/{id}/route", lambda o: f"/feedback/{o.queued.pk}/route", lambda o: {"step": o.call_step.pk},
      allowed="it_member", refused="viewer", status=200),
    E("POST", "/feedback/{id}/off-topic", lambda o: f"/feedback/{_one(o)}/off-topic",
      allowed="it_member", refused="viewer", status=200),
    E("POST", "/review/clusters/{cluster_id}/assign", lambda o: f"/review/clusters/{o.cluster}/assign",
      lambda o: {"off_topic": True}, allowed="it_member", refused="viewer", status=200),
    E("POST", "/feedback/erase", lambda o: "/feedback/erase", lambda o: {"customer_id": "C-1"},
      allowed="admin", refused="keeper", status=200),
    E("GET", "/imports", lambda o: "/imports", allowed="keeper", refused="viewer", audited=False),
    E("GET", "/imports/{job_id}", lambda o: f"/imports/{o.job.pk}", allowed="keeper", refused="viewer",
      audited=False),
    E("POST", "/imports/batch", lambda o: "/imports/batch?source=App%20reviews", lambda o: BATCH,
      allowed="keeper", refused="viewer", status=200),
]

TestFeedbackEndpointRoles = endpoint_role_matrix(ENDPOINTS, build=feedback_world, keeps=[Feedback])
