"""What a message is about (text/content.py): words spread over every step (openers, sign-offs,
a town, the kids) weigh nothing, so messages about the same thing are alike whatever their
wrapping — for people's answers remembered, spread in self-training and for the review queue's
clusters."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from cxkeeper.insights.text.clusters import cluster_texts, clusters_within
from cxkeeper.insights.text.content import ContentVectors, step_specificity
from cxkeeper.insights.text.memory import AnswerMemory
from cxkeeper.insights.text.router import StepRouter, training_examples_from_steps
from cxkeeper.insights.text.selftrain import self_train

from .conftest import STEPS

# Each core phrase of a step, wrapped in every combination of step-independent openers,
# customer context and closers: as customers write (and as the demo's generator builds messages).
OPENERS = ("Honestly,", "Not impressed.", "Have to say,", "Fed up.", "Quick question:", "Well,")
CONTEXTS = ("with three kids all on their tablets", "I work from home in Leeds", "I run a café",
            "it's exam week", "")
CLOSERS = ("Thanks!", "Sort it out.", "Would not recommend.", "Cheers.", "")


def wrapped(core: str, k: int) -> str:
    opener, context, closer = OPENERS[k % 6], CONTEXTS[(k // 6) % 5], CLOSERS[(k // 30) % 5]
    return " ".join(part for part in (opener, core, context and f"and {context}", closer) if part)


CORPUS = [(wrapped(phrase, k), step["id"]) for step in STEPS for phrase in step["phrases"] for k in range(0, 150, 7)]


def content() -> ContentVectors:
    return ContentVectors([t for t, _ in CORPUS], [s for _, s in CORPUS])


def cosine(vectors: sp.spmatrix) -> float:
    return float((vectors[0] @ vectors[1].T).toarray()[0, 0])


def test_words_about_every_step_weigh_nothing_and_words_of_one_step_weigh_most():
    model = content()
    vocabulary = model._vectorizer.vocabulary_
    weight = {word: float(model.weights[vocabulary[word]]) for word in ("honestly", "kids", "leeds", "thanks",
                                                                          "engineer", "invoice", "dropping")}
    for wrapping in ("honestly", "kids", "leeds", "thanks"):
        assert weight[wrapping] < 0.15, (wrapping, weight)
    for topical in ("engineer", "invoice", "dropping"):
        assert weight[topical] > 0.5, (topical, weight)


def test_two_wrappings_of_one_complaint_are_alike_and_two_complaints_in_one_wrapping_are_not():
    model = content()
    same_core = [wrapped("the engineer never turned up", 0), wrapped("the engineer never turned up", 131)]
    same_wrapping = [wrapped("the engineer never turned up", 0), wrapped("I was charged twice this month", 0)]
    plain = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit([t for t, _ in CORPUS])
    assert cosine(normalize(plain.transform(same_core))) < 0.6  # what the answer memory used to see
    assert cosine(model.transform(same_core)) > 0.9
    assert cosine(model.transform(same_wrapping)) < 0.1


def test_step_specificity_needs_two_steps_and_ignores_unlabelled_messages():
    vectors = TfidfVectorizer().fit_transform(["aa bb cc", "aa dd", "bb cc"])
    assert np.array_equal(step_specificity(vectors, ["x", "x", None]), np.ones(4, dtype=np.float32))
    weights = step_specificity(vectors, ["x", "y", None], smoothing=0.01, evidence=0)
    # "dd" is only in a message about y: specific; "aa" is in one message of each step: not at all
    columns = {word: i for i, word in enumerate(sorted({"aa", "bb", "cc", "dd"}))}
    assert weights[columns["dd"]] > 0.8 and weights[columns["aa"]] < 0.01
    # a word seen in few placed messages keeps most of its weight until there is evidence
    assert step_specificity(vectors, ["x", "y", None])[columns["aa"]] > 0.8
    with pytest.raises(ValueError, match="3 messages but 2 labels"):
        ContentVectors(["a", "b", "c"], ["x", "y"])


def test_no_word_at_all_makes_nothing_alike():
    model = ContentVectors(["!!!", "?"], ["x", "y"])
    assert model.transform(["hello there"]).nnz == 0
    assert AnswerMemory(["!!!"], ["x"], content=model).match(["hello"]) == ([None], pytest.approx([0.0]))


def test_an_answer_reaches_the_same_complaint_in_other_words_around_it():
    model = content()
    answered = [wrapped("the engineer never turned up", 0)]
    probe = [wrapped("the engineer never turned up", 137), wrapped("I was charged twice this month", 0)]
    corpus = [t for t, _ in CORPUS]
    assert AnswerMemory(answered, ["install"], corpus=corpus).match(probe)[0] == [None, None]
    assert AnswerMemory(answered, ["install"], corpus=corpus, content=model).match(probe)[0] == ["install", None]


def test_the_queue_clusters_a_complaint_whatever_its_wrapping():
    model = content()
    texts = [wrapped("the engineer never turned up", k) for k in (0, 37, 74, 111, 148)]
    texts += [wrapped("I was charged twice this month", k) for k in (0, 37)]
    ids = list(range(1, len(texts) + 1))
    by_content = cluster_texts(ids, texts, content=model)
    assert len({by_content[i] for i in ids[:5]}) == 1 and by_content[6] == by_content[7] != by_content[1]
    assert len(set(cluster_texts(ids, texts).values())) > 2  # plain TF-IDF splits them by wrapping
    within = clusters_within(ids, texts, ["install"] * 4 + ["billing"] * 3, content=model)
    assert within[1] == within[4] != within[5]


def test_self_training_learns_content_vectors_and_they_are_saved_with_the_router(tmp_path):
    examples = training_examples_from_steps(STEPS)
    router, _ = self_train(examples, [t for t, _ in CORPUS], backend="tfidf", min_per_step=1,
                           corrections=[(wrapped("the engineer never turned up", 0), "install")])
    assert isinstance(router.content, ContentVectors)
    probe = [wrapped("the engineer never turned up", 143)]
    assert router.memory.match(probe)[0] == ["install"]
    path = tmp_path / "router.joblib"
    router.save(path)
    loaded = StepRouter.load(path)
    assert loaded.route(probe) == router.route(probe)
    assert (loaded.content.transform(probe) != router.content.transform(probe)).nnz == 0
    state = joblib.load(path)
    del state["content"]  # a router saved before content vectors
    buffer = io.BytesIO()
    joblib.dump(state, buffer)
    path.write_bytes(buffer.getvalue())
    assert StepRouter.load(path).content is None
    plain, _ = self_train(examples, [t for t, _ in CORPUS], backend="tfidf", min_per_step=1, content_similarity=False)
    assert plain.content is None


def test_a_rare_word_pair_where_the_wrapping_meets_the_message_does_not_outweigh_the_message(monkeypatch):
    """"simple @KestrelConnect", "bill earlier": a pair of words where a customer's wrapping
    meets what they say is rare, so IDF gives it the most weight, and seen too few times to show
    it is spread over the steps, it keeps its step specificity. Capped at one message in RARE,
    an answer to one message reaches the same complaint written with another ending."""
    from cxkeeper.insights.text import content as module
    from cxkeeper.insights.text.memory import CONTENT_MEMORY_SIMILARITY

    corpus = [(wrapped(phrase, k), step["id"]) for step in STEPS for phrase in step["phrases"] for k in range(150)]
    pair = ["the engineer never turned up @KestrelConnect", "The engineer never turned up. Well done."]
    texts, labels = [t for t, _ in corpus] + pair, [s for _, s in corpus] + ["install", "install"]
    assert cosine(ContentVectors(texts, labels).transform(pair)) >= CONTENT_MEMORY_SIMILARITY
    monkeypatch.setattr(module, "RARE", 10 ** 9)  # no cap: the rare pairs weigh what their rarity says
    assert cosine(ContentVectors(texts, labels).transform(pair)) < CONTENT_MEMORY_SIMILARITY


def test_the_queue_joins_two_wordings_of_one_message_at_the_content_vectors_own_cosine():
    """Content vectors weigh openers and sign-offs next to nothing, so two wordings of one
    message sit closer than in TF-IDF; the queue joins them from CONTENT_NEAR_DUPLICATE (0.65)
    when it has them, from NEAR_DUPLICATE (0.8) on TF-IDF (decision 0052)."""
    from cxkeeper.insights.text.clusters import CONTENT_NEAR_DUPLICATE, NEAR_DUPLICATE

    model = content()
    pair = ["Quick question: I want to sign up for fibre Thanks!", "Fed up. I want to sign up for fibre"]
    assert CONTENT_NEAR_DUPLICATE <= cosine(model.transform(pair)) < NEAR_DUPLICATE
    assert clusters_within([1, 2], pair, ["order", "order"], content=model) == {1: 1, 2: 1}
    assert cluster_texts([1, 2], pair, content=model) == {1: 1, 2: 1}
    assert clusters_within([1, 2], pair, ["order", "order"], content=model, threshold=NEAR_DUPLICATE) == {1: 1, 2: 2}
    assert clusters_within([1, 2], pair, ["order", "billing"], content=model) == {1: 1, 2: 2}  # one step each
