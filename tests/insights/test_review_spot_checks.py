"""Spot checks in the review queue (decision 0029): a share of the queue's groups asks about
the largest clusters of messages the router placed confidently, one entry standing for the
whole cluster, answered in one action; a confirmed spot check never comes back."""

from __future__ import annotations

import numpy as np
import pytest

from cxkeeper.core import figures
from cxkeeper.insights import actions, queries
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback

from .test_review_queue import client_of, rows
from .test_review_queue import org as queue_org  # noqa: F401 - the fixture

LOGIN = ["I can't log in, the password reset never arrives", "i cant log in, the password reset never arrives!",
         "I can't log in - the password reset never arrives", "I can't log in, the password reset never arrives.",
         "I can't log in, the password reset never arrives again", "I CAN'T LOG IN, the password reset never arrives"]
HOLD = ["kept on hold on the helpline for an hour", "Kept on hold on the helpline for an hour!",
        "kept on hold on the helpline for an hour again", "kept on hold on the helpline for 2 hours",
        "KEPT ON HOLD on the helpline for an hour", "kept on hold on the helpline for an hour..."]


@pytest.fixture
def org(queue_org):  # noqa: F811
    source = actions.create_source({"name": "Chat export", "kind": "survey"}, acting_user=queue_org.keeper)
    actions.ingest_feedback_batch(source, rows(LOGIN + HOLD, prefix="S", nps=3))
    return queue_org


def spot_checks(queue) -> list[queries.QueueEntry]:
    return [e for e in queue.entries if e.spot_check]


def test_interleave_spreads_the_share_evenly_and_continues_when_one_runs_out():
    ranked, spot = np.arange(10, 16), np.arange(100, 103)
    assert queries.interleave(ranked, spot, 0.5).tolist() == [10, 100, 11, 101, 12, 102, 13, 14, 15]
    assert queries.interleave(ranked, spot, 0.25).tolist() == [10, 11, 100, 12, 13, 14, 101, 15, 102]
    assert queries.interleave(ranked, spot, 0.0).tolist() == ranked.tolist()
    assert queries.interleave(ranked, spot, 1.0).tolist() == [100, 101, 102, *ranked.tolist()]
    assert queries.interleave(ranked[:0], spot, 0.5).tolist() == spot.tolist()


def test_the_largest_confident_clusters_are_asked_about_one_entry_each(org, settings):
    settings.CXKEEPER_REVIEW_SPOT_CHECK_SHARE = 0.5
    login = sorted(Feedback.objects.filter(text__in=LOGIN).values_list("pk", flat=True))
    assert set(Feedback.objects.filter(pk__in=login).values_list("routed_by", flat=True)) == {RoutedBy.MODEL}
    queue = queries.review_queue()
    checks = spot_checks(queue)
    assert checks and queue.spot_checks == len(checks)
    by_cluster = {e.cluster_id: e for e in checks}
    assert len(by_cluster) == len(checks)  # one entry per spot check
    login_check = next(c for c in by_cluster if set(queue.members(c)) >= set(login))
    step = Feedback.objects.get(pk=login[0]).step_id
    assert queue.spot_step(login_check) == step
    assert set(Feedback.objects.filter(pk__in=queue.members(login_check)).values_list("step_id", flat=True)) == {step}
    assert queue.cluster_size(login_check) == len(queue.members(login_check)) >= queries.SPOT_CHECK_MIN_SIZE
    # interleaved at 0.5: a group that needs a person first, then a spot check
    groups = list(dict.fromkeys((e.cluster_id, e.spot_check) for e in queue.entries))
    assert [spot for _, spot in groups[:4]] == [False, True, False, True]
    assert queue.remaining == len(queue.entries)
    # the same as a fresh computation
    with figures.computed_fresh():
        fresh = queries.review_queue()
        assert [(e.feedback_id, e.spot_check) for e in fresh.entries] == \
            [(e.feedback_id, e.spot_check) for e in queue.entries]


def test_no_spot_checks_with_share_zero(org, settings):
    settings.CXKEEPER_REVIEW_SPOT_CHECK_SHARE = 0
    queue = queries.review_queue()
    assert not spot_checks(queue) and queue.spot_checks == 0
    _, threshold = queries._router_state()
    assert all(Feedback.objects.get(pk=e.feedback_id).routed_by != RoutedBy.MODEL
               or Feedback.objects.get(pk=e.feedback_id).routing_confidence < threshold for e in queue.entries)


def test_a_confirmed_spot_check_is_remembered_and_not_asked_again(org):
    login = set(Feedback.objects.filter(text__in=LOGIN).values_list("pk", flat=True))
    queue = queries.review_queue()
    check = next(e.cluster_id for e in spot_checks(queue) if set(queue.members(e.cluster_id)) >= login)
    client = client_of(org.it_member)
    page = client.get("/feedback/review/").content.decode()
    assert "Spot check: the router is sure about these" in page
    html = client.get(f"/feedback/review/clusters/{check}/").content.decode()
    cluster = queries.queue_cluster(check)
    assert f"the router is sure about these {cluster.size} messages" in html and cluster.spot_step.name in html
    response = client.post(f"/feedback/review/clusters/{check}/assign/", {"step": cluster.spot_step.pk})
    assert response.status_code == 302
    members = Feedback.objects.filter(pk__in=cluster.member_ids)
    assert set(members.values_list("step_id", "routed_by")) == {(cluster.spot_step.pk, RoutedBy.PERSON)}
    for queue in (queries.review_queue(), _fresh_queue()):
        assert not login & {e.feedback_id for e in queue.entries}
        assert all(not login & set(queue.members(e.cluster_id)) for e in spot_checks(queue))


def _fresh_queue():
    with figures.computed_fresh():
        return queries.review_queue()


def test_a_wrong_spot_check_is_moved_in_one_action(org):
    login = set(Feedback.objects.filter(text__in=LOGIN).values_list("pk", flat=True))
    queue = queries.review_queue()
    check = next(e.cluster_id for e in spot_checks(queue) if set(queue.members(e.cluster_id)) >= login)
    assert queue.spot_step(check) == org.login_step.pk
    cluster = queries.queue_cluster(check)
    moved = actions.assign_cluster(cluster.member_ids, org.call_step, acting_user=org.it_member)
    assert moved == cluster.size
    assert set(Feedback.objects.filter(pk__in=login).values_list("step_id", "routed_by")) == {
        (org.call_step.pk, RoutedBy.PERSON)}
    assert queries.queue_cluster(check) is None
    assert queries.review_queue().spot_checks == queue.spot_checks - 1


def test_viewers_see_spot_checks_but_cannot_answer_them(org):
    queue = queries.review_queue()
    check = spot_checks(queue)[0].cluster_id
    viewer = client_of(org.viewer)
    assert "Spot check: the router is sure" in viewer.get(f"/feedback/review/clusters/{check}/").content.decode()
    answer = {"step": queue.spot_step(check)}
    assert viewer.post(f"/feedback/review/clusters/{check}/assign/", answer).status_code == 403
    assert queries.review_queue().spot_checks == queue.spot_checks


def test_clusters_within_split_similar_messages_by_their_step():
    from cxkeeper.insights.text.clusters import clusters_within

    texts = ["the parcel never arrived", "The parcel never arrived!", "the parcel never arrived.", "hello there"]
    groups = clusters_within([7, 3, 5, 9], texts, [1, 1, 2, 1])
    assert groups == {7: 3, 3: 3, 5: 5, 9: 9}  # 5 is like 3 and 7 but on another step


def test_clusters_within_compare_every_step_up_to_its_own_bound():
    """The bound on compared texts holds per step (decision 0049): a small step's look-alikes
    meet even when larger steps hold more distinct texts than the bound."""
    from cxkeeper.insights.text.clusters import clusters_within

    crowd = [f"invoice {word} was wrong" for word in ("amount", "date", "address", "currency")]
    texts = crowd + crowd + ["my parcel never arrived at the door", "the parcel never arrived at my door"]
    keys = [1] * len(crowd) * 2 + [2, 2]
    groups = clusters_within(list(range(1, 11)), texts, keys, max_representatives=2)
    assert groups[9] == groups[10] == 9  # only two distinct texts on step 2: both compared
    assert groups[1] == groups[5] == 1  # same words on step 1, whatever the bound
    assert len({groups[i] for i in range(1, 9)}) == 4  # step 1's distinct texts past the bound stay apart


def _login_check(org):
    login = set(Feedback.objects.filter(text__in=LOGIN).values_list("pk", flat=True))
    queue = queries.review_queue()
    check = next(e.cluster_id for e in spot_checks(queue) if set(queue.members(e.cluster_id)) >= login)
    return check, queries.queue_cluster(check)


def test_a_spot_check_answered_for_all_but_these(org):
    """A person unticks the odd ones of the sample ("Leave out"): the answer is for every other
    member; the ones left out keep waiting, still where the router put them."""
    check, cluster = _login_check(org)
    client = client_of(org.it_member)
    html = client.get(f"/feedback/review/clusters/{check}/").content.decode()
    left = cluster.sample[1].pk
    assert f'name="leave_out" value="{left}" form="cluster-answer"' in html
    response = client.post(f"/feedback/review/clusters/{check}/assign/",
                           {"step": cluster.spot_step.pk, "leave_out": [str(left)]}, follow=True)
    assert "1 left out keeps waiting for an answer" in response.content.decode()
    others = Feedback.objects.filter(pk__in=set(cluster.member_ids) - {left})
    assert set(others.values_list("step_id", "routed_by")) == {(cluster.spot_step.pk, RoutedBy.PERSON)}
    assert Feedback.objects.get(pk=left).routed_by == RoutedBy.MODEL
    assert queries.queue_cluster(check).member_ids == [left]  # still asked about


def test_all_but_these_refuses_strangers_and_an_empty_answer(org):
    check, cluster = _login_check(org)
    client = client_of(org.it_member)
    stranger = Feedback.objects.exclude(pk__in=cluster.member_ids).values_list("pk", flat=True).first()
    for leave_out, problem in (([str(stranger)], "is not a message of this group"),
                               (["abc"], "is not a message of this group"),
                               ([str(pk) for pk in cluster.member_ids], "Every message was left out")):
        response = client.post(f"/feedback/review/clusters/{check}/assign/",
                               {"step": cluster.spot_step.pk, "leave_out": leave_out}, follow=True)
        assert problem in response.content.decode()
    assert set(Feedback.objects.filter(pk__in=cluster.member_ids).values_list("routed_by", flat=True)) == \
        {RoutedBy.MODEL}
    # the step from the list, for all but one
    left = cluster.sample[0].pk
    response = client.post(f"/feedback/review/clusters/{check}/assign/",
                           {"step": "other", "other_step": str(org.call_step.pk), "leave_out": [str(left)]})
    assert response.status_code == 302
    moved = Feedback.objects.filter(pk__in=set(cluster.member_ids) - {left})
    assert set(moved.values_list("step_id", "routed_by")) == {(org.call_step.pk, RoutedBy.PERSON)}
    assert Feedback.objects.get(pk=left).step_id == cluster.spot_step.pk


def test_a_confirmation_is_told_apart_from_a_correction_when_the_router_learns(org):
    """A spot check's "yes" keeps each message's model confidence (a correction sets 1.0), so
    retraining can weigh a confirmation apart from a correction (routing.CONFIRMATION_WEIGHT)."""
    from cxkeeper.insights import routing

    check, cluster = _login_check(org)
    confidences = dict(Feedback.objects.filter(pk__in=cluster.member_ids).values_list("pk", "routing_confidence"))
    actions.assign_cluster(cluster.member_ids, cluster.spot_step, acting_user=org.it_member)
    kept = dict(Feedback.objects.filter(pk__in=cluster.member_ids).values_list("pk", "routing_confidence"))
    assert kept == confidences and all(c < 1.0 for c in kept.values())
    hold = list(Feedback.objects.filter(text__in=HOLD).values_list("pk", flat=True))
    actions.assign_cluster(hold, org.login_step, acting_user=org.it_member)  # moved: a correction
    answers = {text: confirmed for text, _, confirmed in routing._answers()}
    assert all(answers[t] for t in Feedback.objects.filter(pk__in=cluster.member_ids).values_list("text", flat=True))
    assert not any(answers[t] for t in HOLD)
    assert set(Feedback.objects.filter(text__in=HOLD).values_list("routing_confidence", flat=True)) == {1.0}


def test_routes_a_persons_answer_placed_are_not_spot_checked(org, settings, django_capture_on_commit_callbacks):
    """A person routed one of the login messages; the router remembers it and places the
    other five like it (decision 0048): a spot check about them would ask again what a person
    has just said."""
    login = sorted(Feedback.objects.filter(text__in=LOGIN).values_list("pk", flat=True))
    queue = queries.review_queue()
    assert any(set(queue.members(e.cluster_id)) >= set(login) for e in spot_checks(queue))
    settings.CXKEEPER_RELEARN = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_feedback(Feedback.objects.get(pk=login[0]), org.login_step, acting_user=org.it_member)
    rest = Feedback.objects.filter(pk__in=login[1:])
    assert set(rest.values_list("step_id", "routed_by")) == {(org.login_step.pk, RoutedBy.MODEL)}
    queue = queries.review_queue()
    asked = {pk for e in spot_checks(queue) for pk in queue.members(e.cluster_id)}
    assert not asked & set(login) and asked, "other confident routes are still spot-checked"
