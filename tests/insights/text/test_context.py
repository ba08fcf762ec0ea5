"""Where a message came from and how long its writer had been known, weighed while self-training
chooses what to learn (text/context.py, decisions 0053 and 0054)."""

from __future__ import annotations

import numpy as np
import pytest

from cxkeeper.insights.text.context import CONTRADICTED, SampleContexts, known_for_band
from cxkeeper.insights.text.router import StepRouter, training_examples_from_steps
from cxkeeper.insights.text.selftrain import normalized, self_train

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


def contradiction_world(extra_rows: list[str], extra_step: int) -> tuple[SampleContexts, np.ndarray, np.ndarray]:
    """40 sure routes to step 0 from the store, 40 to step 1 from the phone, 20 to step 2 from the
    app, each a message of its own; then one message written ``len(extra_rows)`` times, sure of
    ``extra_step``."""
    keys = [["store"]] * 40 + [["phone"]] * 40 + [["app"]] * 20 + [extra_rows]
    best = np.array([0] * 40 + [1] * 40 + [2] * 20 + [extra_step])
    return SampleContexts(keys), best, np.ones(len(best), dtype=bool)


def test_a_message_written_many_times_through_another_steps_contexts_is_contradicted():
    where, best, sure = contradiction_world(["phone"] * 30, 0)  # routed to the store's step, written by phone
    assert where.contradicted(best, sure, 3).tolist() == [False] * 100 + [True]
    where, best, sure = contradiction_world(["store"] * 30, 0)  # written where its step's messages are
    assert not where.contradicted(best, sure, 3).any()
    where, best, sure = contradiction_world(["phone"], 0)  # once: log(1/41) = -3.7 is no proof
    assert not where.contradicted(best, sure, 3).any()
    assert where.contradicted(best, sure, 3, below=-3.0)[-1]  # a laxer cut would take it


def test_a_message_cannot_vouch_for_itself():
    # "test", 200 times through every channel, sure of step 2 ("Run a line test in the app"):
    # counted with its own rows it would be most of its step's sure routes and look at home there
    rows = ["store", "phone", "app", "web"] * 50
    where, best, sure = contradiction_world(rows, 2)
    assert where.contradicted(best, sure, 3)[-1]
    assert not where.contradicted(best, sure, 3, neutral=[2])[-1]  # off-topic is never contradicted
    # the same message routed with too little confidence to count still is judged by the others
    unsure = sure.copy()
    unsure[-1] = False
    assert where.contradicted(best, unsure, 3)[-1]
    assert CONTRADICTED == -10.0


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


# Written 30 times, evenly through the web form, the phone and the field surveys: its words are
# the installation visit's, but the visit's sure messages all come through the field surveys.
TESTING = "just testing the engineer visit booking form"


def test_self_training_sets_aside_a_message_whose_contexts_contradict_its_step(tmp_path):
    examples = training_examples_from_steps(STEPS)
    texts, contexts = field_world()
    for channel in ("web", "phone", "field") * 10:
        texts.append(TESTING)
        contexts.append(("survey", channel))
    believed, report = self_train(examples, texts, contexts=contexts, backend="tfidf", min_per_step=1,
                                  contradiction=None)
    assert report.contradicted == 0  # not asked to judge
    assert believed.route([TESTING])[0].label == "install"
    router, report = self_train(examples, texts, contexts=contexts, backend="tfidf", min_per_step=1)  # by default
    assert report.contradicted == 1 and report.off_topic >= 1
    assert router.route([TESTING])[0].label is None  # set aside: a person places it from the queue
    # the wording itself is kept, however it is cased or punctuated, and saved with the router
    assert router.set_aside == {normalized(TESTING)}
    path = tmp_path / "router.joblib"
    router.save(path)
    loaded = StepRouter.load(path)
    assert loaded.set_aside == router.set_aside
    assert loaded.route(["Just testing the engineer-visit booking form!!"])[0].label is None
    # a person's answer still places it
    loaded.remember([TESTING], ["install"])
    assert loaded.route([TESTING])[0].label == "install"
    # what the field surveys truly say about the visit is still learnt and routed there
    assert [r.label for r in router.route(PATIENT)] == ["install"] * len(PATIENT)
    assert router.route(["the engineer never turned up"])[0].label == "install"


def test_every_unlabeled_row_is_judged_not_only_the_sample():
    from cxkeeper.insights.text.selftrain import _distinct_sample

    examples = training_examples_from_steps(STEPS)
    texts, contexts = field_world()
    for channel in ("web", "phone", "field") * 10:
        texts.append(TESTING)
        contexts.append(("survey", channel))
    limit = len(set(map(normalized, texts))) - 5  # all but five distinct messages
    # a seed whose draw leaves the contradicted wording out of the sample
    seed = next(s for s in range(100) if TESTING not in _distinct_sample(texts, limit, s)[0])
    router, report = self_train(examples, texts, contexts=contexts, backend="tfidf", min_per_step=1,
                                max_unlabeled=limit, seed=seed)
    assert report.sample == limit and report.contradicted == 1
    assert router.route([TESTING])[0].label is None
