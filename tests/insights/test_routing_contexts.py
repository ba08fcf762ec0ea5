"""What self-training reads from the store: the newest messages no person and no rule placed,
with where each came from and who wrote it (source, channel, band of how long the customer had
been known), which it weighs as evidence of a step (`insights.routing.unlabeled_texts`,
decisions 0053 and 0054)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cxkeeper.insights import actions, routing
from cxkeeper.insights.ingest import CanonicalRow
from cxkeeper.insights.models import Feedback

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_unlabeled_messages_come_with_source_channel_and_customer_tenure_newest_first(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    survey = actions.create_source({"name": "Store survey", "kind": "survey"}, acting_user=small_org.keeper)
    tickets = actions.create_source({"name": "Tickets", "kind": "helpdesk"}, acting_user=small_org.keeper)
    actions.ingest_feedback_batch(survey, [
        CanonicalRow(external_id="s1", received_at=START, channel="store", row_number=1, text="patient advice", nps=9,
                     customer_id="ann"),
        # no text: nothing to learn from, but the day the organization first heard from bob
        CanonicalRow(external_id="s2", received_at=START - timedelta(days=40), channel="store", row_number=2,
                     text="", nps=3, customer_id="bob"),
        CanonicalRow(external_id="s3", received_at=START + timedelta(hours=3), channel="phone", row_number=3,
                     text="the helpline hung up on me", nps=2, customer_id="bob"),
    ])
    actions.ingest_feedback_batch(tickets, [
        CanonicalRow(external_id="t1", received_at=START + timedelta(hours=1), channel="email", row_number=1,
                     text="charged twice this month", nps=1),  # no customer named
        # placed by a person, so not read, but ann's first message: she had been known for a year
        CanonicalRow(external_id="t2", received_at=START - timedelta(days=400), channel="email", row_number=2,
                     text="placed by a person", nps=1, customer_id="ann"),
    ])
    placed = Feedback.objects.get(external_id="t2")
    actions.correct_feedback_step(placed, small_org.call_step, acting_user=small_org.keeper)

    texts, contexts = routing.unlabeled_texts()

    assert texts == ["the helpline hung up on me", "charged twice this month", "patient advice"]
    # bob first wrote 40 days before (a month to a quarter: band 2); ann 400 days before (band 4)
    assert contexts == [(survey.pk, "phone", 2), (tickets.pk, "email", None), (survey.pk, "store", 4)]
    assert routing.unlabeled_texts(limit=1) == (["the helpline hung up on me"], [(survey.pk, "phone", 2)])


def test_first_seen_reads_customers_in_batches(small_org, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    survey = actions.create_source({"name": "Store survey", "kind": "survey"}, acting_user=small_org.keeper)
    actions.ingest_feedback_batch(survey, [
        CanonicalRow(external_id=f"s{i}", received_at=START + timedelta(days=i % 3), channel="store", row_number=i,
                     text=f"message {i}", customer_id=f"c{i % 5}") for i in range(1, 16)])
    hashes = set(Feedback.objects.values_list("customer_hash", flat=True))
    monkeypatch.setattr(routing, "FIRST_SEEN_BATCH", 2)  # five customers: three queries
    first = routing.first_seen(hashes)
    assert len(first) == 5
    for customer, day in first.items():
        assert day == min(Feedback.objects.filter(customer_hash=customer).values_list("received_at", flat=True))
