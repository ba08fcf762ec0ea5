"""The step × month × channel × segment rollup: kept equal to the fine cells through import,
correction and erasure across month boundaries, and `split_sums` / the step page read from it
exactly what the fine cells of any period add up to."""

import datetime as dt

import pytest
from django.db.models import Q, Sum

from cxkeeper.insights import actions, queries
from cxkeeper.insights.analytics.rollups import INT_SUM_COLUMNS
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.models import Feedback, FeedbackRollup, StepMonthRollup

from .test_feedback_store import assert_rollups_match_rebuild

START = dt.date(2026, 1, 1)


def rows():
    out = []
    for i in range(240):
        day = START + dt.timedelta(days=(i * 7) % 150)
        out.append(CanonicalRow(
            external_id=f"S{i}", received_at=dt.datetime.combine(day, dt.time(23 if i % 5 == 0 else 9), dt.UTC),
            channel=("app", "web", "phone")[i % 3], row_number=i + 2, text=f"visit {i}", nps=i % 11,
            ces=1 + i % 7, segment=("Student", None, "Business", None)[i % 4], customer_id=f"C{i % 9}",
            step="Log in to the app" if i % 4 else "Call the helpline"))
    return out


@pytest.fixture
def loaded(small_org):
    source = actions.create_source({"name": "Survey", "kind": "survey"}, acting_user=small_org.keeper)
    actions.ingest_feedback_batch(source, rows())
    return small_org


def fine_only(step_ids, start, end, by=("channel", "segment")):
    cells = FeedbackRollup.objects.filter(step_id__in=step_ids)
    if start:
        cells = cells.filter(day__gte=start)
    if end:
        cells = cells.filter(day__lte=end)
    return {tuple(r[k] for k in by): {c: r[c] for c in INT_SUM_COLUMNS}
            for r in cells.values(*by).annotate(**{c: Sum(c) for c in INT_SUM_COLUMNS}).order_by()}


PERIODS = [(dt.date(2026, 1, 1), dt.date(2026, 5, 31)), (dt.date(2026, 1, 15), dt.date(2026, 4, 3)),
           (dt.date(2026, 2, 3), dt.date(2026, 2, 20)), (dt.date(2026, 1, 31), dt.date(2026, 3, 1)),
           (dt.date(2026, 3, 1), dt.date(2026, 3, 31)), (None, dt.date(2026, 3, 10)), (dt.date(2026, 2, 10), None),
           (None, None)]


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_split_sums_equal_the_fine_cells(loaded, start, end):
    steps = [loaded.login_step.pk, loaded.call_step.pk]
    for by in (("channel", "segment"), ("channel",), ("segment",)):
        got = {k: {c: v[c] for c in INT_SUM_COLUMNS} for k, v in
               queries.split_sums(steps=steps, start=start, end=end, by=by).items()}
        assert got == fine_only(steps, start, end, by)
    got = queries.split_sums(steps=steps, start=start, end=end, channel="web", segment="Student")
    assert {k: {c: v[c] for c in INT_SUM_COLUMNS} for k, v in got.items()} == \
        {k: v for k, v in fine_only(steps, start, end).items() if k == ("web", "Student")}


def test_whole_months():
    assert queries.whole_months(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert queries.whole_months(dt.date(2026, 1, 2), dt.date(2026, 3, 30)) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert queries.whole_months(dt.date(2025, 12, 31), dt.date(2026, 1, 30)) == \
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1))


def test_month_cells_follow_corrections_and_erasure(loaded):
    assert StepMonthRollup.objects.count() > 0
    assert_rollups_match_rebuild()
    moved = Feedback.objects.filter(step=loaded.login_step).order_by("pk")[:3]
    for feedback in moved:
        actions.correct_feedback_step(feedback, loaded.call_step, acting_user=loaded.it_member)
    assert_rollups_match_rebuild()
    actions.erase_customer("C3", acting_user=loaded.admin)
    assert_rollups_match_rebuild()
    assert not StepMonthRollup.objects.filter(Q(n__lte=0)).exists()
    for step in (loaded.login_step, loaded.call_step):  # the step page's verbatim count, from the rollups
        assert queries.step_feedback_count(step) == Feedback.objects.filter(step=step).count() > 0


def test_step_page_figures_equal_the_fine_cells(loaded):
    start, end = dt.date(2026, 1, 10), dt.date(2026, 5, 20)
    insights = queries.step_insights(loaded.login_step, start=start, end=end, min_n=1)
    fine = fine_only([loaded.login_step.pk], start, end, by=("channel",))
    assert {f.key: f.n for f in insights.channels} == {k[0]: v["n"] for k, v in fine.items()}
    fine = fine_only([loaded.login_step.pk], start, end, by=("segment",))
    assert {f.key: f.sums["promoters"] for f in insights.segments} == {k[0]: v["promoters"] for k, v in fine.items()}
    assert insights.total.n == sum(v["n"] for v in fine.values())
    weekly = queries.by_dimension(queries.rollups(start=insights.trend[0].key, end=end,
                                                  steps=[loaded.login_step.pk]), "week", min_n=1)
    assert [(f.n, f.sums["ces_sum"]) for f in insights.trend] == [(f.n, f.sums["ces_sum"]) for f in weekly]


@pytest.mark.parametrize(("start", "end"), PERIODS[:4])
def test_metric_table_by_channel_and_segment_equals_the_fine_cells(loaded, start, end):
    steps = [loaded.login_step.pk, loaded.call_step.pk]
    for by in ("channel", "segment"):
        table = {f.key: (f.n, f.sums["ces_sum"]) for f in queries.metric_table(by, start=start, end=end, min_n=1)}
        assert table == {k[0]: (v["n"], v["ces_sum"]) for k, v in fine_only(steps, start, end, (by,)).items()}
