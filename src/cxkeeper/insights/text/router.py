"""Route feedback texts to journey steps.

Routing is text classification whose labels are journey step ids. The default model is
deliberately small and torch-free so that it trains in seconds inside an import job and
routes thousands of messages per second on a laptop:

* TF-IDF word 1–2-grams (what the customer talks about),
* TF-IDF char_wb 2–5-grams (robust to typos, plurals and compound words),
* a 256-dimension WordLlama sentence embedding (synonyms the step phrases never used),

stacked side by side and fed to a multinomial logistic regression. Each block is unit-length
per row; the embedding block is multiplied by ``embedding_weight`` so its influence on the
regularized model is tuned independently of the sparse blocks.

Confidence is the (temperature-calibrated) probability of the top step. Below
``threshold``, or when the message shares no word with any training example, the message is
*unrouted*: it belongs to no step we know (yet), and forcing it into one would pollute that
step's metrics. Unrouted feedback is what theme discovery later
clusters into proposed new friction points.

People's answers come first: a router that has remembered them (``remember``, text/memory.py) sends a
message nearly identical to an answered one where the person put it (or nowhere, for an
off-topic answer), whatever the model says.
"""

from __future__ import annotations

import io
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

from .content import ContentVectors
from .embeddings import BACKENDS, get_embedder
from .fastvec import FastTfidf
from .memory import AnswerMemory

__all__ = [
    "DEFAULT_THRESHOLD",
    "OFF_TOPIC",
    "RouteResult",
    "StepRouter",
    "TrainingSet",
    "cross_validate",
    "normalized",
    "training_examples_from_steps",
]

Label = Hashable  # journey step ids: str or int

# Calibrated probability below which a message is unrouted: "route only when more likely
# right than wrong". On CLINC150 this leaves ~60-70% of out-of-scope queries unrouted while
# unrouting only ~4-8% of in-scope ones (docs/insights-text.md has the measured trade-off).
DEFAULT_THRESHOLD = 0.5
_FORMAT_VERSION = 1
# A training label meaning "about no step" (spam, "test", "wrong company"): a router trained
# with such examples learns what off-topic looks like, and routes a message that looks most
# like it nowhere. It never appears in a RouteResult (label None, left out of ``top``).
OFF_TOPIC = "__off_topic__"
# Above this many examples the temperature is fitted on one 80/20 split instead of 3-fold CV.
_CV_CALIBRATION_MAX_EXAMPLES = 5000


@dataclass(frozen=True)
class RouteResult:
    """``label`` is ``None`` when the message is unrouted (confidence below the threshold, or
    no word in common with the training examples); ``top`` is filled either way."""

    label: Label | None
    confidence: float
    top: list[tuple[Label, float]] = field(default_factory=list)
    # Unrouted because self-training set the wording aside for a person (decisions 0056, 0057):
    # its words point to ``top[0]``, where messages like it came from does not.
    set_aside: bool = False

    @property
    def routed(self) -> bool:
        return self.label is not None


@dataclass
class TrainingSet:
    texts: list[str]
    labels: list[Label]
    weights: list[float]

    def __len__(self) -> int:
        return len(self.texts)


def training_examples_from_steps(
    steps: Iterable[Mapping[str, Any]],
    corrections: Iterable[Mapping[str, Any] | tuple[str, Label]] = (),
    correction_weight: float = 3.0,
    confirmations: Iterable[tuple[str, Label]] = (),
    confirmation_weight: float | None = None,
) -> TrainingSet:
    """Build training examples from journey steps and human corrections.

    ``steps`` are dicts ``{"id", "name", "description", "phrases": [...]}``; every non-empty
    name, description and phrase becomes one example for that step. ``corrections`` are
    ``(text, step_id)`` pairs or dicts ``{"text", "step"}`` (``"label"`` is also accepted)
    made by people fixing the router. They weigh ``correction_weight`` times more than a
    phrase because they are real customer wording, judged by someone who knows the journey.
    A message answered many times (a cluster of the same words answered in one action, a spot
    check confirmed) counts once: one example per distinct normalised text and answer, or the
    router would lean toward the steps of the largest clusters answered. ``confirmations`` are
    answers that kept a message where the router had put it (a spot check answered "yes"): they
    weigh ``confirmation_weight`` (default: as much as a correction) — they teach the router
    little it did not already believe, and a whole cluster confirmed at once can hold a few
    messages that did not belong there.
    """
    from .clusters import normalize

    texts: list[str] = []
    labels: list[Label] = []
    weights: list[float] = []
    for step in steps:
        if "id" not in step:
            raise ValueError(f"journey step without an 'id': {dict(step)!r}")
        step_id = step["id"]
        candidates = [step.get("name"), step.get("description"), *(step.get("phrases") or [])]
        for text in candidates:
            if text and str(text).strip():
                texts.append(str(text).strip())
                labels.append(step_id)
                weights.append(1.0)
    seen: set[tuple[str, Label]] = set()
    weight_of_confirmation = correction_weight if confirmation_weight is None else confirmation_weight
    answered = [(c, correction_weight) for c in corrections] + [(c, weight_of_confirmation) for c in confirmations]
    for correction, answer_weight in answered:
        if isinstance(correction, Mapping):
            text = correction.get("text")
            step_id = correction["step"] if "step" in correction else correction.get("label")
        else:
            text, step_id = correction
        if text and str(text).strip() and step_id is not None:
            key = (normalize(str(text)), step_id)
            if key in seen:
                continue
            seen.add(key)
            texts.append(str(text).strip())
            labels.append(step_id)
            weights.append(float(answer_weight))
    return TrainingSet(texts, labels, weights)


class StepRouter:
    """Text → journey step classifier with calibrated confidence and an unrouted bucket.

    ``backend``: ``"wordllama"`` (default, TF-IDF + WordLlama-256), ``"tfidf"`` (TF-IDF only:
    the baseline) or ``"minilm"`` (TF-IDF + all-MiniLM-L6-v2, needs the embeddings extra).
    ``C`` is the inverse regularization strength of the logistic regression; ``calibrate``
    fits a softmax temperature on cross-validated predictions when every step has at least
    two examples, so that ``confidence`` approximates the probability that the routed step
    is right.
    """

    def __init__(
        self,
        backend: str = "wordllama",
        *,
        C: float = 10.0,
        embedding_weight: float = 1.5,
        threshold: float = DEFAULT_THRESHOLD,
        top_k: int = 3,
        calibrate: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-5,
        max_features: int | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown router backend {backend!r}; choose one of {list(BACKENDS)}")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.backend = backend
        # C=10 and embedding_weight=1.5 come from a small grid (C 1–100, weight 0.5–3) on
        # CLINC150 and HWU64, full and 10-shot; accuracy is flat within ±0.5 point around them.
        self.C = C
        self.embedding_weight = embedding_weight
        self.threshold = threshold
        self.top_k = top_k
        self.calibrate = calibrate
        self.max_iter = max_iter
        # Newton-CG reaches the optimum in ~10 iterations; tol=1e-5 matches lbfgs at 1e-6 to
        # the last decimal on CLINC150, while looser tolerances cost up to a point of accuracy.
        self.tol = tol
        # Caps each TF-IDF vocabulary (most frequent n-grams) and drops n-grams seen once:
        # used when training on thousands of the organization's own messages (selftrain.py),
        # where the full character vocabulary would make training minutes instead of seconds.
        self.max_features = max_features
        self.temperature = 1.0
        self.classes_: list[Label] = []
        self._word: TfidfVectorizer | None = None
        self._char: TfidfVectorizer | None = None
        self._fast: tuple[FastTfidf, FastTfidf] | None = None
        self._coef: dict[str, np.ndarray] = {}
        self._intercept: np.ndarray | None = None
        # People's answers, applied to nearly identical messages before the model (memory.py).
        self.memory: AnswerMemory | None = None
        # What a message is about (content.py), learnt from the organization's messages by
        # self-training: how answers reach alike messages and how the review queue clusters.
        self.content: ContentVectors | None = None
        # Wordings (`normalized`) self-training left for a person: never routed by the model.
        self.set_aside: frozenset[str] = frozenset()

    # ------------------------------------------------------------------ training

    def fit(
        self, texts: Sequence[str], labels: Sequence[Label], sample_weight: Sequence[float] | None = None
    ) -> StepRouter:
        texts = [str(text) for text in texts]
        labels = list(labels)
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weights is not None and len(weights) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(weights)} sample weights")
        classes = _ordered_unique(labels)
        if len(classes) < 2:
            raise ValueError("a router needs examples for at least two journey steps")
        index = {label: i for i, label in enumerate(classes)}
        y = np.fromiter((index[label] for label in labels), dtype=np.int64, count=len(labels))

        self.temperature = 1.0
        if self.calibrate:
            self.temperature = self._fit_temperature(texts, y, weights)
        self._fit_once(texts, y, weights)
        self.classes_ = classes
        return self

    def remember(self, texts: Sequence[str], labels: Sequence[Label], *, corpus: Sequence[str] = (),
                 **options: Any) -> StepRouter:
        """Keep people's answers (a step id, or OFF_TOPIC) so that a message nearly identical to
        an answered one goes where the person put it (text.memory). ``corpus``: the
        organization's own messages, whose word frequencies say which words matter."""
        pairs = [(str(t), label) for t, label in zip(texts, labels, strict=True) if str(t).strip()]
        self.memory = AnswerMemory([t for t, _ in pairs], [label for _, label in pairs], corpus=corpus,
                                   content=getattr(self, "content", None), **options) if pairs else None
        return self

    @classmethod
    def from_steps(
        cls,
        steps: Iterable[Mapping[str, Any]],
        corrections: Iterable[Mapping[str, Any] | tuple[str, Label]] = (),
        correction_weight: float = 3.0,
        **options: Any,
    ) -> StepRouter:
        examples = training_examples_from_steps(steps, corrections, correction_weight)
        return cls(**options).fit(examples.texts, examples.labels, examples.weights)

    def _fit_once(self, texts: list[str], y: np.ndarray, weights: np.ndarray | None) -> None:
        # sublinear_tf: a word repeated in a long rant should not dominate; char_wb n-grams stay
        # inside word boundaries so they model spelling, not accidental cross-word fragments.
        capped = {} if self.max_features is None else {"max_features": self.max_features, "min_df": 2}
        self._word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32, **capped)
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32,
                                     **capped)
        blocks = {"word": self._word.fit_transform(texts), "char": self._char.fit_transform(texts)}
        embedded = self._embed(texts)
        if embedded is not None:
            blocks["embedding"] = sp.csr_matrix(embedded)
        # newton-cg, not lbfgs: with classes × features parameters in the millions, SciPy's
        # L-BFGS-B bookkeeping dominates (25 s vs 3 s for CLINC150 10-shot, same accuracy).
        model = LogisticRegression(C=self.C, solver="newton-cg", max_iter=self.max_iter, tol=self.tol)
        model.fit(sp.hstack(list(blocks.values()), format="csr"), y, sample_weight=weights)
        coef = model.coef_.astype(np.float32)
        intercept = model.intercept_.astype(np.float32)
        if coef.shape[0] == 1:
            # Binary LR stores one row (logit of class 1); expand to two logits so the softmax
            # and the rest of the code treat every router the same way.
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.array([0.0, intercept[0]], dtype=np.float32)
        self._coef, start = {}, 0
        for name, block in blocks.items():
            self._coef[name] = np.ascontiguousarray(coef[:, start : start + block.shape[1]])
            start += block.shape[1]
        self._intercept = intercept

    def _fit_temperature(self, texts: list[str], y: np.ndarray, weights: np.ndarray | None) -> float:
        """Softmax temperature minimizing the log-loss of out-of-fold predictions (Guo et al. 2017).

        Raw LR probabilities over many steps are under-confident (on CLINC150 the fitted
        temperature is ~0.5 at 10-shot and ~0.75 with full data; expected calibration error
        drops from ~0.25 to ~0.02). One scalar fitted on held-out predictions fixes that
        without changing which step wins, so the threshold means the same thing for a
        20-phrase journey and a 15,000-example one.
        """
        per_class = np.bincount(y)
        if per_class.min() < 2:
            return 1.0
        if len(y) <= _CV_CALIBRATION_MAX_EXAMPLES:
            folds = int(min(3, per_class.min()))
            splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y)
        else:
            # Large training sets: one stratified 80/20 split is as good an estimate of a single
            # scalar and costs one extra fit instead of three.
            splits = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(np.zeros(len(y)), y)
        held_out, logit_rows = [], []
        for train_idx, test_idx in splits:
            fold_y = y[train_idx]
            present = np.unique(fold_y)
            if len(present) < 2:
                return 1.0
            fold_weights = None if weights is None else weights[train_idx]
            self._fit_once([texts[i] for i in train_idx], np.searchsorted(present, fold_y), fold_weights)
            # A step missing from a fold can never be predicted there: give it a -inf logit.
            full = np.full((len(test_idx), len(per_class)), -np.inf)
            full[:, present] = self._logits([texts[i] for i in test_idx])
            held_out.append(test_idx)
            logit_rows.append(full)
        held_out_y = y[np.concatenate(held_out)]
        logits = np.vstack(logit_rows)

        def nll(log_t: float) -> float:
            scaled = logits / math.exp(log_t)
            scaled -= scaled.max(axis=1, keepdims=True)
            log_norm = np.log(np.exp(scaled).sum(axis=1))
            return float(np.mean(log_norm - scaled[np.arange(len(held_out_y)), held_out_y]))

        best = minimize_scalar(nll, bounds=(math.log(0.05), math.log(20.0)), method="bounded")
        return float(math.exp(best.x))

    # ------------------------------------------------------------------ prediction

    def _embed(self, texts: list[str]) -> np.ndarray | None:
        embedder = get_embedder(self.backend)
        if embedder is None:
            return None
        return embedder.embed(texts) * np.float32(self.embedding_weight)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_fast"] = None  # rebuilt on first use
        return state

    def _fast_vectorizers(self) -> tuple[FastTfidf, FastTfidf]:
        """Array-based equivalents of the fitted vectorizers (see fastvec), built on first use
        and never saved: a loaded router builds them again from its vectorizers."""
        fast = self._fast
        if fast is None or fast[0].vectorizer is not self._word or fast[1].vectorizer is not self._char:
            fast = self._fast = (FastTfidf(self._word), FastTfidf(self._char))
        return fast

    def _logits(self, texts: list[str]) -> np.ndarray:
        return self._logits_and_known_words(texts)[0]

    def _logits_and_known_words(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Logits and, per text, how many of its words/bigrams occur in the training examples."""
        if self._word is None or self._char is None or self._intercept is None:
            raise RuntimeError("the router is not trained: call fit() or StepRouter.load() first")
        # Blocks are multiplied separately instead of hstacked: stacking a dense embedding into
        # a sparse matrix costs more than the classification itself.
        word_vectorizer, char_vectorizer = self._fast_vectorizers()
        words = word_vectorizer.transform(texts)
        logits = words @ self._coef["word"].T
        logits += char_vectorizer.transform(texts) @ self._coef["char"].T
        if "embedding" in self._coef:
            logits += self._embed(texts) @ self._coef["embedding"].T
        logits += self._intercept
        return np.asarray(logits, dtype=np.float64), words.getnnz(axis=1)

    def _probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        texts = [str(text) for text in texts]
        if not texts:
            return np.zeros((0, len(self.classes_))), np.zeros(0, dtype=int)
        logits, known_words = self._logits_and_known_words(texts)
        logits /= self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return probabilities, known_words

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, columns in the order of ``classes_``."""
        return self._probabilities(texts)[0]

    def predict(self, texts: Sequence[str]) -> list[Label]:
        """The most likely step for every text, ignoring the threshold."""
        probabilities = self.predict_proba(texts)
        return [self.classes_[i] for i in probabilities.argmax(axis=1)]

    def route(self, texts: Sequence[str] | str, threshold: float | None = None, *,
              adjust: Callable[[np.ndarray, np.ndarray, list[Label]], np.ndarray] | None = None) -> list[RouteResult]:
        """Each text's step (None: unrouted) at ``threshold`` (default: the router's). ``adjust``
        (self-training's, decision 0053) reweighs the calibrated probabilities (texts × classes)
        given the texts' known-word counts and the classes before any is chosen."""
        if isinstance(texts, str):
            texts = [texts]
        threshold = self.threshold if threshold is None else threshold
        probabilities, known_words = self._probabilities(texts)
        if adjust is not None and len(probabilities):
            probabilities = adjust(probabilities, known_words, list(self.classes_))
        k = min(self.top_k, len(self.classes_))
        if not len(probabilities):
            return []
        # top k per row for the whole batch at once (a stable sort: ties keep class order)
        best = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        best_p = np.take_along_axis(probabilities, best, axis=1)
        routed = (best_p[:, 0] >= threshold) & (known_words > 0)
        classes = self.classes_
        if OFF_TOPIC in classes:
            routed &= best[:, 0] != classes.index(OFF_TOPIC)
        set_aside = getattr(self, "set_aside", frozenset())
        aside = [normalized(text) in set_aside for text in texts] if set_aside else [False] * len(texts)
        routed &= ~np.array(aside, dtype=bool)
        answers, alike = self.memory.match(texts) if self.memory is not None else ([None] * len(texts), None)
        column = {label: i for i, label in enumerate(classes)}
        results = []
        for row, (indices, values, ok) in enumerate(zip(best.tolist(), best_p.tolist(), routed.tolist(), strict=True)):
            top = [(classes[i], p) for i, p in zip(indices, values, strict=True) if classes[i] != OFF_TOPIC]
            if not top:  # a two-class router whose top class is "off-topic"
                top = [(classes[indices[-1]], values[-1])]
            answer = answers[row]
            if answer is not None and answer != OFF_TOPIC:
                # A person placed a nearly identical message: it goes there, whatever the
                # model says, as sure as the model is or as alike as the two messages are.
                p = float(probabilities[row, column[answer]]) if answer in column else 0.0
                top = [(answer, max(p, float(alike[row])))] + [(c, q) for c, q in top if c != answer][: k - 1]
                ok = True
            elif answer == OFF_TOPIC:
                ok = False  # a person said a message just like it is about no step
            # A message sharing no word with any training example ("xqzv blorp", "!!!") gets
            # its probabilities from intercepts and stray character n-grams: never route it.
            results.append(RouteResult(top[0][0] if ok else None, top[0][1], top, aside[row] and answer is None))
        return results

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        """Write the trained router (vectorizers, coefficients, settings; never embedding weights)."""
        if self._intercept is None:
            raise RuntimeError("cannot save an untrained router")
        state = {
            "format": _FORMAT_VERSION,
            "backend": self.backend,
            "settings": {
                "C": self.C,
                "embedding_weight": self.embedding_weight,
                "threshold": self.threshold,
                "top_k": self.top_k,
                "calibrate": self.calibrate,
                "max_iter": self.max_iter,
                "tol": self.tol,
                "max_features": self.max_features,
            },
            "temperature": self.temperature,
            "classes": list(self.classes_),
            "word": self._word,
            "char": self._char,
            "coef": self._coef,
            "intercept": self._intercept,
            "memory": self.memory,
            "content": self.content,
            "set_aside": sorted(getattr(self, "set_aside", frozenset())),
        }
        buffer = io.BytesIO()
        joblib.dump(state, buffer)
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> StepRouter:
        """Load a router written by :meth:`save`. Only load files your own installation wrote:
        like every pickle-based format, a crafted file can run code."""
        state = joblib.load(Path(path))
        if not isinstance(state, dict) or state.get("format") != _FORMAT_VERSION:
            raise ValueError(f"{path} is not a cxkeeper step router (format {_FORMAT_VERSION})")
        router = cls(state["backend"], **state["settings"])
        router.temperature = state["temperature"]
        router.classes_ = state["classes"]
        router._word, router._char = state["word"], state["char"]
        router._coef, router._intercept = state["coef"], state["intercept"]
        router.memory = state.get("memory")  # routers saved before answers were remembered have none
        router.content = state.get("content")  # nor content vectors, before self-training learnt them
        router.set_aside = frozenset(state.get("set_aside") or ())  # nor wordings set aside (decision 0056)
        get_embedder(router.backend)  # load the embedding weights now, not on the first message
        return router


_WORDS = re.compile(r"[^\W\d_]+")


def normalized(text: str) -> str:
    """Lower-case words only: "Feedback\\n\\nLol." and "lol" are the same message (one wording:
    self-training's sample, the wordings a router sets aside)."""
    return " ".join(_WORDS.findall(str(text).lower()))


def _ordered_unique(labels: Iterable[Label]) -> list[Label]:
    # Keeps the type of each step id (int stays int) and a stable, first-seen order; sorting
    # would fail on mixed str/int ids.
    return list(dict.fromkeys(labels))


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[Label],
    folds: int = 5,
    *,
    seed: int = 0,
    top_confusions: int = 10,
    **router_options: Any,
) -> dict[str, Any]:
    """K-fold estimate of routing quality for the routing-quality page.

    Returns overall ``accuracy`` (top step, threshold ignored), ``unrouted_rate`` at the
    router's threshold, per-step accuracy and the most-confused ``(true, predicted)`` pairs,
    which tell a keeper which step descriptions overlap and need sharper example phrases.
    Steps with fewer examples than ``folds`` still appear in training folds; the number of
    folds is reduced to the smallest step's count when needed (minimum 2).
    """
    texts = [str(text) for text in texts]
    labels = list(labels)
    counts = Counter(labels)
    folds = max(2, min(folds, min(counts.values())))
    if min(counts.values()) < 2:
        raise ValueError("cross-validation needs at least two examples for every step")
    classes = _ordered_unique(labels)
    index = {label: i for i, label in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    predicted: list[Label] = [None] * len(texts)
    unrouted = 0
    started = time.perf_counter()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        router = StepRouter(**router_options).fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        for i, result in zip(test_idx, router.route([texts[i] for i in test_idx]), strict=True):
            predicted[i] = result.top[0][0]
            unrouted += result.label is None
    confusions = Counter((t, p) for t, p in zip(labels, predicted, strict=True) if t != p)
    per_step = {
        label: sum(1 for t, p in zip(labels, predicted, strict=True) if t == label and p == label) / n
        for label, n in counts.items()
    }
    return {
        "accuracy": sum(t == p for t, p in zip(labels, predicted, strict=True)) / len(labels),
        "unrouted_rate": unrouted / len(labels),
        "folds": folds,
        "n": len(labels),
        "per_step_accuracy": per_step,
        "confused_pairs": [
            {"true": t, "predicted": p, "count": n} for (t, p), n in confusions.most_common(top_confusions)
        ],
        "seconds": time.perf_counter() - started,
    }
