"""`cxkeeper route audit --truth FILE`, `cxkeeper route reroute` and `cxkeeper sample truth`: the
routing of stored feedback against a file of true steps, and a second routing pass that keeps
every rollup equal to a rebuild."""

from __future__ import annotations

import copy
import csv
import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions, routing
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.ingest import CanonicalRow
from cxkeeper.insights.models import Feedback

from .test_feedback_store import assert_rollups_match_rebuild

runner = CliRunner()
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
LOGIN = ["I can't log in to the app, the password reset never arrives", "the app logs me out and my password fails",
         "two factor code never comes so I cannot sign in", "locked out of my account in the app again"]
CALL = ["I called the helpline and waited forty minutes", "the helpline hung up on me twice",
        "phoned your helpline, nobody answered the call", "on hold on the helpline for an hour"]
NOISE = ["follow for follow", "asdf", "lol"]


@pytest.fixture
def stored(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    source = actions.create_source({"name": "Survey", "kind": "survey"}, acting_user=small_org.keeper)
    texts = [(t, "login") for t in LOGIN] + [(t, "call") for t in CALL] + [(t, None) for t in NOISE]
    rows = [CanonicalRow(external_id=f"m{i}", received_at=START + timedelta(hours=i), channel="app", row_number=i + 1,
                         text=text, nps=(i * 3) % 11) for i, (text, _) in enumerate(texts)]
    actions.ingest_feedback_batch(source, rows)
    steps = {"login": small_org.login_step, "call": small_org.call_step, None: None}
    return {f"m{i}": steps[key] for i, (_, key) in enumerate(texts)}


def invoke(*args):
    result = runner.invoke(app, list(args))
    return result, result.output


def expected_figures(truth):
    placed = dict(Feedback.objects.values_list("external_id", "step_id"))
    on = [(placed[i], s.pk) for i, s in truth.items() if s is not None]
    off = [placed[i] for i, s in truth.items() if s is None]
    routed = sum(p is not None for p in placed.values())
    right = sum(p == t for p, t in on)
    return {"accuracy": right / len(on), "unrouted_rate": sum(p is None for p, _ in on) / len(on),
            "precision": right / routed if routed else None,
            "off_topic_unrouted": sum(p is None for p in off) / len(off),
            "n_on_topic": len(on), "n_off_topic": len(off), "n_routed": routed}


def test_audit_reads_csv_with_step_names_and_ids(stored, tmp_path, small_org):
    path = tmp_path / "truth.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "true_step"])
        for number, (external_id, step) in enumerate(stored.items()):
            label = "none" if step is None else (step.name if number % 2 else str(step.pk))
            writer.writerow([external_id, "off-topic" if step is None and number % 2 else label])
    result, output = invoke("route", "audit", "--truth", str(path), "--json")
    assert result.exit_code == 0, output
    figures = json.loads(output)
    assert {k: figures[k] for k in expected_figures(stored)} == expected_figures(stored)
    assert figures["n_not_found"] == 0
    result, output = invoke("route", "audit", "--truth", str(path))
    assert result.exit_code == 0 and "accuracy" in output and "off-topic handling" in output


def test_audit_reads_jsonl_and_counts_ids_it_cannot_find(stored, tmp_path):
    path = tmp_path / "truth.jsonl"
    lines = [json.dumps({"id": i, "step": s.name if s else None}) for i, s in stored.items()]
    path.write_text("\n".join([*lines, json.dumps({"id": "never-imported", "step": ""})]) + "\n")
    result, output = invoke("route", "audit", "--truth", str(path), "--json")
    assert result.exit_code == 0, output
    figures = json.loads(output)
    assert figures["n_not_found"] == 1 and figures["n_truth_rows"] == len(stored) + 1
    assert figures["accuracy"] == expected_figures(stored)["accuracy"]


@pytest.mark.parametrize(("content", "name", "message"), [
    ("external_id,true_step\nm0,Log in to the app\nm1,Pay my bill\n", "truth.csv",
     "truth.csv, row 3, column “true_step”: “Pay my bill” is not a step"),
    ("external_id,true_step\nm0\n", "truth.csv", "truth.csv, row 2: 1 fields, the header has 2"),
    ("id,label\nm0,none\n", "truth.csv", "truth.csv, row 2, column “true_step”: missing"),
    ('{"external_id": "m0", "true_step": "none"}\n{"external_id": ""}\n', "truth.jsonl",
     "truth.jsonl, row 2, column “true_step”: missing"),
    ('{"external_id": "m0", "true_step": "none"}\nnot json\n', "truth.jsonl", "truth.jsonl, row 2: not a JSON object"),
])
def test_a_bad_truth_row_is_named_and_nothing_is_printed(stored, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_text(content)
    result, output = invoke("route", "audit", "--truth", str(path), "--json")
    assert result.exit_code == 2
    assert message in " ".join(output.split())


def test_reroute_moves_feedback_and_rollups_together_and_spares_people(stored, small_org):
    person = Feedback.objects.get(external_id="m4")
    actions.correct_feedback_step(person, small_org.login_step, acting_user=small_org.keeper)  # a wrong one, on purpose
    routing.train_router(evaluate=False)
    counts = actions.reroute_feedback(acting_user=SYSTEM)
    assert counts["considered"] == len(stored) - 1
    assert counts["routed_after"] == Feedback.objects.exclude(routed_by=RoutedBy.PERSON).exclude(step=None).count()
    person.refresh_from_db()
    assert person.step_id == small_org.login_step.pk and person.routed_by == RoutedBy.PERSON
    assert_rollups_match_rebuild()
    again = actions.reroute_feedback(acting_user=SYSTEM)
    assert again["changed"] == 0  # the same router places every message where it already is


def test_sample_truth_lists_the_generated_messages(tmp_path):
    from cxkeeper.sample.feedback import generate_feedback

    path = tmp_path / "truth.csv"
    result, output = invoke("sample", "truth", "--out", str(path), "--rows", "300")
    assert result.exit_code == 0, output
    with path.open() as handle:
        written = list(csv.DictReader(handle))
    generated = [r for r in generate_feedback(300, seed=7) if r["text"]]
    assert [(r["external_id"], r["true_step"]) for r in written] == [
        (g["external_id"], g["true_step"] or "") for g in generated]


WRAPPINGS = ["Honestly, {}.", "Not impressed. {}!", "{} Sort it out.", "Quick question: {}?", "Fed up. {}, again.",
             "Well, {} Thanks.", "{} with three kids at home.", "I work from home and {}.", "{} Cheers!",
             "Ugh. {}...", "To be blunt, {}.", "{}. Would not recommend.", "Long story short: {}",
             "{}. Really poor service.", "As usual {}", "Seriously, {}"]
JINGLE = "the jingle they play loops the same four notes"


def test_answers_act_through_the_memory_not_the_self_trained_model(small_org, settings, tmp_path):
    """Decision 0046: a person's answer sends the same complaint, however it is wrapped, where
    the person put it (content vectors), and leaves the self-trained model as it was."""
    settings.DATA_DIR = tmp_path
    source = actions.create_source({"name": "Survey", "kind": "survey"}, acting_user=small_org.keeper)
    cores = LOGIN + CALL + [JINGLE]
    texts = [wrapping.format(core) for core in cores for wrapping in WRAPPINGS]
    rows = [CanonicalRow(external_id=f"w{i}", received_at=START + timedelta(minutes=i), channel="app", row_number=i + 1,
                         text=text) for i, text in enumerate(texts)]
    actions.ingest_feedback_batch(source, rows)
    routing.train_router(evaluate=False)
    before = routing.current_router(train_if_missing=False)
    assert before.content is not None  # self-trained: content vectors learnt from the organization's messages
    jingles = [wrapping.format(JINGLE) for wrapping in WRAPPINGS]

    answered = Feedback.objects.get(text=jingles[0])
    actions.correct_feedback_step(answered, small_org.call_step, acting_user=small_org.keeper)
    routing.train_router(evaluate=False)
    after = routing.current_router(train_if_missing=False)
    routed = after.route(jingles[1:])
    assert all(r.label == small_org.call_step.pk for r in routed)  # every wrapping follows the answer

    model_before, model_after = copy.copy(before), copy.copy(after)
    model_before.memory = model_after.memory = None
    was, now = model_before.route(jingles[1:], threshold=0.0), model_after.route(jingles[1:], threshold=0.0)
    call = small_org.call_step.pk
    for old, new in zip(was, now, strict=True):
        old_call = dict(old.top).get(call, 0.0)
        assert abs(dict(new.top).get(call, 0.0) - old_call) < 0.05  # the model did not learn the answer
