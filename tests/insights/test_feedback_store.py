"""Storing feedback: de-duplication, PII redaction, routing, rollups that always equal a
rebuild from the stored rows, corrections, erasure — on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from cxkeeper.insights import actions, import_jobs, rollup_store
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.ingest.errors import RowError
from cxkeeper.insights.models import Feedback, FeedbackRollup, ImportJob
from cxkeeper.insights.queries import by_step, rollups, total

UTC = dt.UTC


def row(i, text, **values):
    return CanonicalRow(external_id=f"R{i}", received_at=dt.datetime(2026, 5, 1 + i % 20, 10, tzinfo=UTC),
                        channel=values.pop("channel", "app"), row_number=i + 1, text=text, **values)


@pytest.fixture
def source(small_org):
    return actions.create_source({"name": "App reviews", "kind": "app_review"}, acting_user=small_org.keeper)


def cells():
    """Every rollup table; the step × day and step × month × channel × segment ones must equal
    the fine one summed over channels and segments, or over the days of each month."""
    from django.db.models import Sum

    from cxkeeper.insights.analytics.rollups import SUM_COLUMNS
    from cxkeeper.insights.models import FieldRollup, StepDayRollup, StepMonthRollup

    sums = SUM_COLUMNS
    fine = sorted(FeedbackRollup.objects.values_list("step_id", "day", "channel", "segment", *sums))
    daily = sorted(StepDayRollup.objects.values_list("step_id", "day", *sums))
    summed = sorted(tuple(r.values()) for r in FeedbackRollup.objects.values("step_id", "day")
                    .annotate(**{f"s_{c}": Sum(c) for c in sums}).order_by())
    assert _close(daily, summed)
    monthly = sorted(StepMonthRollup.objects.values_list("step_id", "month", "channel", "segment", *sums))
    by_month: dict = {}
    for step_id, day, channel, segment, *values in fine:
        total = by_month.setdefault((step_id, day.replace(day=1), channel, segment), [0] * len(sums))
        for i, value in enumerate(values):
            total[i] += value
    assert _close(monthly, sorted((*k, *v) for k, v in by_month.items()))
    assert all(row[4] > 0 for row in monthly)  # emptied cells are deleted
    fields = sorted(FieldRollup.objects.values_list("step_id", "day", "field", "n", "value_sum", "value_sumsq"))
    assert all(row[3] > 0 for row in fields)
    return fine, daily, monthly, fields


def _close(a, b):
    """Equal rows; float sums (sentiment) up to rounding of the order they were added in."""
    return len(a) == len(b) and all(
        len(x) == len(y) and all(u == v or (isinstance(u, float) and abs(u - v) <= 1e-9 * max(1, abs(v)))
                                 for u, v in zip(x, y, strict=True)) for x, y in zip(a, b, strict=True))


def assert_rollups_match_rebuild():
    incremental = cells()
    rollup_store.rebuild()
    assert all(_close(a, b) for a, b in zip(cells(), incremental, strict=True))


ROWS = [
    row(1, "Awful experience: I cannot log in and the password reset e-mail never arrives", nps=2, ces=2,
        customer_id="C1"),
    row(2, "login keeps failing since the update, call me on 07911 123456", nps=3, customer_id="C2"),
    row(3, "The helpline kept me on hold for an hour", nps=5, ces=3, channel="phone", customer_id="C1"),
    row(4, "", nps=9, ces=6, segment="Student"),
    row(5, "asdf qwerty zxcv", csat=4, csat_max=5),
]


def test_ingest_redacts_routes_and_rolls_up(source, small_org):
    result = actions.ingest_feedback_batch(source, ROWS)
    assert (result.imported, result.duplicates, result.rejected) == (5, 0, 0)
    assert result.redactions["phone"] == 1
    stored = {f.external_id: f for f in Feedback.objects.all()}
    assert "07911" not in stored["R2"].text and "[PHONE]" in stored["R2"].text
    assert stored["R1"].step == small_org.login_step and stored["R1"].routed_by == RoutedBy.MODEL
    assert stored["R3"].step == small_org.call_step
    assert stored["R4"].step is None and stored["R4"].text == ""
    assert stored["R1"].customer_hash == stored["R3"].customer_hash != ""
    assert stored["R1"].sentiment < 0
    figures = by_step(rollups(), min_n=1)
    assert figures[small_org.login_step.pk].n == 2
    assert figures[small_org.login_step.pk].metrics["nps"].value == -100
    assert total(rollups(), min_n=1).n == 5
    assert_rollups_match_rebuild()


def test_reimport_adds_nothing(source):
    actions.ingest_feedback_batch(source, ROWS)
    before = cells()
    again = actions.ingest_feedback_batch(source, ROWS + [ROWS[0]])
    assert (again.imported, again.duplicates) == (0, 6)
    assert Feedback.objects.count() == 5 and all(_close(a, b) for a, b in zip(cells(), before, strict=True))


def test_rejected_rows_are_recorded_with_the_job(source):
    job = ImportJob.objects.create(source=source, filename="x.csv", file_sha256="0" * 64, format="csv")
    error = RowError(file="x.csv", row=7, column="NPS", value="eleven", reason="'eleven' is not a whole number")
    import_jobs.record_chunk(job, ROWS[:2], [error], rows_done=7)
    job.refresh_from_db()
    assert (job.imported, job.rejected, job.rows_done) == (2, 1, 7)
    assert list(job.row_errors.values_list("row", "column", "value")) == [(7, "NPS", "eleven")]


def test_too_few_responses_is_not_a_number(source, small_org):
    actions.ingest_feedback_batch(source, ROWS)
    figure = by_step(rollups())[small_org.login_step.pk]  # default minimum n = 30
    assert figure.n == 2 and figure.metrics["nps"].enough is False and figure.metrics["nps"].value is None


def test_correction_moves_the_figures_and_becomes_a_label(source, small_org):
    actions.ingest_feedback_batch(source, ROWS)
    wrong = Feedback.objects.get(external_id="R5")
    actions.correct_feedback_step(wrong, small_org.call_step, acting_user=small_org.it_member)
    wrong.refresh_from_db()
    assert wrong.routed_by == RoutedBy.PERSON and wrong.step == small_org.call_step
    assert by_step(rollups(), min_n=1)[small_org.call_step.pk].n == 2
    assert_rollups_match_rebuild()
    from cxkeeper.insights.routing import corrections

    assert ("asdf qwerty zxcv", small_org.call_step.pk) in corrections()


def test_viewer_cannot_correct(source, small_org):
    from cxkeeper.core.errors import Forbidden

    actions.ingest_feedback_batch(source, ROWS)
    with pytest.raises(Forbidden):
        actions.correct_feedback_step(Feedback.objects.first(), small_org.call_step, acting_user=small_org.viewer)


def test_erasure_removes_a_customer_everywhere(source, small_org):
    actions.ingest_feedback_batch(source, ROWS)
    erased = actions.erase_customer("c1 ", acting_user=small_org.admin)  # case and spaces do not matter
    assert erased.erased == 2
    assert not Feedback.objects.filter(external_id__in=["R1", "R3"]).exists()
    assert total(rollups(), min_n=1).n == 3
    assert_rollups_match_rebuild()


def test_only_admins_erase(source, small_org):
    from cxkeeper.core.errors import Forbidden

    with pytest.raises(Forbidden):
        actions.erase_customer("C1", acting_user=small_org.keeper)


def test_sentiment_learned_from_scores_is_used_only_when_it_measures_better(source, small_org):
    """Weak labels from NPS: a vocabulary VADER does not know ("meh", "brill") is learned."""
    from cxkeeper.insights import sentiment_store
    from cxkeeper.insights.text.sentiment import LearnedSentiment, VaderSentiment

    assert isinstance(sentiment_store.current_model(), VaderSentiment)
    rows = []
    for i in range(400):
        good = i % 2 == 0
        rows.append(row(100 + i, ("brill, sorted in minutes, ta" if good else "meh, faff again, sort it out")
                        + f" #{i}", nps=10 if good else 1))
    actions.ingest_feedback_batch(source, rows)
    record = sentiment_store.choose_model()
    assert record.n_labelled == 400 and record.n_test > 0
    assert record.learned_accuracy > record.vader_accuracy
    assert record.name == "learned" and isinstance(sentiment_store.current_model(), LearnedSentiment)
    assert "learned model" in record.reason
