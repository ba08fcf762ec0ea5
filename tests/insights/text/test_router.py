import time

import numpy as np
import pytest

from cxkeeper.insights.text.router import (
    DEFAULT_THRESHOLD,
    RouteResult,
    StepRouter,
    cross_validate,
    training_examples_from_steps,
)


@pytest.mark.parametrize(
    ("message", "step"),
    [
        ("the engineer did not come to install the line", "install"),
        ("my bill doubled and I was charged a strange fee", "billing"),
        ("internet connection keeps dropping every evening", "fault"),
        ("I would like to cancel and end my contract", "cancel"),
        ("I want to order the fibre package", "order"),
    ],
)
def test_obvious_messages_are_routed_to_their_step(step_router, message, step):
    result = step_router.route([message])[0]
    assert result.label == step
    assert result.confidence >= DEFAULT_THRESHOLD
    assert result.top[0] == (step, result.confidence)


@pytest.mark.parametrize("gibberish", ["xqzv blorp fnord", "zzzz kkkk", "", "!!!???", "the"])
def test_gibberish_is_unrouted(step_router, gibberish):
    result = step_router.route(gibberish)[0]
    assert result.label is None
    assert not result.routed
    assert len(result.top) == 3  # the best guesses are still shown to the person reviewing it


def test_route_returns_sorted_top_k_probabilities(step_router):
    result = step_router.route("why is my invoice so expensive")[0]
    assert isinstance(result, RouteResult)
    assert len(result.top) == 3
    probabilities = [p for _, p in result.top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert step_router.predict_proba(["why is my invoice so expensive"]).sum() == pytest.approx(1.0)


def test_save_load_roundtrip_gives_identical_probabilities(step_router, tmp_path):
    path = tmp_path / "router.joblib"
    step_router.save(path)
    started = time.perf_counter()
    loaded = StepRouter.load(path)
    assert time.perf_counter() - started < 1.0
    messages = ["the engineer was late", "refund the double charge", "nonsense words here", ""]
    np.testing.assert_array_equal(loaded.predict_proba(messages), step_router.predict_proba(messages))
    assert loaded.classes_ == step_router.classes_
    assert loaded.temperature == step_router.temperature
    assert loaded.route(messages) == step_router.route(messages)


def test_saved_router_does_not_contain_embedding_weights(step_router, tmp_path):
    path = tmp_path / "router.joblib"
    step_router.save(path)
    assert path.stat().st_size < 2_000_000  # WordLlama's weights alone are ~30 MB


def test_load_refuses_other_files(tmp_path):
    import joblib

    joblib.dump({"something": "else"}, tmp_path / "other.joblib")
    with pytest.raises(ValueError, match="not a cxkeeper step router"):
        StepRouter.load(tmp_path / "other.joblib")


def test_integer_step_ids_keep_their_type():
    router = StepRouter().fit(
        ["pay my bill", "invoice is wrong", "charged twice", "router broken", "no internet", "wifi down"],
        [10, 10, 10, 20, 20, 20],
    )
    result = router.route(["my bill is wrong"])[0]
    assert result.label == 10
    assert type(result.top[0][0]) is int


def test_training_examples_weight_corrections_more(steps):
    examples = training_examples_from_steps(
        steps,
        corrections=[("the van blocked my drive", "install"), {"text": "money back", "step": "billing"}],
        correction_weight=4.0,
    )
    assert len(examples) == sum(2 + len(s["phrases"]) for s in steps) + 2
    assert examples.texts[-2:] == ["the van blocked my drive", "money back"]
    assert examples.labels[-2:] == ["install", "billing"]
    assert examples.weights[-2:] == [4.0, 4.0]
    assert set(examples.weights[:-2]) == {1.0}


def test_corrections_teach_the_router_new_wording(steps):
    message = "the openreach van blocked my driveway all day"
    corrections = [(message, "install"), ("openreach van parked outside for hours", "install")]
    router = StepRouter.from_steps(steps, corrections=corrections)
    assert router.route(message)[0].label == "install"


def test_step_without_id_is_refused():
    with pytest.raises(ValueError, match="without an 'id'"):
        training_examples_from_steps([{"name": "Pay"}])


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        (["a", "b"], ["x", "x"], "at least two journey steps"),
        (["a", "b"], ["x"], "2 texts but 1 labels"),
    ],
)
def test_fit_refuses_unusable_training_data(texts, labels, message):
    with pytest.raises(ValueError, match=message):
        StepRouter().fit(texts, labels)


def test_untrained_router_cannot_route():
    with pytest.raises(RuntimeError, match="not trained"):
        StepRouter().route(["hello"])


def test_tfidf_backend_needs_no_embeddings(steps):
    router = StepRouter.from_steps(steps, backend="tfidf")
    assert "embedding" not in router._coef
    assert router.route("my internet keeps dropping")[0].label == "fault"


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown router backend"):
        StepRouter(backend="gpt")


def test_cross_validate_reports_accuracy_and_confusions(steps):
    examples = training_examples_from_steps(steps)
    report = cross_validate(examples.texts, examples.labels, folds=3, top_confusions=3)
    assert report["folds"] == 3
    assert report["n"] == len(examples)
    assert 0.5 <= report["accuracy"] <= 1.0
    assert set(report["per_step_accuracy"]) == {s["id"] for s in steps}
    assert len(report["confused_pairs"]) <= 3
    for pair in report["confused_pairs"]:
        assert pair["true"] != pair["predicted"] and pair["count"] >= 1


def test_temperature_is_fitted_when_every_step_has_examples(step_router):
    assert step_router.temperature != 1.0
    single_example_step = StepRouter().fit(["pay bill", "no internet", "wifi down"], ["x", "y", "y"])
    assert single_example_step.temperature == 1.0  # cannot hold out the only example of "x"
    uncalibrated = StepRouter(calibrate=False).fit(["pay bill", "no internet", "wifi down"], ["x", "y", "y"])
    assert uncalibrated.temperature == 1.0


def test_route_accepts_one_string_and_an_empty_batch(step_router):
    assert step_router.route([]) == []
    assert step_router.predict_proba([]).shape == (0, 5)
    assert len(step_router.route("my wifi is slow")) == 1


def test_threshold_can_be_overridden_per_call(step_router):
    message = "the engineer never turned up"
    assert step_router.route(message, threshold=1.0)[0].label is None
    assert step_router.route(message, threshold=0.0)[0].label == "install"


def test_a_message_answered_many_times_is_one_example():
    from cxkeeper.insights.text.router import training_examples_from_steps

    steps = [{"id": 1, "name": "Pay a bill"}, {"id": 2, "name": "Log in"}]
    answers = [("The app crashed!", 2)] * 240 + [("the app crashed", 2), ("The app crashed!", 1), ("bill too high", 1)]
    examples = training_examples_from_steps(steps, answers)
    assert examples.texts[2:] == ["The app crashed!", "The app crashed!", "bill too high"]
    assert examples.labels[2:] == [2, 1, 1] and examples.weights[2:] == [3.0, 3.0, 3.0]


def test_confirmations_weigh_what_they_are_given_and_a_correction_of_the_same_text_wins():
    from cxkeeper.insights.text.router import training_examples_from_steps

    steps = [{"id": 1, "name": "Pay a bill"}, {"id": 2, "name": "Log in"}]
    corrections = [("the password reset never came", 2)]
    confirmations = [("bill paid twice", 1), ("Bill paid twice!", 1), ("the password reset never came", 2)]
    examples = training_examples_from_steps(steps, corrections, confirmations=confirmations, confirmation_weight=1.0)
    assert examples.texts[2:] == ["the password reset never came", "bill paid twice"]
    assert examples.weights[2:] == [3.0, 1.0]  # confirmed twice, counted once; the correction kept its weight
    same = training_examples_from_steps(steps, corrections, confirmations=confirmations)
    assert same.weights[2:] == [3.0, 3.0]  # by default a confirmation weighs as much as a correction
