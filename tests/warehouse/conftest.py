"""A small workspace with a trained router, generated warehouse feedback without steps, and
what pages, targets and scorecards show, for comparing a warehouse source with a local import."""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import pipeline, routing
from cxkeeper.insights.analytics.rollups import SUM_COLUMNS
from cxkeeper.insights.models import FeedbackRollup, FieldRollup, StepDayRollup, StepMonthRollup
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.outcomes_builders import build_outcomes

# Spark's Python workers must run this interpreter (cxkeeper and its models), whichever test
# starts the session first (tests/insights/analytics has one too): set before any session.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

LOGIN = ["I can't log in to the app", "password reset never arrives", "the app keeps signing me out",
         "login fails with my new password, call me on +44 20 7946 0958", "cannot sign in since the update"]
CALL = ["I called the helpline and waited an hour", "the agent on the phone was very helpful",
        "nobody answers the helpline", "phone support hung up on me, write to ann@example.com",
        "calling customer service took forever"]
OTHER = ["", "   ", "asdf qwerty", "great", None]


def generated_rows(n: int, *, seed: int = 16, days: int = 60, end: dt.date | None = None) -> list[dict]:
    """Feedback as a warehouse holds it: an id, a time, a channel, scores and a raw text (with
    personal data in some), and no step."""
    rng = random.Random(seed)
    end = end or dt.datetime.now(dt.UTC).date()
    rows = []
    for i in range(n):
        kind = rng.random()
        texts = LOGIN if kind < 0.45 else CALL if kind < 0.9 else OTHER
        day = end - dt.timedelta(days=rng.randrange(days))
        at = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), tzinfo=dt.UTC)
        rows.append({
            "id": 1000 + i, "received_at": at, "channel": "app" if kind < 0.45 else "phone",
            "segment": rng.choice(["", "gold", "silver"]) or None, "text": rng.choice(texts),
            "nps": rng.choice([None, *range(11)]), "csat": rng.choice([None, 1, 2, 3, 4, 5]),
            "ces": rng.choice([None, *range(1, 8)]),
        })
    return rows


ARROW_SCHEMA = pa.schema([("id", pa.int64()), ("received_at", pa.timestamp("us", tz="UTC")),
                          ("channel", pa.string()), ("segment", pa.string()), ("text", pa.string()),
                          ("nps", pa.int32()), ("csat", pa.int32()), ("ces", pa.int32())])


def write_parquet(rows: list[dict], path) -> str:
    pq.write_table(pa.Table.from_pylist(rows, schema=ARROW_SCHEMA), str(path))
    return str(path)


@pytest.fixture
def world(db):
    """The small organization with targets and team KPIs (no feedback), and a router."""
    org = build_small_org()
    outcomes = build_outcomes(org, with_feedback=False)
    routing.train_router(evaluate=False, self_training=False)
    return org, outcomes


def import_locally(path: str, name: str = "local copy"):
    from cxkeeper.insights import actions

    source = actions.source_named(name, acting_user=SYSTEM)
    job = pipeline.import_file(path, source=source, acting_user=SYSTEM, chunk_rows=500)
    assert job.status == "done", job.message
    return job


def rollup_tables() -> dict:
    """Every rollup table's rows, keyed, sums as numbers (what every figure is computed from)."""
    out = {}
    for model, keys in ((FeedbackRollup, ("step_id", "day", "channel", "segment")),
                        (StepDayRollup, ("step_id", "day")), (StepMonthRollup, ("step_id", "month", "channel",
                                                                                  "segment"))):
        out[model.__name__] = {tuple(r[k] for k in keys): {c: r[c] for c in SUM_COLUMNS}
                               for r in model.objects.values(*keys, *SUM_COLUMNS)}
    out["FieldRollup"] = FieldRollup.objects.count()
    return out


def page_figures(org, outcomes) -> dict:
    """The heatmap, the targets' status and value, and both teams' scorecards."""
    from cxkeeper.insights import clock, queries
    from cxkeeper.outcomes import queries as outcome_queries

    as_of = clock.as_of()
    figures = {}
    for metric in ("nps", "ces", "csat", "sentiment", "volume"):
        heatmap = queries.journey_heatmap(org.journey, metric=metric, start=as_of - dt.timedelta(days=89), end=as_of)
        figures[f"heatmap {metric}"] = [(c.step.pk, c.value.value, c.value.n) for c in heatmap.cells]
    for target in (outcomes.org_target, outcomes.login_target):
        view = outcome_queries.assess(target, as_of=as_of)
        value = outcome_queries.current_value(target, as_of=as_of)
        figures[f"target {target.pk}"] = (view.status, value.value, value.n, value.low, value.high)
    for team in (org.service, org.it):
        card = outcome_queries.scorecard(team, as_of=as_of)
        figures[f"scorecard {team.name}"] = [(line.step.pk, sorted(
            (k, ch.current.value, ch.current.n) for k, ch in line.changes.items())) for line in card.steps]
    return figures


def assert_close(a, b, path: str = "") -> None:
    """Equal, counts exactly, floats within 1e-9."""
    if isinstance(a, dict):
        assert set(a) == set(b), f"{path}: keys differ: {set(a) ^ set(b)}"
        for k in a:
            assert_close(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), f"{path}: {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None, f"{path}: {a} vs {b}"
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {a} vs {b}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"
