"""Custom declared numeric fields (`Feedback.metrics`): the FieldRollup kept equal to a rebuild
through import, correction and erasure; their mean with a t interval and n (or "too few") by
every grouping `metric_table` has; and the same through GET /api/v1/metrics?field= and
`cxkeeper metrics --metric field:NAME`."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.insights import actions, queries, rollup_store
from cxkeeper.insights.analytics.stats import t_quantile
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.models import Feedback, FieldRollup

from .test_feedback_store import assert_rollups_match_rebuild

DAY = dt.date(2026, 3, 30)  # a Monday; the rows spread over it and the next 9 days (two weeks, two months)
# handle_minutes on the login step: 40 values 1..40 → mean 20.5, s² = 40·41/12 = 136.67;
# on the helpline: 5 values → too few at min n 30.
LOGIN_VALUES = [float(v) for v in range(1, 41)]


def rows():
    out = []
    for i, value in enumerate(LOGIN_VALUES):
        metrics = {"handle_minutes": value}
        if i % 2:
            metrics["order_value"] = 10 * i
        if i == 3:
            metrics.update(flag=True, note="n/a")  # not numbers: ignored
        out.append(CanonicalRow(external_id=f"F{i}", row_number=i + 2, channel="app", text=f"visit {i}",
                                received_at=dt.datetime.combine(DAY + dt.timedelta(days=i % 10), dt.time(22),
                                                                dt.UTC),
                                nps=9, metrics=metrics, step="Log in to the app", customer_id=f"C{i % 4}"))
    for i in range(5):
        out.append(CanonicalRow(external_id=f"H{i}", row_number=60 + i, channel="phone", text="helpline",
                                received_at=dt.datetime.combine(DAY, dt.time(9), dt.UTC), nps=7,
                                metrics={"handle_minutes": 50.0}, step="Call the helpline"))
    out.append(CanonicalRow(external_id="X", row_number=70, channel="web", text="no fields", nps=3,
                            received_at=dt.datetime.combine(DAY, dt.time(9), dt.UTC), step="Log in to the app"))
    return out


@pytest.fixture
def org(small_org):
    source = actions.create_source({"name": "Contact centre", "kind": "helpdesk"}, acting_user=small_org.keeper)
    actions.ingest_feedback_batch(source, rows())
    return small_org


def expected(values):
    n = len(values)
    mean = sum(values) / n
    s2 = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(n - 1) * math.sqrt(s2 / n)
    return mean, mean - half, mean + half


def test_field_rollup_follows_import_correction_and_erasure(org):
    cells = {(r.step_id, r.day, r.field): r.n for r in FieldRollup.objects.all()}
    assert sum(n for (s, _, f), n in cells.items() if f == "handle_minutes" and s == org.login_step.pk) == 40
    assert sum(n for (_, _, f), n in cells.items() if f == "order_value") == 20
    assert not {"flag", "note"} & {f for _, _, f in cells}
    assert_rollups_match_rebuild()
    moved = Feedback.objects.get(external_id="F1")
    actions.correct_feedback_step(moved, org.call_step, acting_user=org.it_member)
    assert_rollups_match_rebuild()
    assert queries.field_table("handle_minutes", "step", min_n=1)[org.call_step.pk].n == 6
    actions.erase_customer("C1", acting_user=org.admin)  # F1, F5, F9 … (10 items)
    assert_rollups_match_rebuild()
    assert queries.field_table("handle_minutes", "step", min_n=1)[org.login_step.pk].n == 30
    assert not FieldRollup.objects.filter(n__lte=0).exists()


def test_rebuild_recomputes_the_fields(org):
    before = sorted(FieldRollup.objects.values_list("step_id", "day", "field", "n", "value_sum"))
    FieldRollup.objects.all().delete()
    rollup_store.rebuild()
    assert sorted(FieldRollup.objects.values_list("step_id", "day", "field", "n", "value_sum")) == before


def test_mean_interval_and_too_few_by_step(org):
    by_step = queries.field_table("handle_minutes", "step")
    login = by_step[org.login_step.pk]
    mean, low, high = expected(LOGIN_VALUES)
    assert login.enough and login.n == 40
    assert login.value == pytest.approx(mean) and login.low == pytest.approx(low) and login.high == pytest.approx(high)
    helpline = by_step[org.call_step.pk]
    assert not helpline.enough and helpline.n == 5 and helpline.value is None
    assert queries.field_table("handle_minutes", "step", min_n=5)[org.call_step.pk].value == pytest.approx(50.0)


@pytest.mark.parametrize("by", queries.FIELD_DIMENSIONS)
def test_every_grouping_adds_up(org, by):
    table = queries.field_table("handle_minutes", by, min_n=1)
    n = sum(v.n for v in table.values())
    assert n == 45 or (by == "team" and n >= 45)  # a step counts once per team that owns or contributes
    keys = {row.key for row in queries.metric_table(by, min_n=1)}
    assert set(table) <= keys  # keyed exactly like metric_table's rows


def test_time_groupings_and_filters(org):
    weeks = queries.field_table("handle_minutes", "week", step=org.login_step, min_n=1)
    assert set(weeks) == {"2026-03-30", "2026-04-06"}
    months = queries.field_table("handle_minutes", "month", journey=org.journey, min_n=1)
    assert set(months) == {"2026-03-01", "2026-04-01"}
    days = queries.field_table("handle_minutes", "day", start=DAY, end=DAY, min_n=1)
    assert set(days) == {DAY.isoformat()} and days[DAY.isoformat()].n == 4 + 5
    with pytest.raises(ValueError, match="step and day"):
        queries.field_table("handle_minutes", "channel")


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def test_api_adds_the_field_to_each_row(org):
    payload = as_user(org.viewer).get("/api/v1/metrics", {"by": "step", "field": ["handle_minutes", "order_value"],
                                                          "from": "2026-01-01"}).json()
    rows = {row["key"]: row for row in payload["rows"]}
    value = rows[org.login_step.pk]["metrics"]["field:handle_minutes"]
    mean, low, high = expected(LOGIN_VALUES)
    assert value["value"] == pytest.approx(mean) and value["n"] == 40 and value["enough"]
    assert value["low"] == pytest.approx(low) and value["high"] == pytest.approx(high)
    assert rows[org.call_step.pk]["metrics"]["field:handle_minutes"] == {
        "value": None, "low": None, "high": None, "n": 5, "enough": False}
    assert rows[org.call_step.pk]["metrics"]["field:order_value"]["n"] == 0
    assert "nps" in rows[org.login_step.pk]["metrics"]  # the standard metrics are still there


def test_api_refuses_fields_by_channel(org):
    response = as_user(org.viewer).get("/api/v1/metrics", {"by": "channel", "field": "handle_minutes"})
    assert response.status_code == 422 and "field" in response.content.decode()
    response = as_user(org.viewer).get("/api/v1/metrics", {"by": "step", "channel": "app", "field": "handle_minutes"})
    assert response.status_code == 422


runner = CliRunner()


def test_cli_json_equals_the_api_and_the_table_shows_the_mean(org):
    cli = runner.invoke(app, ["metrics", "--by", "week", "--metric", "field:handle_minutes", "--metric", "nps",
                              "--min-n", "10", "--json"])
    assert cli.exit_code == 0, cli.output
    api = as_user(org.viewer).get("/api/v1/metrics", {"by": "week", "field": "handle_minutes", "min_n": 10}).json()
    assert json.loads(cli.output) == api
    table = runner.invoke(app, ["metrics", "--by", "step", "--metric", "field:handle_minutes"], terminal_width=200)
    assert table.exit_code == 0, table.output
    assert "handle_minutes (mean)" in table.output and "20.50" in table.output and "too few (n=5)" in table.output


def test_cli_errors(org):
    result = runner.invoke(app, ["metrics", "--metric", "field:unknown_thing"], terminal_width=200)
    assert result.exit_code == 2 and "declared fields: handle_minutes, order_value" in " ".join(result.output.split())
    result = runner.invoke(app, ["metrics", "--by", "segment", "--metric", "field:handle_minutes"],
                           terminal_width=200)
    assert result.exit_code == 2 and "step and day" in " ".join(result.output.split())
