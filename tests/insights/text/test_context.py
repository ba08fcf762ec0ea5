"""Where a message came from and how long its writer had been known, weighed while self-training
chooses what to learn (text/context.py, decisions 0053 and 0054)."""

from __future__ import annotations

import numpy as np
import pytest

from cxkeeper.insights.text import context
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
    assert CONTRADICTED == -40.0  # decision 0057 (-10 for one wording alone, decision 0056)



def test_variants_of_one_message_are_judged_together_and_do_not_vouch_for_each_other():
    # five wordings of one message, each written 8 times by phone, all routed to the store's step:
    # alone, each is one wording among variants that make the store's step look written by phone
    keys = [["store"]] * 40 + [["phone"]] * 40 + [["app"]] * 20 + [["phone"] * 8] * 5
    best = np.array([0] * 40 + [1] * 40 + [2] * 20 + [0] * 5)
    where, sure = SampleContexts(keys), np.ones(len(best), dtype=bool)
    assert not where.contradicted(best, sure, 3).any()
    variants = np.array(list(range(100)) + [100] * 5)
    assert where.contradicted(best, sure, 3, variants=variants).tolist() == [False] * 100 + [True] * 5
    # the same variant id on two steps is two groups: the phone step's own wording stays
    best_split = best.copy()
    best_split[-1] = 1
    flagged = where.contradicted(best_split, sure, 3, variants=variants)
    assert flagged[-5:].tolist() == [True] * 4 + [False]


def test_a_message_found_contradicted_no_longer_vouches_for_the_others(monkeypatch):
    # "test" (400 rows) and "just testing the form" (24 rows), from everywhere, both sure of the
    # app's step: counted there, "test" makes the second look at home until it is set aside
    everywhere = ["store", "phone", "app", "web"]
    keys = [["store"]] * 40 + [["phone"]] * 40 + [["app"]] * 20 + [everywhere * 100, everywhere * 6]
    best = np.array([0] * 40 + [1] * 40 + [2] * 20 + [2, 2])
    where, sure = SampleContexts(keys), np.ones(len(best), dtype=bool)
    assert where.contradicted(best, sure, 3)[-2:].tolist() == [True, True]
    monkeypatch.setattr(context, "JUDGED_AGAIN", 0)
    assert where.contradicted(best, sure, 3)[-2:].tolist() == [True, False]


def test_messages_written_where_their_step_is_written_are_not_contradicted_by_chance():
    """The null simulation (decision 0057): 8 steps, each with its own spread over 12 contexts;
    2,400 messages (groups of 1 to 5 variants), 1 to 300 rows each, every row drawn from its
    step's spread. None is contradicted at CONTRADICTED. A message of step 0 written 30 times
    through the context step 0 is least written from is."""
    rng = np.random.default_rng(57)
    n_steps, n_keys = 8, 12
    spread = rng.dirichlet(np.full(n_keys, 0.5), size=n_steps)
    steps = rng.integers(0, n_steps, 2400)
    sizes = np.minimum(rng.geometric(1 / 25, 2400), 300)
    keys = [rng.choice(n_keys, size=int(n), p=spread[k]).tolist() for k, n in zip(steps, sizes, strict=True)]
    variants = np.arange(2400) // rng.integers(1, 6)  # neighbours share an id; different steps stay apart
    where = SampleContexts(keys)
    sure = np.ones(2400, dtype=bool)
    assert not where.contradicted(steps, sure, n_steps, variants=variants).any()
    # the same world and one message of step 0 written where step 0 is least written from
    far = int(np.argmin(spread[0] / spread.mean(axis=0)))
    where = SampleContexts(keys + [[far] * 30])
    flagged = where.contradicted(np.append(steps, 0), np.ones(2401, dtype=bool), n_steps)
    assert flagged.tolist() == [False] * 2400 + [True]

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
    assert report.contradicted == 1 and report.off_topic == 0  # set aside, not learnt as "no step" (decision 0057)
    assert router.route([TESTING])[0].label is None  # set aside: a person places it from the queue
    assert router.route([TESTING])[0].set_aside and not router.route([PATIENT[0]])[0].set_aside
    # the wording itself is kept, however it is cased or punctuated, and saved with the router
    assert router.set_aside == {normalized(TESTING)}
    path = tmp_path / "router.joblib"
    router.save(path)
    loaded = StepRouter.load(path)
    assert loaded.set_aside == router.set_aside
    assert loaded.route(["Just testing the engineer-visit booking form!!"])[0].label is None
    # a person's answer still places it
    loaded.remember([TESTING], ["install"])
    assert loaded.route([TESTING])[0].label == "install" and not loaded.route([TESTING])[0].set_aside
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
