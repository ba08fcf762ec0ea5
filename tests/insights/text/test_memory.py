"""People's answers remembered (text/memory.py): a message nearly identical to an answered
one goes where the person put it, before and whatever the model says."""

from __future__ import annotations

import io

import joblib
import pytest

from cxkeeper.insights.text.memory import AnswerMemory
from cxkeeper.insights.text.router import OFF_TOPIC, StepRouter, training_examples_from_steps
from cxkeeper.insights.text.selftrain import self_train

from .conftest import STEPS

# The organization's own messages: their word frequencies say which words matter. The same
# openers and sign-offs wrap every kind of message, so they tell nothing about the step.
CORES = ["the quick-start card was really clear", *(p for step in STEPS for p in step["phrases"])]
CORPUS = [f"{opener} {core} {closer}" for core in CORES
          for opener, closer in (("Honestly,", "Thanks!"), ("Good experience.", "Cheers."), ("Fed up.", ""))]
CORPUS += ["thanks", "cheers", "please stop sending surveys", "hello?"]


def tfidf_router() -> StepRouter:
    return StepRouter.from_steps(STEPS, backend="tfidf")


def test_an_answer_reaches_reworded_copies_of_the_same_message():
    router = tfidf_router()
    probe = "Good experience. the quick-start card was really clear. Cheers."
    assert router.route([probe])[0].label != "install"  # the map alone cannot tell
    router.remember(["Honestly, the quick-start card was really clear Thanks!"], ["install"], corpus=CORPUS)
    result = router.route([probe])[0]
    assert result.label == "install" and result.confidence >= 0.6
    assert result.top[0][0] == "install" and len({label for label, _ in result.top}) == len(result.top)
    # an unrelated message still goes where the model sends it
    assert router.route(["my internet keeps dropping"])[0].label == "fault"


def test_an_off_topic_answer_leaves_copies_unrouted_and_out_of_the_suggestions():
    router = tfidf_router()
    router.remember(["please stop sending surveys"], [OFF_TOPIC], corpus=CORPUS)
    result = router.route(["Please stop sending surveys!!"])[0]
    assert result.label is None
    assert all(label != OFF_TOPIC for label, _ in result.top)
    assert router.route(["I was charged twice this month"])[0].label == "billing"


def test_shared_greetings_and_sign_offs_do_not_make_messages_alike():
    memory = AnswerMemory(["Honestly, my internet keeps dropping. Thanks."], ["fault"], corpus=CORPUS)
    answers, similarity = memory.match(["Honestly, the quick-start card was really clear. Thanks.",
                                        "my internet keeps dropping"])
    assert answers == [None, "fault"]
    assert similarity[0] < memory.similarity <= similarity[1]


def test_memory_is_saved_with_the_router_and_old_routers_still_load(tmp_path):
    router = tfidf_router().remember(["the quick-start card was really clear"], ["install"], corpus=CORPUS)
    path = tmp_path / "router.joblib"
    router.save(path)
    loaded = StepRouter.load(path)
    probe = ["Have to say, the quick-start card was really clear"]
    assert loaded.route(probe) == router.route(probe) and loaded.route(probe)[0].label == "install"
    state = joblib.load(path)
    del state["memory"]  # a router saved before answers were remembered
    buffer = io.BytesIO()
    joblib.dump(state, buffer)
    path.write_bytes(buffer.getvalue())
    assert StepRouter.load(path).memory is None


def test_bad_memory_input_is_refused():
    with pytest.raises(ValueError, match="2 answered texts but 1"):
        AnswerMemory(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="similarity"):
        AnswerMemory(["a"], ["x"], similarity=0.0)
    assert AnswerMemory(["!!!"], ["x"]).match(["!!!"]) == ([None], pytest.approx([0.0]))


def test_self_training_spreads_a_correction_to_its_near_identical_messages():
    examples = training_examples_from_steps(STEPS, [("the quick-start card was really clear", "install")])
    unlabeled = CORPUS + [f"{core} {when}" for core in CORES for when in ("again", "today", "yesterday")]
    router, report = self_train(examples, unlabeled, backend="tfidf", min_per_step=1,
                                corrections=[("the quick-start card was really clear", "install")],
                                negatives=["please stop sending surveys"])
    assert report.propagated >= 6  # the reworded copies in the sample took the person's answer
    assert router.route(["Would recommend. the quick-start card was really clear"])[0].label == "install"
    assert router.route(["please stop sending surveys."])[0].label is None
    assert router.memory is not None and len(router.memory) == 2
