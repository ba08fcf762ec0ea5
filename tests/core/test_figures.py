"""The figure store (`core.figures`): costly figures are computed once per change of the data
they depend on, every stored figure is identical to the same figure computed afresh, and an
edit or an import is seen by the next read — in this process and in another one.

These tests commit (`transactional_db`): a version moves when a write commits."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection, transaction

from cxkeeper.core import figures
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import StoredFigure
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights import clock
from cxkeeper.insights import queries as insight_queries
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.themes import discover_themes
from cxkeeper.outcomes import actions as outcome_actions
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.actions import ValueRow
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.figures import canonical, differences
from cxkeeper.testing.outcomes_builders import build_outcomes

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(transactional_db):
    org = build_small_org()
    return org, build_outcomes(org)


def every_figure(org, outcomes) -> dict:
    """Every figure kept in the store, read the way the pages read them."""
    as_of = queries.default_as_of()
    return {
        "data through": lambda: clock.data_through(),
        "target (org)": lambda: queries.assess(queries.target_by_id(outcomes.org_target.pk)),
        "target (login)": lambda: queries.assess(queries.target_by_id(outcomes.login_target.pk), as_of=as_of),
        "KPI series": lambda: queries.kpi_series(queries.kpi_by_id(outcomes.handle_time.pk)),
        "tensions": lambda: queries.tension_findings(),
        "tensions of a team": lambda: queries.tension_findings(team=org.service),
        "alignment map": lambda: queries.alignment(),
        "scorecard IT": lambda: queries.scorecard(org.it),
        "scorecard service": lambda: queries.scorecard(org.service, period_days=30),
        "organization view": lambda: queries.org_view(),
        "outcomes list": lambda: queries.outcome_views(as_of=as_of),
        "friction signals": lambda: insight_queries.friction_signals(None, with_themes=False),
        "themes": lambda: insight_queries.journey_themes(org.journey, since=None, discover=discover_themes),
        "routing quality": lambda: insight_queries.routing_quality(),
    }


def assert_all_fresh(org, outcomes) -> dict:
    """Each figure read twice through the store (the second read comes from it) equals the same
    figure computed afresh, bit for bit. Returns the canonical values."""
    values = {}
    for name, read in every_figure(org, outcomes).items():
        first, stored = canonical(read()), canonical(read())
        with figures.computed_fresh():
            fresh = canonical(read())
        assert stored == fresh, f"{name}: stored ≠ computed afresh at {differences(stored, fresh)}"
        assert first == fresh, name
        values[name] = fresh
    return values


def test_figures_are_stored_once_and_equal_to_fresh(world):
    org, outcomes = world
    assert_all_fresh(org, outcomes)
    keys = set(StoredFigure.objects.values_list("key", flat=True))
    for name in ("outcomes.assess", "outcomes.kpi_series", "outcomes.tensions", "outcomes.alignment",
                 "outcomes.scorecard", "outcomes.org_view", "outcomes.outcome_views", "insights.friction_signals",
                 "insights.themes", "insights.data_through"):
        assert any(k.startswith(name + "(") for k in keys), f"{name} was not stored"
    # A stored figure is read, not computed: a figure whose computation would now fail is still answered.
    stamp_before = figures.versions()
    computed = []
    assert figures.figure("test.answer", (1,), lambda: computed.append(1) or 42) == 42
    assert figures.figure("test.answer", (1,), lambda: computed.append(1) or 43) == 42
    assert computed == [1] and figures.versions() == stamp_before


def test_an_edit_is_seen_by_every_figure(world, client):
    org, outcomes = world
    before = assert_all_fresh(org, outcomes)
    target = queries.target_by_id(outcomes.org_target.pk)
    outcome_actions.update_target(target, {"value": 6.5}, expected_version=target.version, acting_user=SYSTEM)
    after = assert_all_fresh(org, outcomes)
    assert after["target (org)"] != before["target (org)"]
    assert after["organization view"] != before["organization view"]
    assert queries.assess(queries.target_by_id(target.pk)).target.value == 6.5
    # and the page says so
    client.force_login(org.keeper)
    assert "6.5" in client.get(f"/targets/{target.pk}/").content.decode()

    # a KPI's values: tensions, the alignment map and the team's scorecard move with them
    kpi = queries.kpi_by_id(outcomes.handle_time.pk)
    rows = [ValueRow(day, 20.0 - i) for i, (day, _) in enumerate(queries.kpi_series(kpi))]
    outcome_actions.record_kpi_values(kpi, rows, acting_user=SYSTEM, replace=True)
    moved = assert_all_fresh(org, outcomes)
    assert moved["KPI series"] != after["KPI series"]
    assert moved["tensions"] != after["tensions"]
    assert moved["scorecard service"] != after["scorecard service"]


def test_an_import_is_seen_by_every_figure(world):
    org, outcomes = world
    before = assert_all_fresh(org, outcomes)
    source = insight_actions.create_source({"name": "Late survey", "kind": "survey"}, acting_user=SYSTEM)
    day = dt.datetime.combine(clock.data_through(), dt.time(11), tzinfo=dt.UTC)
    rows = [CanonicalRow(external_id=f"late-{i}", received_at=day, channel="app", row_number=i + 2,
                         text="Signing in to the app failed again", ces=1, nps=0, step="Log in to the app")
            for i in range(80)]
    insight_actions.ingest_feedback_batch(source, rows)
    after = assert_all_fresh(org, outcomes)
    for name in ("target (login)", "scorecard IT", "organization view", "alignment map", "themes"):
        assert after[name] != before[name], f"{name} did not move with the import"


def test_a_correction_is_seen(world):
    """A person's answer in the review queue moves the figures like an import does."""
    org, outcomes = world
    before = assert_all_fresh(org, outcomes)
    from cxkeeper.insights.models import Feedback

    item = Feedback.objects.filter(step=org.login_step).order_by("-received_at").first()
    insight_actions.review_feedback(item, org.call_step, acting_user=org.keeper)
    after = assert_all_fresh(org, outcomes)
    assert after["scorecard IT"] != before["scorecard IT"]
    assert after["routing quality"] != before["routing quality"]


def test_an_uncommitted_write_is_never_stored_and_a_rollback_moves_nothing(world):
    org, outcomes = world
    target = queries.target_by_id(outcomes.org_target.pk)
    stored_before = queries.assess(target)
    versions = figures.versions()
    rows = StoredFigure.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        outcome_actions.update_target(target, {"value": 9.9}, expected_version=target.version, acting_user=SYSTEM)
        inside = queries.assess(queries.target_by_id(target.pk))
        assert inside.target.value == 9.9  # the writer sees its own write, computed afresh…
        assert StoredFigure.objects.count() == rows  # …and not kept for anyone else
        raise RuntimeError("roll back")
    assert figures.versions() == versions  # …nobody else ever did
    again = queries.assess(queries.target_by_id(target.pk))
    assert again.target.value == stored_before.target.value == 5.5


WORKER = textwrap.dedent("""
    import json, os, sys
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    django.setup()
    from cxkeeper.core import figures
    from cxkeeper.core.actors import SYSTEM
    from cxkeeper.core.models import StoredFigure
    from cxkeeper.outcomes import actions, queries
    from cxkeeper.testing.figures import fingerprint

    for line in sys.stdin:
        command, pk, *rest = line.split()
        target = queries.target_by_id(int(pk))
        if command == "edit":
            actions.update_target(target, {"value": float(rest[0])}, expected_version=target.version,
                                  acting_user=SYSTEM)
            answer = {"versions": figures.versions()}
        else:
            stored = StoredFigure.objects.filter(key__startswith="outcomes.org_view(").count()
            view = queries.org_view()
            with figures.computed_fresh():
                fresh = queries.org_view()
            values = [v.target.value for o in view.outcomes for v in o.targets if v.target.pk == target.pk]
            answer = {"value": values[0], "same_as_fresh": fingerprint(view) == fingerprint(fresh),
                      "stored_before": stored, "versions": figures.versions()}
        print(json.dumps(answer), flush=True)
""")


def _database_for_workers(tmp_path: Path) -> dict:
    """The environment that points a worker process at this test's database: PostgreSQL's test
    database as it is; SQLite's in-memory one copied to a file both workers open."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CXKEEPER_DATA_DIR": str(tmp_path)}
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{settings['NAME']}"
    else:
        env.pop("DATABASE_URL", None)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(tmp_path / "cxkeeper.sqlite3")])
    return env


def test_two_processes_see_the_same_invalidation(world, tmp_path):
    org, outcomes = world
    env = _database_for_workers(tmp_path)
    first, second = (subprocess.Popen([sys.executable, "-c", WORKER], env=env, cwd=tmp_path, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(2))

    def ask(worker, command: str) -> dict:
        worker.stdin.write(command + "\n")
        worker.stdin.flush()
        return json.loads(worker.stdout.readline())

    try:
        pk = outcomes.org_target.pk
        a = ask(first, f"read {pk}")
        b = ask(second, f"read {pk}")
        assert a["value"] == b["value"] == 5.5 and a["same_as_fresh"] and b["same_as_fresh"]
        assert b["stored_before"] == 1  # the second process read what the first one computed
        edited = ask(first, f"edit {pk} 6.25")
        assert edited["versions"][figures.RECORDS] > a["versions"][figures.RECORDS]
        b = ask(second, f"read {pk}")
        assert b["value"] == 6.25 and b["same_as_fresh"]
        assert b["versions"] == edited["versions"]
        a = ask(first, f"read {pk}")
        assert a["value"] == 6.25 and a["same_as_fresh"]
    finally:
        for worker in (first, second):
            worker.stdin.close()
            worker.wait(timeout=60)
