"""Where a message came from and how long its writer had been known, weighed while self-training
chooses what to learn (text/context.py, decisions 0053 and 0054)."""

from __future__ import annotations

import numpy as np
import pytest

from cxkeeper.insights.text.context import SampleContexts, known_for_band
from cxkeeper.insights.text.router import training_examples_from_steps
from cxkeeper.insights.text.selftrain import self_train

from .conftest import STEPS


def test_one_context_for_every_message_changes_nothing():
    probabilities = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]])
    where = SampleContexts([["web"], ["web", "web"], ["web"]])
    weighed = where.reweigh(probabilities, np.ones(3), confident=0.8)
    assert np.allclose(weighed, probabilities)


def test_a_context_a_steps_sure_routes_come_through_lifts_that_step():
    # 20 sure routes to step 0 from the store, 20 to step 1 from the phone; then one message
    # the text leaves at 50/50, once from the store and once from the phone
    sure = [[0.95, 0.05]] * 20 + [[0.05, 0.95]] * 20
    probabilities = np.array(sure + [[0.5, 0.5], [0.5, 0.5]])
    where = SampleContexts([["store"]] * 20 + [["phone"]] * 20 + [["store"], ["phone"]])
    weighed = where.reweigh(probabilities, np.ones(42), confident=0.8)
    assert weighed[40, 0] > 0.9 and weighed[41, 1] > 0.9
    assert np.allclose(weighed.sum(axis=1), 1.0)
    # a message seen through both contexts as often: no evidence either way
    both = SampleContexts([["store"]] * 20 + [["phone"]] * 20 + [["store", "phone"], ["store", "phone"]])
    assert np.allclose(both.reweigh(probabilities, np.ones(42), confident=0.8)[40], [0.5, 0.5])


def test_unsure_routes_and_texts_without_a_known_word_teach_no_context():
    probabilities = np.array([[0.6, 0.4]] * 20 + [[0.95, 0.05]] * 20 + [[0.5, 0.5]])
    known = np.array([1] * 20 + [0] * 20 + [1])
    where = SampleContexts([["store"]] * 40 + [["store"]])
    ratios = where.log_ratios(probabilities, known, confident=0.8)
    assert np.allclose(ratios, 0.0)


def test_the_off_topic_class_learns_no_context():
    probabilities = np.array([[0.9, 0.05, 0.05]] * 10 + [[0.05, 0.9, 0.05]] * 10 + [[0.05, 0.05, 0.9]] * 10)
    where = SampleContexts([["store"]] * 10 + [["phone"]] * 10 + [["social"]] * 10)
    ratios = where.log_ratios(probabilities, np.ones(30), confident=0.8, neutral=[2])
    assert np.allclose(ratios[2], 0.0) and ratios[0, 0] > 0.5  # step 0 through the store


# A wording the map never used, written about the installation visit and sent from the field
# surveys only; sure installation and fault messages come through the field and the phone.
PATIENT = ["the chap was really patient and sorted everything", "really patient chap, sorted everything out",
           "so patient with us and sorted everything", "patient and kind, he sorted everything",
           "the man was patient, sorted everything in no time"]


def field_world() -> tuple[list[str], list[tuple[str, str]]]:
    texts, contexts = [], []
    for i in range(6):
        for phrase in ("the engineer never turned up", "installation appointment was cancelled",
                       "technician arrived late and left without connecting us"):
            texts.append(f"{phrase}, visit {'abcdef'[i]}")
            contexts.append(("survey", "field"))
        for phrase in ("my internet keeps dropping", "wifi is very slow in the evenings", "no connection since monday"):
            texts.append(f"{phrase}, call {'abcdef'[i]}")
            contexts.append(("survey", "phone"))
        for phrase in ("how do I order broadband", "I was charged twice this month", "I want to cancel my contract"):
            texts.append(f"{phrase}, form {'abcdef'[i]}")
            contexts.append(("survey", "web"))
    for text in PATIENT:
        texts += [text] * 4
        contexts += [("survey", "field")] * 4
    return texts, contexts


def test_self_training_learns_a_wording_from_the_channel_it_comes_through_then_routes_by_words():
    examples = training_examples_from_steps(STEPS)
    texts, contexts = field_world()
    plain, _ = self_train(examples, texts, backend="tfidf", min_per_step=1)
    router, report = self_train(examples, texts, contexts=contexts, backend="tfidf", min_per_step=1)
    assert report.contexts == 3
    # routed by words alone, with no context: the wording the field surveys taught
    assert [r.label for r in router.route(PATIENT)] == ["install"] * len(PATIENT)
    assert all(r.label != "install" for r in plain.route(PATIENT))


def test_contexts_must_come_one_per_message():
    examples = training_examples_from_steps(STEPS)
    with pytest.raises(ValueError, match="2 contexts for 3 unlabeled messages"):
        self_train(examples, ["a", "b", "c"], contexts=[("survey", "web")] * 2, backend="tfidf")


@pytest.mark.parametrize(("days", "band"), [(None, None), (0, 0), (6.9, 0), (7, 1), (29.5, 1), (30, 2), (89, 2),
                                            (90, 3), (364.9, 3), (365, 4), (4000, 4)])
def test_how_long_a_customer_had_been_known_falls_in_calendar_bands(days, band):
    assert known_for_band(days) == band


# A wording the map never used, written by customers known for years; every message comes through
# the same survey by web, and sure installation messages come from customers known under a week,
# sure fault messages from customers known for years.
STEADY = ["worked fine for ages, solid as a rock", "solid as a rock for ages now", "for ages it has been solid",
          "rock solid, worked fine for ages", "solid for ages, worked fine every day"]


def tenure_world(with_tenure: bool) -> tuple[list[str], list[tuple]]:
    texts, contexts = [], []

    def add(text: str, days: float) -> None:
        texts.append(text)
        contexts.append(("survey", "web", known_for_band(days) if with_tenure else None))

    for i in range(6):
        for phrase in ("the engineer never turned up", "installation appointment was cancelled",
                       "technician arrived late and left without connecting us"):
            add(f"{phrase}, visit {'abcdef'[i]}", 3)
        for phrase in ("my internet keeps dropping", "wifi is very slow in the evenings", "no connection since monday"):
            add(f"{phrase}, call {'abcdef'[i]}", 800)
        for phrase in ("how do I order broadband", "I was charged twice this month", "I want to cancel my contract"):
            add(f"{phrase}, form {'abcdef'[i]}", 45)
    for text in STEADY:
        for _ in range(4):
            add(text, 900)
    return texts, contexts


def test_self_training_learns_a_wording_from_how_long_its_writers_had_been_known():
    examples = training_examples_from_steps(STEPS)
    texts, contexts = tenure_world(with_tenure=True)
    router, report = self_train(examples, texts, contexts=contexts, backend="tfidf", min_per_step=1)
    assert report.contexts == 3
    assert [r.label for r in router.route(STEADY)] == ["fault"] * len(STEADY)
    # the same messages, all through one context: nothing says the wording is the fault step's
    texts, contexts = tenure_world(with_tenure=False)
    plain, report = self_train(examples, texts, contexts=contexts, backend="tfidf", min_per_step=1)
    assert report.contexts == 1
    assert [r.label for r in plain.route(STEADY)] != ["fault"] * len(STEADY)
