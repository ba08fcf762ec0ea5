"""Deterministic generated feedback for tests and benchmarks (no text, only the numbers).

Two generators with the same column layout (:data:`rollups.FEEDBACK_SCHEMA`):

* :func:`feedback_rows` — pure Python, a list of dicts; small data sets for tests, with
  NULLs, unrouted rows, mixed CSAT scales, mixed-case event types and timestamps
  around midnight (to catch time-zone shifts in an engine).
* :func:`feedback_arrow` — vectorised with NumPy into a PyArrow table; millions of rows
  for ``bench/rollups.py``.

:func:`step_map_rows` gives the matching step → stage / journey / team map (a step may be
impacted by several teams, so some steps appear on two rows).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

CHANNELS = ("email", "web", "app", "phone", "chat", "store")
SEGMENTS = ("consumer", "business", "premium")
JOURNEYS = ("join", "help", "pay")
TEAMS = ("marketing", "sales", "service", "it", "billing", "ops", "product", "legal")
EVENTS = ("churn", "renewal", "complaint")
DEFAULT_START = dt.datetime(2024, 1, 1)


def step_map_rows(steps: int = 12) -> list[dict[str, Any]]:
    """step_id 1..steps → stage, journey and team(s); every third step has a second team."""
    rows = []
    for step in range(1, steps + 1):
        journey = JOURNEYS[(step - 1) * len(JOURNEYS) // steps]
        stage = f"{journey}-stage{(step - 1) % 3 + 1}"
        teams = [TEAMS[step % len(TEAMS)]]
        if step % 3 == 0:
            teams.append(TEAMS[(step + 3) % len(TEAMS)])
        rows.extend({"step_id": step, "stage": stage, "journey": journey, "team": team} for team in teams)
    return rows


def feedback_rows(
    n: int = 5000, *, seed: int = 20240101, steps: int = 12, days: int = 120
) -> list[dict[str, Any]]:
    """``n`` feedback rows as dicts, identical for a given seed on every platform."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        day = rng.randrange(days)
        # a quarter of the rows land in the last/first 30 minutes of a day
        if rng.random() < 0.25:
            seconds = rng.choice([rng.randrange(0, 1800), rng.randrange(84600, 86400)])
        else:
            seconds = rng.randrange(86400)
        received = DEFAULT_START + dt.timedelta(days=day, seconds=seconds)
        csat_max = rng.choice([5, 5, 5, 7, None])
        scale = 5 if csat_max is None else csat_max
        event = rng.choice([None] * 7 + list(EVENTS) + ["Churn", "RENEWAL", "other"])
        rows.append(
            {
                "id": i,
                "step_id": None if rng.random() < 0.12 else rng.randint(1, steps),
                "channel": rng.choice(CHANNELS),
                "segment": None if rng.random() < 0.2 else rng.choice(SEGMENTS),
                "received_at": received,
                "nps": None if rng.random() < 0.35 else rng.randint(0, 10),
                "csat": None if rng.random() < 0.4 else rng.randint(1, scale),
                "csat_max": csat_max,
                "ces": None if rng.random() < 0.5 else rng.randint(1, 7),
                "sentiment": None if rng.random() < 0.3 else round(rng.uniform(-1, 1), 4),
                "event_type": event,
            }
        )
    return rows


def feedback_arrow(
    n: int,
    *,
    seed: int = 7,
    steps: int = 60,
    days: int = 365,
    end: dt.datetime | None = None,
):
    """``n`` rows as a ``pyarrow.Table`` (NumPy-vectorised), ending at ``end`` (default today)."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    end = end or dt.datetime.combine(dt.date.today(), dt.time()) + dt.timedelta(days=1)
    start = np.datetime64(end - dt.timedelta(days=days), "us")
    offsets = rng.integers(0, days * 86_400_000_000, n, dtype=np.int64)

    def nullable(values, p_null):
        return pa.array(values, mask=rng.random(n) < p_null)

    step = rng.integers(1, steps + 1, n, dtype=np.int64)
    csat_max = rng.choice(np.array([5, 5, 5, 7], dtype=np.int32), n)
    csat = (rng.random(n) * csat_max).astype(np.int32) + 1
    sentiment = np.round(rng.uniform(-1, 1, n), 4)
    events = np.array(["", "", "", "", "", "", "", "churn", "renewal", "complaint"], dtype=object)
    event = events[rng.integers(0, len(events), n)]
    return pa.table(
        {
            "id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
            "step_id": nullable(step, 0.1),
            "channel": pa.array(np.array(CHANNELS, dtype=object)[rng.integers(0, len(CHANNELS), n)]),
            "segment": nullable(np.array(SEGMENTS, dtype=object)[rng.integers(0, len(SEGMENTS), n)], 0.2),
            "received_at": pa.array(start + offsets.astype("timedelta64[us]")),
            "nps": nullable(rng.integers(0, 11, n, dtype=np.int32), 0.35),
            "csat": nullable(csat, 0.4),
            "csat_max": pa.array(csat_max),
            "ces": nullable(rng.integers(1, 8, n, dtype=np.int32), 0.5),
            "sentiment": nullable(sentiment, 0.3),
            "event_type": pa.array(event, mask=event == ""),
        }
    )


def feedback_schema_arrow():
    """The PyArrow schema of :data:`rollups.FEEDBACK_SCHEMA`."""
    from .rollups import FEEDBACK_SCHEMA

    return FEEDBACK_SCHEMA.to_pyarrow()


def rows_to_arrow(rows: list[dict[str, Any]]):
    """Feedback dicts → ``pyarrow.Table`` with the canonical feedback schema."""
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=feedback_schema_arrow())
