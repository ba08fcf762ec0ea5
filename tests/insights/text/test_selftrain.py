"""Self-training on the organization's own unlabeled messages (text/selftrain.py), on a small
generated world whose true steps are known: customers write in words the map never used."""

from __future__ import annotations

import random

import pytest

from cxkeeper.insights.text.router import OFF_TOPIC, StepRouter, training_examples_from_steps
from cxkeeper.insights.text.selftrain import ROUNDS, _distinct_sample, normalized, self_train

from .conftest import STEPS

# Customer wording per step: each step has words the map never used. Some messages pair them
# with the map's own words (the map-only router is sure of those); the others use only the new
# words, which only self-training can connect to the step.
KNOWN = {
    "order": ["how do I order broadband", "the checkout page would not accept my order"],
    "install": ["the engineer never turned up", "installation appointment was cancelled"],
    "fault": ["my internet keeps dropping", "wifi is very slow in the evenings"],
    "billing": ["I was charged twice this month", "why is my bill so high"],
    "cancel": ["I want to cancel my contract", "what are the early termination fees"],
}
NEW = {
    "order": ["basket", "signup form", "welcome pack", "upgrade deal"],
    "install": ["openreach van", "wiring", "drill holes", "socket fitting"],
    "fault": ["buffering", "outage", "lag spikes", "dead zone"],
    "billing": ["direct debit", "statement", "overcharged", "refund"],
    "cancel": ["pac code", "switching provider", "notice period", "exit letter"],
}
NOISE = ["follow for follow", "test", "n/a", "WIN A FREE PHONE click my bio", "lol", "asdf"]


def world(seed: int, n: int = 400, *, new_only: bool = False) -> tuple[list[str], list[str | None]]:
    rng = random.Random(seed)
    texts, truth = [], []
    for _ in range(n):
        if not new_only and rng.random() < 0.1:
            texts.append(rng.choice(NOISE))
            truth.append(None)
            continue
        step = rng.choice(sorted(NEW))
        new = " and ".join(rng.sample(NEW[step], 2))
        if new_only or rng.random() < 0.3:
            texts.append(f"{new} again, sort it out")
        else:
            texts.append(f"{rng.choice(KNOWN[step])}, plus the {new}")
        truth.append(step)
    return texts, truth


def right_share(router: StepRouter, texts: list[str], truth: list[str | None]) -> float:
    on_topic = [(r.label, t) for r, t in zip(router.route(texts), truth, strict=True) if t is not None]
    return sum(label == t for label, t in on_topic) / len(on_topic)


@pytest.fixture(scope="module")
def trained():
    examples = training_examples_from_steps(STEPS)
    unlabeled, _ = world(seed=1)
    return examples, self_train(examples, unlabeled, backend="tfidf", max_features=5000)


def test_self_training_routes_more_messages_to_their_true_step(trained):
    examples, (router, report) = trained
    base = StepRouter("tfidf").fit(examples.texts, examples.labels, examples.weights)
    texts, truth = world(seed=2, new_only=True)  # fresh messages in words the map never used
    before, after = right_share(base, texts, truth), right_share(router, texts, truth)
    assert report.pseudo_labelled and report.pseudo_labelled[0] > 0
    assert after >= before + 0.3 and after >= 0.9, (before, after)


def test_repeated_noise_the_map_cannot_place_is_learned_as_off_topic(trained):
    _, (router, report) = trained
    assert report.off_topic > 0
    results = router.route(NOISE)
    assert sum(r.label is None for r in results) >= report.off_topic >= len(NOISE) - 1
    assert all(label != OFF_TOPIC for r in results for label, _ in r.top)


def test_people_marking_a_message_off_topic_teaches_the_router(steps):
    examples = training_examples_from_steps(steps)
    router, report = self_train(examples, [], backend="tfidf", negatives=["please stop sending me surveys"] * 3)
    assert report.off_topic == 0 and len(router.memory) == 3  # remembered, not learned as a class
    assert OFF_TOPIC not in router.classes_
    assert router.route(["please stop sending me surveys"])[0].label is None
    assert router.route(["Please stop sending me surveys!"])[0].label is None
    assert router.route(["my internet keeps dropping"])[0].label == "fault"


def test_self_training_is_deterministic_and_independent_of_order():
    examples = training_examples_from_steps(STEPS)
    texts, _ = world(seed=3, n=300)
    first, _ = self_train(examples, texts, backend="tfidf", max_features=5000)
    second, _ = self_train(examples, list(reversed(texts)), backend="tfidf", max_features=5000)
    probe, _ = world(seed=4, n=100)
    assert [r.label for r in first.route(probe)] == [r.label for r in second.route(probe)]
    assert [round(r.confidence, 6) for r in first.route(probe)] == [round(r.confidence, 6) for r in second.route(probe)]


def test_the_sample_is_bounded_and_deduplicated():
    examples = training_examples_from_steps(STEPS)
    letters = "abcdefghij"
    texts = [f"Feedback\n\n{word}!" for word in ("Lol", "lol", "LOL.")]
    texts += [f"message {letters[i % 10]}{letters[i // 10]} about the bill" for i in range(50)]
    _, report = self_train(examples, texts, backend="tfidf", max_unlabeled=20, rounds=1)
    assert normalized("Feedback\n\nLOL.") == "feedback lol"
    assert report.sample == 20  # 51 distinct messages (the three "lol"s are one), 20 kept
    _, again = self_train(examples, texts, backend="tfidf", max_unlabeled=100, rounds=1)
    assert again.sample == 51


def test_the_sample_keeps_its_messages_when_a_few_leave():
    """Bottom-k sampling: answering (and so removing) a few messages must not redraw the whole
    sample, or every relearning trains on different messages and moves everyone's routes."""
    letters = "abcdefghijklmnop"
    texts = [f"message {a}{b}{c} about the bill" for a in letters for b in letters for c in letters[:4]]
    sample, *_ = _distinct_sample(texts, 200, seed=0)
    assert len(sample) == 200 and sample == _distinct_sample(list(reversed(texts)), 200, seed=0)[0]
    answered = set(sample[:10])
    again, *_ = _distinct_sample([t for t in texts if t not in answered], 200, seed=0)
    assert len(again) == 200 and set(sample) - answered <= set(again)  # 190 kept, 10 new ones
    assert set(_distinct_sample(texts, 200, seed=1)[0]) != set(sample)  # the seed still draws another sample


def test_more_rounds_only_with_enough_distinct_messages_per_step():
    """Three rounds by default (ROUNDS), the second and third only with at least
    ``second_round_min_per_step`` distinct messages per step: this world has ~34 per step,
    where a second round's few new guesses swung the router (100% → 39% right on the fresh
    messages)."""
    examples = training_examples_from_steps(STEPS)
    unlabeled, _ = world(seed=1)
    texts, truth = world(seed=2, new_only=True)
    router, report = self_train(examples, unlabeled, backend="tfidf", max_features=5000)
    assert report.sample < 50 * len(STEPS) and len(report.pseudo_labelled) == 1
    assert right_share(router, texts, truth) >= 0.9
    _, again = self_train(examples, unlabeled, backend="tfidf", max_features=5000, second_round_min_per_step=10)
    assert ROUNDS == 3 and len(again.pseudo_labelled) == ROUNDS
    assert again.pseudo_labelled[2] >= again.pseudo_labelled[1] >= again.pseudo_labelled[0]
    _, two = self_train(examples, unlabeled, backend="tfidf", max_features=5000, second_round_min_per_step=10,
                        rounds=2)
    assert two.pseudo_labelled == again.pseudo_labelled[:2]  # a round starts from the one before, as before


def test_agreement_keeps_only_pseudo_labels_another_view_agrees_with():
    """Co-training's filter: a pseudo-label is kept only when a classifier on another view of the
    messages (word TF-IDF alone here; the WordLlama embedding in the product) fitted on the same
    examples picks the same step. Fewer guesses, still as right on fresh messages."""
    examples = training_examples_from_steps(STEPS)
    unlabeled, _ = world(seed=1)
    texts, truth = world(seed=2, new_only=True)
    _, plain = self_train(examples, unlabeled, backend="tfidf", max_features=5000)
    router, agreed = self_train(examples, unlabeled, backend="tfidf", max_features=5000, agreement="word")
    assert 0 < agreed.pseudo_labelled[0] <= plain.pseudo_labelled[0]
    assert right_share(router, texts, truth) >= 0.9
    with pytest.raises(ValueError, match="unknown agreement view"):
        self_train(examples, unlabeled, backend="tfidf", agreement="votes")
