"""The wins on the sample's known stories (src/cxkeeper/sample/feedback.py, sample/wins.py):
IT's app-login fix is found as a win — effort better, complaints down, fewer calls mentioning
the login — credited to IT & Digital Platforms (a hidden hero) and the other contributing teams;
Field Engineering's initiative at a step whose data did not change shows no credible change;
Billing's planned change that went live ten days before the end of the data is too early.

Half the demo's year with true steps (no router), as tests/insights/test_impact_sample.py."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions as insight_actions
from cxkeeper.sample import feedback as generated
from cxkeeper.sample import organization as org
from cxkeeper.sample.initiatives import LOGIN_FIX, load_sample_initiatives
from cxkeeper.sample.load import load_sample_organization
from cxkeeper.sample.load_feedback import SOURCE_KINDS, canonical
from cxkeeper.sample.wins import NOT_CREDIBLE, TOO_EARLY, load_sample_wins
from cxkeeper.testing.worlds import class_world
from cxkeeper.wins import queries
from cxkeeper.wins.models import Measurement

ROWS = 120_000
runner = CliRunner()


def load_sample_with_wins():
    load_sample_organization()
    sources = {name: insight_actions.source_named(name, acting_user=SYSTEM,
                                                  defaults={"kind": kind, "default_channel": channel})
               for name, (kind, channel) in SOURCE_KINDS.items()}
    batches: dict[str, list] = {name: [] for name in sources}
    for number, row in enumerate(generated.generate_feedback(ROWS), start=1):
        batches[row["source"]].append(dataclasses.replace(canonical(row, number), step=row["true_step"]))
    for name, rows in batches.items():
        for first in range(0, len(rows), 4000):
            insight_actions.ingest_feedback_batch(sources[name], rows[first:first + 4000])
    load_sample_initiatives()
    load_sample_wins()


def rows_of(title: str) -> dict[str, Measurement]:
    return {m.key: m for m in Measurement.objects.filter(initiative__title=title)}


@pytest.mark.django_db
class TestTheSampleWins:
    world = class_world(load_sample_with_wins, data_dir=True)

    def test_the_login_fix_is_found_as_a_win(self, world):
        rows = rows_of(LOGIN_FIX)
        print({k: (m.verdict, m.effect_text, m.sentence) for k, m in rows.items()})
        assert rows["ces"].verdict == "win", rows["ces"].sentence
        assert rows["ces"].effect > 1.0 and rows["ces"].low > 0
        assert rows["negative_count"].verdict == "win", rows["negative_count"].sentence
        assert rows["negative_count"].effect < -0.3
        calls = rows["mentions:login:phone"]
        assert calls.verdict == "win" and calls.effect < 0, calls.sentence
        assert "Call the helpline" in calls.scope and "(phone)" in calls.scope

    def test_credit_goes_to_every_team_hidden_heroes_marked(self, world):
        fix = rows_of(LOGIN_FIX)["ces"]
        credit = {c.team.name: c for c in queries.credit(fix.subject)}
        assert set(credit) == {org.IT, org.UX, org.CARE}
        assert credit[org.IT].role == "leads" and credit[org.IT].hidden_hero
        assert credit[org.CARE].role == "contributes" and not credit[org.CARE].hidden_hero
        assert queries.credit(fix.subject)[0].team.name == org.IT  # hidden heroes first

    def test_a_step_whose_data_did_not_change_is_no_win(self, world):
        rows = rows_of(NOT_CREDIBLE)
        assert [m.verdict for m in rows.values()] == ["no_credible_change"], {k: m.sentence for k, m in rows.items()}
        assert rows["ces"].sentence.startswith("No credible change:")
        assert not queries.wins(team=rows["ces"].subject.team_roles.get(role="lead").team)

    def test_the_planned_change_is_too_early(self, world):
        rows = list(Measurement.objects.filter(planned_change__title=TOO_EARLY))
        assert {m.key for m in rows} == {"nps", "csat", "ces", "volume"}
        assert {m.verdict for m in rows} == {"too_early"}, [m.sentence for m in rows]
        assert all(m.sentence.startswith("Too early:") for m in rows)

    def test_measured_once_per_data_version(self, world):
        first = {m.pk: m.measured_at for m in Measurement.objects.all()}
        assert queries.ensure_measured() is False  # nothing changed: nothing measured again
        assert {m.pk: m.measured_at for m in Measurement.objects.all()} == first

    def test_the_cli_lists_wins_and_answers_for_an_initiative(self, world):
        out = runner.invoke(app, ["wins", "--json"])
        assert out.exit_code == 0, out.output
        wins = json.loads(out.output)
        login = [w for w in wins if w["initiative"] == LOGIN_FIX]
        assert {w["metric"] for w in login} >= {"ces", "negative_count", "mentions"}
        assert all(w["verdict"] == "win" for w in wins)
        first = login[0]
        assert {"initiative", "metric", "scope", "effect", "interval", "verdict", "teams"} <= set(first)
        assert {"team": org.IT, "role": "leads", "hidden_hero": True} in [
            {k: t[k] for k in ("team", "role", "hidden_hero")} for t in first["teams"]]
        out = runner.invoke(app, ["impact", LOGIN_FIX, "--json"])
        assert out.exit_code == 0, out.output
        report = json.loads(out.output)
        verdicts = {r["metric"]: r["verdict"] for r in report["results"]}
        assert report["problem"] is None and report["teams"][0]["team"] == org.IT
        assert {verdicts["ces"], verdicts["negative_count"], verdicts["mentions"]} == {"win"}
        assert all(r["details"] for r in report["results"])
        out = runner.invoke(app, ["impact", NOT_CREDIBLE])
        assert out.exit_code == 0 and "No credible change" in out.output
