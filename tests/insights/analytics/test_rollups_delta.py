"""Incremental maintenance: deltas add, subtract (erasure) and correct without a rebuild."""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pytest

from cxkeeper.insights.analytics import rollups, synthetic

from .engine_checks import assert_rows_equal, normalize

KEYS = list(rollups.KEY_COLUMNS)


def _assert_cells_equal(got, want, label):
    assert_rows_equal(rollups.rollup_rows(got), rollups.rollup_rows(want), KEYS, label)


def test_add_then_subtract_returns_to_the_original(feedback_rows, reference_cells):
    base = rollups.rollup_delta(feedback_rows[:4000])
    batch = feedback_rows[4000:]
    added = rollups.apply_delta(base, rollups.rollup_delta(batch))
    _assert_cells_equal(added, reference_cells, "import of the last 1000 rows")
    erased = rollups.apply_delta(added, rollups.rollup_delta(batch, sign=-1))
    _assert_cells_equal(erased, base, "erasure of the same rows")
    assert erased.keys() == base.keys()  # emptied cells are deleted, not left at zero


def test_erasing_everything_leaves_nothing(feedback_rows, reference_cells):
    assert rollups.apply_delta(reference_cells, rollups.rollup_delta(feedback_rows, sign=-1)) == {}


def test_erasing_a_row_never_added_raises(feedback_rows):
    base = rollups.rollup_delta(feedback_rows[:10])
    with pytest.raises(ValueError, match="inconsistent"):
        rollups.apply_delta(base, rollups.rollup_delta(feedback_rows[10:11], sign=-1))


def test_correction_moves_a_row_between_cells(feedback_rows, reference_cells):
    old = feedback_rows[0]
    new = {**old, "step_id": None, "nps": 10, "segment": "business"}  # re-routed to unrouted, fixed
    corrected = rollups.apply_delta(reference_cells, rollups.correction_delta([old], [new]))
    _assert_cells_equal(corrected, rollups.rollup_delta([new, *feedback_rows[1:]]), "correction")


def test_row_rules():
    base = {"id": 1, "step_id": 3, "channel": "web", "segment": None}
    cells = rollups.rollup_delta(
        [
            {
                **base,
                "received_at": dt.datetime(2024, 3, 5, 23, 59),
                "nps": 9,
                "csat": 6,
                "csat_max": 7,
                "ces": 5,
                "sentiment": -0.05,
                "event_type": "Churn",
            },
            {
                **base,
                "received_at": dt.datetime(2024, 3, 5, 0, 0),
                "nps": 6,
                "csat": 3,
                "csat_max": None,
                "ces": 4,
                "sentiment": -0.0501,
                "event_type": "complaint",
            },
            {
                **base,
                "received_at": dt.datetime(2024, 3, 5, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                "nps": None,
                "csat": 4,
                "csat_max": None,
                "ces": None,
                "sentiment": None,
                "event_type": None,
            },
        ]
    )
    # the +02:00 row is 23:00 UTC on 4 March: its own cell
    assert sorted(k.day for k in cells) == [dt.date(2024, 3, 4), dt.date(2024, 3, 5)]
    c = cells[rollups.RollupKey(3, dt.date(2024, 3, 5), "web", None)]
    assert (c["n"], c["nps_n"], c["promoters"], c["detractors"]) == (2, 2, 1, 1)
    assert (c["csat_n"], c["csat_top"]) == (2, 1)  # 6 on 1–7 is top-2; 3 on 1–5 is not
    assert (c["ces_n"], c["ces_sum"], c["ces_sumsq"], c["ces_easy"]) == (2, 9, 41, 1)
    assert c["negative_n"] == 1  # strictly below -0.05
    assert math.isclose(c["sentiment_sum"], -0.1001)
    assert (c["churn_n"], c["renewal_n"], c["complaint_n"]) == (1, 0, 1)  # event types are case-blind
    early = cells[rollups.RollupKey(3, dt.date(2024, 3, 4), "web", None)]
    assert (early["n"], early["csat_top"], early["nps_n"], early["sentiment_n"]) == (1, 1, 0, 0)


def test_combine_rollups_in_the_engine(feedback_rows, reference_cells):
    """The same add/subtract contract, run inside an engine (DuckDB) with combine_rollups."""
    con = ibis.duckdb.connect()
    con.create_table("old", ibis.memtable(synthetic.rows_to_arrow(feedback_rows[:4500])))
    con.create_table("batch", ibis.memtable(synthetic.rows_to_arrow(feedback_rows[4500:])))
    base = rollups.build_rollups(con, "old")
    delta = rollups.build_rollups(con, "batch")
    merged = rollups.combine_rollups(base, delta)
    got = normalize(merged.to_pyarrow().to_pylist(), KEYS)
    assert_rows_equal(got, rollups.rollup_rows(reference_cells), KEYS, "base + delta")
    back = rollups.combine_rollups(merged, delta, signs=(1, -1))
    got = normalize(back.to_pyarrow().to_pylist(), KEYS)
    want = rollups.rollup_rows(rollups.rollup_delta(feedback_rows[:4500]))
    assert_rows_equal(got, want, KEYS, "base + delta - delta")


def test_metric_sums_validates_dimensions():
    t = ibis.table(rollups.ROLLUP_SCHEMA, name="r")
    with pytest.raises(ValueError, match="unknown dimension"):
        rollups.metric_sums(t, ["quarter"])
    with pytest.raises(ValueError, match="needs a step_map"):
        rollups.metric_sums(t, ["journey"])
    with pytest.raises(ValueError, match="start/end"):
        rollups.metric_sums(t, ["step"], where={"week": dt.date(2024, 1, 1)})


def test_short_csat_scales_count_only_the_top_box():
    """Zendesk's good/bad is CSAT 2/1 on a 2-point scale: "bad" is not satisfied."""
    import datetime as dt

    from cxkeeper.insights.analytics.rollups import rollup_delta

    base = {"step_id": 1, "received_at": dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "channel": "email",
            "segment": None, "nps": None, "ces": None, "sentiment": None, "event_type": None}
    cells = rollup_delta([{**base, "csat": 2, "csat_max": 2}, {**base, "csat": 1, "csat_max": 2}])
    (cell,) = cells.values()
    assert (cell["csat_n"], cell["csat_top"]) == (2, 1)
