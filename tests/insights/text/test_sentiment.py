import random

import pytest

from cxkeeper.insights.text.sentiment import (
    LearnedSentiment,
    VaderSentiment,
    choose_sentiment_model,
    polarity_accuracy,
    weak_label,
)


@pytest.fixture(scope="module")
def vader():
    return VaderSentiment()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The engineer was brilliant, thank you so much!", "positive"),
        ("Terrible service, I am furious and want to complain", "negative"),
        ("The router is in the box", "neutral"),
        ("", "neutral"),
    ],
)
def test_vader_scores_and_labels(vader, text, label):
    (score,) = vader.score([text])
    assert -1.0 <= score.score <= 1.0
    assert score.label == label


@pytest.mark.parametrize(
    ("score", "scale", "label"),
    [
        (0, "nps", "negative"),
        (6, "nps", "negative"),
        (7, "nps", None),
        (8, "nps", None),
        (9, "nps", "positive"),
        (10, "nps", "positive"),
        (None, "nps", None),
        (float("nan"), "nps", None),
        (1, "csat", "negative"),
        (2, "csat", "negative"),
        (3, "csat", None),
        (4, "csat", "positive"),
        (5, "csat", "positive"),
    ],
)
def test_weak_labels_from_survey_scores(score, scale, label):
    assert weak_label(score, scale) == label


@pytest.mark.parametrize(("score", "scale"), [(11, "nps"), (-1, "nps"), (0, "csat"), (6, "csat")])
def test_out_of_range_scores_are_refused(score, scale):
    with pytest.raises(ValueError, match=scale.upper()):
        weak_label(score, scale)


# Broadband feedback where unhappy customers rarely use a sentiment word VADER knows: the
# organization's own NPS answers are what teach a model that "no dial tone" is bad news.
NEGATIVE = [
    "the engineer never turned up on {day}",
    "still no dial tone after {n} days",
    "router light flashing red since {day}",
    "on hold for {n} minutes then cut off",
    "charged twice for {month} and still waiting for the refund",
    "speed drops to {n} mbps every evening",
    "{n} calls and nobody called back",
    "line dead again since {day}",
]
POSITIVE = [
    "engineer arrived on {day} and sorted it quickly",
    "fibre speed is great since {day}",
    "set up took {n} minutes and everything works",
    "lovely agent fixed my bill in {month}",
    "fast friendly help on {day}",
    "really happy with the {n} mbps speed",
]


def _survey_answers(n, seed=0):
    rng = random.Random(seed)
    texts, scores = [], []
    for _ in range(n):
        negative = rng.random() < 0.5
        template = rng.choice(NEGATIVE if negative else POSITIVE)
        texts.append(
            template.format(
                day=rng.choice(["monday", "tuesday", "friday"]),
                n=rng.randint(2, 90),
                month=rng.choice(["march", "april", "may"]),
            )
        )
        scores.append(rng.randint(0, 6) if negative else rng.choice([9, 10]))
        if rng.random() < 0.1:  # passives carry no label and must be ignored
            texts.append("it is ok I suppose")
            scores.append(rng.choice([7, 8]))
    return texts, scores


def test_learned_model_is_chosen_when_it_beats_vader(vader):
    texts, scores = _survey_answers(400)
    choice = choose_sentiment_model(texts, scores, "nps", min_labelled=200, vader=vader)
    assert choice.name == "learned"
    assert isinstance(choice.model, LearnedSentiment)
    assert choice.learned_accuracy > choice.vader_accuracy + 0.1
    assert choice.learned_accuracy >= 0.9
    assert choice.n_labelled == 400
    assert choice.n_test == 100
    assert "learned model" in choice.reason
    (score,) = choice.model.score(["still no dial tone after 12 days"])
    assert score.label == "negative" and -1.0 <= score.score < 0


def test_vader_is_kept_below_the_minimum_number_of_labels(vader):
    texts, scores = _survey_answers(50)
    choice = choose_sentiment_model(texts, scores, "nps", min_labelled=200, vader=vader)
    assert choice.name == "vader"
    assert choice.vader_accuracy is None and choice.learned_accuracy is None
    assert "need 200" in choice.reason


def test_vader_is_kept_when_the_learned_model_is_no_better(vader):
    # Generic praise and complaint: VADER already knows every word that matters.
    rng = random.Random(1)
    good = ["great", "excellent", "wonderful", "fantastic", "love it", "brilliant"]
    bad = ["awful", "terrible", "horrible", "hate it", "disgusting", "worst ever"]
    texts, scores = [], []
    for i in range(300):
        negative = i % 2 == 0
        texts.append(f"{rng.choice(bad if negative else good)} {rng.choice(['today', 'again', 'really'])}")
        scores.append(1 if negative else 5)
    choice = choose_sentiment_model(texts, scores, "csat", min_labelled=200, vader=vader)
    assert choice.name == "vader"
    assert choice.vader_accuracy == pytest.approx(1.0)
    assert choice.learned_accuracy is not None


def test_polarity_accuracy_counts_zero_scores_as_wrong(vader):
    assert polarity_accuracy(vader, ["the router is in the box", "great"], ["negative", "positive"]) == 0.5


def test_learned_model_roundtrip(tmp_path):
    texts, scores = _survey_answers(200)
    labels = [weak_label(s) for s in scores]
    model = LearnedSentiment().fit(texts, labels)
    model.save(tmp_path / "sentiment.joblib")
    loaded = LearnedSentiment.load(tmp_path / "sentiment.joblib")
    assert loaded.score(texts[:20]) == model.score(texts[:20])


def test_learned_model_needs_both_polarities():
    with pytest.raises(ValueError, match="both negative and positive"):
        LearnedSentiment().fit(["a bad day", "so bad"], ["negative", "negative"])
