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
    """Lexicon and rule based; the compound score is already in [-1, 1].

    ``score`` computes exactly VADER's ``polarity_scores(text)["compound"]`` (the tests
    compare both on tens of thousands of texts) with the same rules, minus the library's
    repeated work: it lower-cases the text's words once instead of once per rule and per
    sentiment word (quadratic in the text's length), tests a whole text for emoji at C speed
    before walking it character by character, and only computes the compound score."""

    name = "vader"

    def __init__(self) -> None:
        from vaderSentiment import vaderSentiment as vader

        self._vader = vader
        self._analyzer = vader.SentimentIntensityAnalyzer()
        self._negate = frozenset(vader.NEGATE)

    def __reduce__(self):
        return (VaderSentiment, ())  # rebuilt from the installed lexicon (a module cannot be pickled)

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        compound = self.compound
        results = []
        for text in texts:
            value = compound(text or "")
            results.append(SentimentScore(value, _label_for(value)))
        return results

    def compound(self, text: str) -> float:
        analyzer, vader = self._analyzer, self._vader
        if not analyzer.emojis.keys().isdisjoint(text):
            return float(analyzer.polarity_scores(text)["compound"])
        text = text.strip()
        strip = vader.SentiText._strip_punc_if_word
        words = [token if token.isalnum() else strip(token) for token in text.split()]
        lowered = [word.lower() for word in words]
        lexicon = analyzer.lexicon
        hits = [i for i, word in enumerate(lowered) if word in lexicon]
        if not hits:  # every word scores 0, and so does the text
            return 0.0
        is_cap_diff = vader.allcap_differential(words)
        boosters = vader.BOOSTER_DICT
        sentiments: list[float] = [0] * len(words)
        last = len(words) - 1
        for i in hits:
            item_lowercase = lowered[i]
            if item_lowercase in boosters or (i < last and item_lowercase == "kind" and lowered[i + 1] == "of"):
                continue
            sentiments[i] = self._valence(words, lowered, i, is_cap_diff)
        if "but" in lowered:
            sentiments = analyzer._but_check(words, sentiments)
        # SentimentIntensityAnalyzer.score_valence, compound part only
        total = float(sum(sentiments))
        emphasis = analyzer._punctuation_emphasis(text)
        if total > 0:
            total += emphasis
        elif total < 0:
            total -= emphasis
        return float(round(vader.normalize(total), 4))

    def _valence(self, words: list[str], lowered: list[str], i: int, is_cap_diff: bool) -> float:
        """``SentimentIntensityAnalyzer.sentiment_valence`` for a lexicon word, on lower-cased words."""
        vader, lexicon = self._vader, self._analyzer.lexicon
        item_lowercase = lowered[i]
        valence = lexicon[item_lowercase]
        if item_lowercase == "no" and i != len(words) - 1 and lowered[i + 1] in lexicon:
            valence = 0.0
        if (i > 0 and lowered[i - 1] == "no") or (i > 1 and lowered[i - 2] == "no") \
                or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in ("or", "nor")):
            valence = lexicon[item_lowercase] * vader.N_SCALAR
        if is_cap_diff and words[i].isupper():
            valence = valence + vader.C_INCR if valence > 0 else valence - vader.C_INCR
        for start_i in range(0, 3):
            if i > start_i and lowered[i - (start_i + 1)] not in lexicon:
                s = vader.scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff)
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = self._negation_check(valence, lowered, start_i, i)
                if start_i == 2:
                    valence = self._special_idioms_check(valence, lowered, i)
        return self._analyzer._least_check(valence, words, i)

    def _negated(self, word: str) -> bool:
        return word in self._negate or "n't" in word

    def _negation_check(self, valence: float, lowered: list[str], start_i: int, i: int) -> float:
        n_scalar = self._vader.N_SCALAR
        if start_i == 0 and self._negated(lowered[i - 1]):
            valence = valence * n_scalar
        if start_i == 1:
            if lowered[i - 2] == "never" and (lowered[i - 1] == "so" or lowered[i - 1] == "this"):
                valence = valence * 1.25
            elif lowered[i - 2] == "without" and lowered[i - 1] == "doubt":
                pass
            elif self._negated(lowered[i - 2]):
                valence = valence * n_scalar
        if start_i == 2:
            if lowered[i - 3] == "never" and (lowered[i - 2] == "so" or lowered[i - 2] == "this") or \
                    (lowered[i - 1] == "so" or lowered[i - 1] == "this"):
                valence = valence * 1.25
            elif lowered[i - 3] == "without" and (lowered[i - 2] == "doubt" or lowered[i - 1] == "doubt"):
                pass
            elif self._negated(lowered[i - 3]):
                valence = valence * n_scalar
        return valence

    def _special_idioms_check(self, valence: float, lowered: list[str], i: int) -> float:
        special, boosters = self._vader.SPECIAL_CASES, self._vader.BOOSTER_DICT
        onezero = f"{lowered[i - 1]} {lowered[i]}"
        twoonezero = f"{lowered[i - 2]} {lowered[i - 1]} {lowered[i]}"
        twoone = f"{lowered[i - 2]} {lowered[i - 1]}"
        threetwoone = f"{lowered[i - 3]} {lowered[i - 2]} {lowered[i - 1]}"
        threetwo = f"{lowered[i - 3]} {lowered[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in special:
                valence = special[seq]
                break
        if len(lowered) - 1 > i:
            zeroone = f"{lowered[i]} {lowered[i + 1]}"
            if zeroone in special:
                valence = special[zeroone]
        if len(lowered) - 1 > i + 1:
            zeroonetwo = f"{lowered[i]} {lowered[i + 1]} {lowered[i + 2]}"
            if zeroonetwo in special:
                valence = special[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in boosters:
                valence = valence + boosters[n_gram]
        return valence


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
