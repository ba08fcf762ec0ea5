"""Sentiment of feedback texts: VADER by default, or a model learned from the organization's scores.

VADER is a lexicon: it needs no training and works from the first imported row, but it only
knows generic sentiment words. "The engineer never turned up" or "still no dial tone" carry
no sentiment word, yet every broadband customer who writes them is unhappy. Organizations
that collect NPS or CSAT already have the labels to learn their own vocabulary: a text that
came with NPS 0–6 is (weakly) negative, 9–10 positive.

:func:`choose_sentiment_model` trains the learned model on part of those weakly labelled
texts, measures both models on the rest against the same weak labels, and keeps the better
one — with both accuracies, so the choice can be shown to the analyst instead of hidden.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

__all__ = [
    "LearnedSentiment",
    "SentimentChoice",
    "SentimentModel",
    "SentimentScore",
    "VaderSentiment",
    "choose_sentiment_model",
    "polarity_accuracy",
    "weak_label",
]

SentimentLabel = Literal["negative", "neutral", "positive"]
Scale = Literal["nps", "csat"]

# VADER's authors' convention: |compound| < 0.05 is neutral. Used for both models' labels.
NEUTRAL_BAND = 0.05
MIN_LABELLED_DEFAULT = 200


@dataclass(frozen=True)
class SentimentScore:
    """``score`` in [-1, 1] (negative … positive) and its label."""

    score: float
    label: SentimentLabel


def _label_for(score: float) -> SentimentLabel:
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


class SentimentModel(Protocol):
    name: str

    def score(self, texts: Sequence[str]) -> list[SentimentScore]: ...


class VaderSentiment:
    """Lexicon and rule based; the compound score is already in [-1, 1]."""

    name = "vader"

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        polarity = self._analyzer.polarity_scores
        results = []
        for text in texts:
            compound = float(polarity(text or "")["compound"])
            results.append(SentimentScore(compound, _label_for(compound)))
        return results


class LearnedSentiment:
    """TF-IDF word 1–2-grams + char_wb 2–4-grams and a logistic regression on negative/positive
    weak labels; the score is P(positive) − P(negative), which lies in [-1, 1] like VADER's."""

    name = "learned"

    def __init__(self, C: float = 4.0) -> None:
        self.C = C
        self._word: TfidfVectorizer | None = None
        self._char: TfidfVectorizer | None = None
        self._model: LogisticRegression | None = None

    def fit(self, texts: Sequence[str], labels: Sequence[SentimentLabel]) -> LearnedSentiment:
        pairs = [(str(t), lab) for t, lab in zip(texts, labels, strict=True) if lab in ("negative", "positive")]
        if len({lab for _, lab in pairs}) < 2:
            raise ValueError("the learned sentiment model needs both negative and positive examples")
        texts = [t for t, _ in pairs]
        y = np.array([lab == "positive" for _, lab in pairs], dtype=int)
        self._word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, dtype=np.float32)
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32)
        features = sp.hstack([self._word.fit_transform(texts), self._char.fit_transform(texts)], format="csr")
        # class_weight="balanced": detractors are usually the minority, and a model that calls
        # everything positive would look accurate while missing exactly the feedback that matters.
        self._model = LogisticRegression(C=self.C, max_iter=1000, class_weight="balanced")
        self._model.fit(features, y)
        return self

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        if self._model is None or self._word is None or self._char is None:
            raise RuntimeError("the learned sentiment model is not trained")
        texts = [str(t) for t in texts]
        if not texts:
            return []
        features = sp.hstack([self._word.transform(texts), self._char.transform(texts)], format="csr")
        positive = self._model.predict_proba(features)[:, 1]
        return [SentimentScore(float(s), _label_for(float(s))) for s in 2.0 * positive - 1.0]

    def save(self, path: str | Path) -> None:
        buffer = io.BytesIO()
        joblib.dump(
            {"format": 1, "C": self.C, "word": self._word, "char": self._char, "model": self._model},
            buffer,
            compress=3,
        )
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> LearnedSentiment:
        """Only load files your own installation wrote (pickle-based format)."""
        state = joblib.load(Path(path))
        model = cls(C=state["C"])
        model._word, model._char, model._model = state["word"], state["char"], state["model"]
        return model


def weak_label(score: float | None, scale: Scale = "nps") -> SentimentLabel | None:
    """Sentiment implied by a survey score, or ``None`` when the score says too little.

    NPS (0–10): 0–6 negative (detractors), 9–10 positive (promoters), 7–8 passives → None.
    CSAT (1–5): 1–2 negative, 4–5 positive, 3 → None. Passives and middle scores are dropped
    rather than called neutral: their texts mix praise and complaint, and as training labels
    they blur the boundary the model is trying to learn.
    """
    if score is None or (isinstance(score, float) and np.isnan(score)):
        return None
    if scale == "nps":
        if not 0 <= score <= 10:
            raise ValueError(f"NPS scores are 0–10, got {score}")
        return "negative" if score <= 6 else "positive" if score >= 9 else None
    if scale == "csat":
        if not 1 <= score <= 5:
            raise ValueError(f"CSAT scores are 1–5, got {score}")
        return "negative" if score <= 2 else "positive" if score >= 4 else None
    raise ValueError(f"unknown score scale {scale!r}; use 'nps' or 'csat'")


def polarity_accuracy(model: SentimentModel, texts: Sequence[str], labels: Sequence[SentimentLabel]) -> float:
    """Share of negative/positive weak labels whose sign the model gets right.

    Judged on the sign of the score, so neither model is penalized for the width of its
    neutral band; a score of exactly 0 (VADER: no sentiment word at all) counts as wrong.
    """
    if not texts:
        raise ValueError("no labelled texts to measure accuracy on")
    scores = model.score(texts)
    right = sum(
        (s.score > 0 and lab == "positive") or (s.score < 0 and lab == "negative")
        for s, lab in zip(scores, labels, strict=True)
    )
    return right / len(texts)


@dataclass(frozen=True)
class SentimentChoice:
    model: SentimentModel
    name: str
    vader_accuracy: float | None
    learned_accuracy: float | None
    n_labelled: int
    n_test: int
    reason: str


def choose_sentiment_model(
    texts: Sequence[str],
    scores: Sequence[float | None],
    scale: Scale = "nps",
    *,
    min_labelled: int = MIN_LABELLED_DEFAULT,
    test_fraction: float = 0.25,
    min_gain: float = 0.01,
    seed: int = 0,
    vader: VaderSentiment | None = None,
) -> SentimentChoice:
    """Pick VADER or a model learned from ``(text, survey score)`` pairs.

    Below ``min_labelled`` weakly labelled texts (or with only one polarity) VADER is kept
    without measuring: a held-out accuracy on a few dozen texts is noise. Otherwise a
    stratified ``test_fraction`` is held out, both models are measured on it, and the learned
    model wins only if it is at least ``min_gain`` more accurate; it is then refitted on all
    labelled texts.
    """
    vader = vader or VaderSentiment()
    labelled = [(str(t), lab) for t, s in zip(texts, scores, strict=True) if (lab := weak_label(s, scale))]
    polarities = {lab for _, lab in labelled}
    if len(labelled) < min_labelled or len(polarities) < 2:
        why = (
            f"only {len(labelled)} texts with a decisive {scale.upper()} score (need {min_labelled})"
            if len(labelled) < min_labelled
            else "all labelled texts have the same polarity"
        )
        return SentimentChoice(vader, "vader", None, None, len(labelled), 0, f"kept VADER: {why}")

    rng = random.Random(seed)
    train, test = [], []
    for polarity in sorted(polarities):
        group = [pair for pair in labelled if pair[1] == polarity]
        rng.shuffle(group)
        cut = max(1, round(len(group) * test_fraction))
        test += group[:cut]
        train += group[cut:]
    test_texts, test_labels = [t for t, _ in test], [lab for _, lab in test]
    learned = LearnedSentiment().fit([t for t, _ in train], [lab for _, lab in train])
    vader_accuracy = polarity_accuracy(vader, test_texts, test_labels)
    learned_accuracy = polarity_accuracy(learned, test_texts, test_labels)
    if learned_accuracy >= vader_accuracy + min_gain:
        learned = LearnedSentiment().fit([t for t, _ in labelled], [lab for _, lab in labelled])
        return SentimentChoice(
            learned,
            "learned",
            vader_accuracy,
            learned_accuracy,
            len(labelled),
            len(test),
            f"learned model {learned_accuracy:.1%} vs VADER {vader_accuracy:.1%} on {len(test)} held-out texts",
        )
    return SentimentChoice(
        vader,
        "vader",
        vader_accuracy,
        learned_accuracy,
        len(labelled),
        len(test),
        f"kept VADER {vader_accuracy:.1%} vs learned model {learned_accuracy:.1%} on {len(test)} held-out texts",
    )
