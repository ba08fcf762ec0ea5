"""The impact engine on the sample organization's known stories (src/cxkeeper/sample/feedback.py):
IT's app-login fix on `LOGIN_FIX_DATE` is a win at "Log in to the app" — effort up, fewer items,
fewer negative texts, fewer helpline calls mentioning the login — and a step whose data did not
change on that date shows no credible change.

Half the demo's year with true steps (no router), as tests/sample/test_sample_outcomes.py does:
the figures do not depend on routing quality and the load takes seconds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights.impact import measure_impact, steps_named
from cxkeeper.journeys.models import Step
from cxkeeper.sample import feedback as generated
from cxkeeper.sample import feedback_text as T
from cxkeeper.sample.load import load_sample_organization
from cxkeeper.sample.load_feedback import SOURCE_KINDS, canonical
from cxkeeper.testing.worlds import class_world

ROWS = 60_000
FIX = generated.LOGIN_FIX_DATE
AS_OF = generated.DEFAULT_END
# No story touches it: not the login, call, handle-time, outage or bill steps (feedback_text.py).
QUIET_STEP = "Technician installation visit"
runner = CliRunner()


def load_sample_with_feedback():
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


def step(name: str) -> Step:
    return Step.objects.select_related("stage__journey").get(name=name)


def test_the_quiet_step_is_in_no_story():
    story_steps = {T.LOGIN_STEP, T.OUTAGE_STEP, T.FIRST_BILL_STEP, T.QUERY_CHARGE_STEP, *T.CALL_STEPS, *T.AHT_STEPS}
    assert QUIET_STEP not in story_steps


@pytest.mark.django_db
class TestTheSampleStories:
    world = class_world(load_sample_with_feedback, data_dir=True)

    @pytest.mark.parametrize("metric", ["ces", "volume", "negative_count"])
    def test_the_login_fix_is_a_win_at_its_step(self, world, metric):
        result = measure_impact([step(T.LOGIN_STEP)], metric, FIX, as_of=AS_OF)
        assert result.verdict == "win", result.sentence
        assert result.sentence.startswith("Win:")
        details = result.details
        assert details["effect"]["p"] < 0.05 and details["n_before"] > 0 and details["n_after"] > 0
        assert T.LOGIN_STEP not in {c["step"] for c in details["comparison_steps"]}
        # a handoff links "Talk to an agent" to the login step: the fix spills over there, so it is no comparison
        assert "Talk to an agent" not in {c["step"] for c in details["comparison_steps"]}
        if metric == "ces":
            assert 1.5 < details["effect"]["value"] < 3.5  # about 3 → 5.5 in the generator
            assert details["before"] < 4 < 5 < details["after"]

    def test_fewer_helpline_calls_mention_the_login(self, world):
        calls = [step(name) for name in T.CALL_STEPS]
        result = measure_impact(calls, "mentions", FIX, as_of=AS_OF, topic="login")
        assert result.verdict == "win", result.sentence
        assert result.details["effect"]["value"] < -0.5
        by_phone = measure_impact(calls, "mentions", FIX, as_of=AS_OF, topic="login", channel="phone")
        assert 0 < by_phone.details["n_before"] < result.details["n_before"]  # the channel filters the texts too

    @pytest.mark.parametrize("metric", ["ces", "csat", "volume"])
    def test_a_step_without_change_shows_no_credible_change(self, world, metric):
        result = measure_impact([step(QUIET_STEP)], metric, FIX, as_of=AS_OF)
        assert result.verdict == "no_credible_change", result.sentence
        assert result.sentence.startswith("No credible change:")

    def test_daily_series_channel_filters_and_chosen_comparisons(self, world):
        login = step(T.LOGIN_STEP)
        daily = measure_impact([login], "volume", FIX, as_of=AS_OF, grain="day")
        assert daily.verdict == "win" and daily.details["periods_before"] > 150, daily.sentence
        in_app = measure_impact([login], "ces", FIX, as_of=AS_OF, channel="app")
        assert in_app.verdict == "win" and in_app.as_dict()["channel"] == "app"
        segment = generated.SEGMENTS[0]
        one_segment = measure_impact([login], "ces", FIX, as_of=AS_OF, segment=segment)
        assert one_segment.as_dict()["segment"] == segment and one_segment.verdict in ("win", "no_credible_change")
        assert 0 < one_segment.details["n_before"] < in_app.details["n_before"]
        chosen = measure_impact([login], "ces", FIX, as_of=AS_OF, comparison=[step(QUIET_STEP)])
        assert [(c["step"], c["reason"]) for c in chosen.details["comparison_steps"]] == [
            (QUIET_STEP, "chosen by the caller")]
        assert chosen.verdict == "win"
        first = measure_impact([login], "ces", FIX, as_of=AS_OF).comparison[0]
        without = measure_impact([login], "ces", FIX, as_of=AS_OF, exclude=[first.step_id])
        assert first.step_id not in {c.step_id for c in without.comparison}

    def test_a_change_after_the_data_is_too_early(self, world):
        result = measure_impact([step(T.LOGIN_STEP)], "ces", AS_OF + dt.timedelta(days=3), as_of=AS_OF)
        assert (result.verdict, result.assessment.reason) == ("too_early", "after_data")
        recent = measure_impact([step(T.LOGIN_STEP)], "ces", AS_OF - dt.timedelta(days=10), as_of=AS_OF)
        assert (recent.verdict, recent.assessment.reason) == ("too_early", "few_periods_after")
        assert "needs 4" in recent.sentence
        days_ago = measure_impact([step(T.LOGIN_STEP)], "ces", AS_OF - dt.timedelta(days=3), as_of=AS_OF)
        assert (days_ago.verdict, days_ago.assessment.reason) == ("too_early", "few_periods_after")
        assert "no whole week with data after" in days_ago.sentence

    def test_the_cli_answers_in_words_and_json(self, world):
        login = step(T.LOGIN_STEP)
        assert steps_named(f"{login.stage.journey.name}/{login.name}") == [login]
        out = runner.invoke(app, ["impact", "--steps", f"{login.stage.journey.name}/{login.name}", "--metric", "CES",
                                  "--since", FIX.isoformat(), "--as-of", AS_OF.isoformat()])
        assert out.exit_code == 0, out.output
        assert "Win:" in out.output and "comparison" in out.output.lower()
        out = runner.invoke(app, ["impact", "--steps", login.name, "--metric", "ces", "--since", FIX.isoformat(),
                                  "--as-of", AS_OF.isoformat(), "--json"])
        assert out.exit_code == 0, out.output
        payload = json.loads(out.output)
        assert payload["verdict"] == "win" and payload["details"]["comparison_steps"]

