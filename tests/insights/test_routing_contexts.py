"""What self-training reads from the store: the newest messages no person and no rule placed,
with where each came from (source, channel), which it weighs as evidence of a step
(`insights.routing.unlabeled_texts`, decision 0053)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cxkeeper.insights import actions, routing
from cxkeeper.insights.ingest import CanonicalRow
from cxkeeper.insights.models import Feedback

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_unlabeled_messages_come_with_their_source_and_channel_newest_first(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    survey = actions.create_source({"name": "Store survey", "kind": "survey"}, acting_user=small_org.keeper)
    tickets = actions.create_source({"name": "Tickets", "kind": "helpdesk"}, acting_user=small_org.keeper)
    actions.ingest_feedback_batch(survey, [
        CanonicalRow(external_id="s1", received_at=START, channel="store", row_number=1, text="patient advice", nps=9),
        CanonicalRow(external_id="s2", received_at=START + timedelta(hours=2), channel="store", row_number=2,
                     text="", nps=3),  # no text: nothing to learn from
        CanonicalRow(external_id="s3", received_at=START + timedelta(hours=3), channel="phone", row_number=3,
                     text="the helpline hung up on me", nps=2),
    ])
    actions.ingest_feedback_batch(tickets, [
        CanonicalRow(external_id="t1", received_at=START + timedelta(hours=1), channel="email", row_number=1,
                     text="charged twice this month", nps=1),
        CanonicalRow(external_id="t2", received_at=START + timedelta(hours=4), channel="email", row_number=2,
                     text="placed by a person", nps=1),
    ])
    placed = Feedback.objects.get(external_id="t2")
    actions.correct_feedback_step(placed, small_org.call_step, acting_user=small_org.keeper)

    texts, contexts = routing.unlabeled_texts()

    assert texts == ["the helpline hung up on me", "charged twice this month", "patient advice"]
    assert contexts == [(survey.pk, "phone"), (tickets.pk, "email"), (survey.pk, "store")]
    assert routing.unlabeled_texts(limit=1) == (["the helpline hung up on me"], [(survey.pk, "phone")])
