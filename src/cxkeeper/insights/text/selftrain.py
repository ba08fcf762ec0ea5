"""Routing before anyone labels anything: a router that learns from the organization's own,
unlabeled feedback.

A router trained only on the journey map knows each step by its name, description and a few
example phrases. Customers write differently, so a map-only router leaves many messages
unrouted. Every organization already holds thousands of its own messages, though, and the
map-only router is right about most of the ones it is sure of. Self-training (Yarowsky 1995;
"pseudo-labelling") uses that:

1. A bounded sample of the stored messages (``max_unlabeled``), de-duplicated on a
   normalized form: a message repeated 300 times is one example, so repetition cannot
   amplify a mistake. Bottom-k by a seeded hash, so a message stays in the sample while it is
   among the unlabeled ones (decision 0046).
2. The current router (the map, and people's corrections when the caller put them in
   ``examples``) routes the sample. With ``spread_answers``, a message about the same thing as
   one a person placed (``corrections``; cosine of content vectors, text.content, ≥
   ``propagate_similarity``) takes that person's answer. ``insights.routing`` does neither:
   answers learnt into the model tilted it (decision 0046). Other messages it routes with confidence ≥
   ``confidence`` become training examples of that step, at a fraction of a phrase's weight,
   at most ``per_step_cap`` per step (the most confident first), so one loud step cannot
   swallow its neighbours. A new router is fitted on the map, the corrections and these
   examples. Then more rounds (``rounds``, :data:`ROUNDS` in all by default): the latest
   self-trained router labels the sample again — it now knows the organization's wording, so
   it is sure of messages the map router was not — and the router is fitted on those
   pseudo-labels (replacing the round's before). On the demo two rounds placed more messages
   right *and* fewer wrong than one, before and after people's answers (decision 0023); since
   the contexts of decisions 0053–0054 weigh each message, a third round places more right at
   the same share unrouted (decision 0055). Only with at least ``second_round_min_per_step``
   distinct messages per step: on a
   small sample a handful of new guesses sharing a template phrase swung the router (a
   168-message world of the tests went from 100% to 39% right). Map examples and corrections
   keep their full weight: people and the map always outweigh the guesses.
3. Messages this self-trained router still cannot place (top confidence <
   ``off_topic_confidence``, or no known word) that repeat at least ``off_topic_repeats``
   times in the sample — tight clusters of identical messages about none of the steps
   ("test", "n/a", "follow for follow") — become examples of :data:`~.router.OFF_TOPIC`,
   and the router is fitted once more. Judging noise only after step 2 matters: a message
   repeated in words the map never used is not noise just because the map-only router could
   not place it. With ``contexts``, so are the wordings whose rows, taken together with their
   variants' rows, came through places the step the router sends them to is rarely written
   from (log-likelihood ratio below ``contradiction``, :data:`~.context.CONTRADICTED`, against
   all sure routes; decisions 0056 and 0057): "test" sent to "Run a line test in the app" from
   every source and channel, "the connection has been rock solid for months" sent to "Wait for
   the connection date" by customers known for years, "The promotion was exactly as
   advertised." and its variants sent to "See an ad or offer" from the surveys, not social
   media. Every unlabeled row counts here, not only the sample's. They stop being examples of
   that step, are kept as wordings the router never routes (``StepRouter.set_aside``) and stay
   unrouted until a person places them.
4. Content vectors (text.content) are learnt from the sample and the final router's routes
   and kept with it (``router.content``); every person's answer — a step (``corrections``) or
   off-topic (``negatives``) — is remembered by the final router through them (text/memory.py):
   a new message about the same thing as an answered one goes where the person put it, or
   nowhere.

With ``contexts`` (where each unlabeled message came from: source and channel), every routing
of the sample in steps 2 and 3 weighs each message's probabilities by how much more often each
step's confident routes come through the message's contexts than all confident routes do
(text/context.py, decision 0053): a store survey's "great advice, really patient" is then learnt
as the store's. The final router still routes by words alone.

With fewer than ``min_per_step`` distinct messages per step there is too little to learn
from, and the map router is kept (with people's answers remembered).

Everything is deterministic for a given sample and seed, and bounded: ~20,000 distinct
messages train in well under a minute on two cores (capped TF-IDF vocabularies).
"""

from __future__ import annotations

import copy
import hashlib
import heapq
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .clusters import clusters_within
from .content import ContentVectors
from .context import CONTRADICTED, SampleContexts
from .router import OFF_TOPIC, Label, StepRouter, TrainingSet, normalized

__all__ = ["MAX_UNLABELED_ROWS", "ROUNDS", "SELF_TRAINING_SAMPLE", "SelfTrainingReport", "normalized", "self_train"]

# What a workspace learns from (insights.routing): the newest MAX_UNLABELED_ROWS stored
# messages, of which at most SELF_TRAINING_SAMPLE distinct ones (seeded sample), so training
# stays bounded whatever the size of the feedback table.
MAX_UNLABELED_ROWS = 60_000
SELF_TRAINING_SAMPLE = 20_000
# Rounds of pseudo-labels: each fits a router on the labels the previous one gave the sample.
# Three since the contexts weigh each message (decision 0055); two before (decision 0023).
ROUNDS = 3

# Cosine similarity (TF-IDF of words and word pairs, weighted by the organization's own
# messages) above which a message takes the answer a person gave to a nearly identical one.
PROPAGATE_SIMILARITY = 0.6

# Cosine similarity (content vectors) at which two wordings on one step are variants of one
# message, judged together when their contexts are weighed (decision 0057). The review queue
# groups at 0.65 (text.clusters.CONTENT_NEAR_DUPLICATE); there a step's praise of many kinds
# joins one group, and judged as one group it left a step with too few of its own messages to
# say where they come from.
VARIANTS = 0.8


@dataclass
class SelfTrainingReport:
    sample: int = 0  # distinct messages considered
    pseudo_labelled: list[int] = field(default_factory=list)  # per round
    off_topic: int = 0
    propagated: int = 0  # messages labelled by a person's answer to a nearly identical one
    contexts: int = 0  # distinct places the sample's messages came from (source × channel), when given
    contradicted: int = 0  # messages whose contexts contradict their step, set aside with the off-topic ones

    def as_dict(self) -> dict:
        return {"sample": self.sample, "pseudo_labelled": list(self.pseudo_labelled), "off_topic": self.off_topic,
                "propagated": self.propagated, "contexts": self.contexts, "contradicted": self.contradicted}


def _distinct_sample(texts: Iterable[str], limit: int, seed: int,
                     contexts: Sequence[Hashable] | None = None) -> tuple[list[str], list[int], list[list]]:
    """At most ``limit`` distinct messages (by normalized form), how often each was seen and
    (with ``contexts``, one per text; else empty) the contexts of the texts behind each.
    Above the limit, the messages whose seeded hash is smallest ("bottom-k" sampling): a
    message's place in the sample depends on its own words only, so the sample a relearning
    draws keeps every message of the previous one that is still there. A seeded random draw
    gave a wholly different sample when people answered (and so removed) a few messages, and
    the router's operating point moved with it."""
    first: dict[str, str] = {}
    repeats: Counter[str] = Counter()
    seen_in: dict[str, list] = defaultdict(list)
    for i, text in enumerate(texts):
        if not text or not str(text).strip():
            continue
        key = normalized(text)
        if not key:
            continue
        repeats[key] += 1
        first.setdefault(key, str(text))
        if contexts is not None:
            seen_in[key].append(contexts[i])
    keys = sorted(first)  # independent of the order the texts arrived in
    if len(keys) > limit:
        salt = str(seed).encode()
        keys = sorted(heapq.nsmallest(limit, keys, key=lambda k: hashlib.blake2b(
            k.encode("utf-8", "surrogatepass"), digest_size=8, salt=salt[:16]).digest()))
    behind = [seen_in[k] for k in keys] if contexts is not None else []
    return [first[k] for k in keys], [repeats[k] for k in keys], behind


def _nearest_answers(sample: list[str], anchors: list[tuple[str, Label]], similarity: float,
                     content: ContentVectors | None = None) -> dict[int, Label]:
    """Sample index → the answer of the most similar answered message, for the sample messages
    at least ``similarity`` alike: cosine of ``content`` vectors (text.content: the words that
    say which step a message is about) when given, else of TF-IDF word 1–2-grams whose inverse
    document frequencies come from the sample, so wording every message shares (greetings,
    sign-offs, "thanks") counts for little."""
    if content is not None:
        vectors = sp.vstack([content.transform(sample), content.transform([text for text, _ in anchors])]).tocsr()
    else:
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
        try:
            vectors = vectorizer.fit_transform(sample + [text for text, _ in anchors])
        except ValueError:  # no word at all
            return {}
    similar = (vectors[: len(sample)] @ vectors[len(sample):].T).tocsr()
    told: dict[int, Label] = {}
    for i in range(len(sample)):
        row = similar.getrow(i)
        if row.nnz:
            best = int(row.indices[row.data.argmax()])
            if row.data.max() >= similarity:
                told[i] = anchors[best][1]
    return told


def self_train(
    examples: TrainingSet,
    unlabeled: Iterable[str],
    *,
    contexts: Sequence[Hashable] | None = None,
    backend: str = "wordllama",
    base: StepRouter | None = None,
    negatives: Sequence[str] = (),
    corrections: Sequence[tuple[str, Label]] = (),
    propagate_similarity: float = PROPAGATE_SIMILARITY,
    memory_similarity: float | None = None,
    rounds: int = ROUNDS,
    second_round_min_per_step: int = 50,
    confidence: float = 0.8,
    weight: float = 0.5,
    per_step_cap: int = 600,
    off_topic_repeats: int = 3,
    off_topic_confidence: float = 0.3,
    max_unlabeled: int = SELF_TRAINING_SAMPLE,
    min_per_step: int = 10,
    max_features: int = 10_000,
    calibrate: bool = False,
    seed: int = 0,
    threshold: float | None = None,
    agreement: str | None = None,
    content_similarity: bool = True,
    spread_answers: bool = True,
    tol: float = 1e-5,
    contradiction: float | None = CONTRADICTED,
) -> tuple[StepRouter, SelfTrainingReport]:
    """A router trained on ``examples`` (map + corrections) and the confident part of
    ``unlabeled`` (see the module docstring). ``base`` is the router trained on ``examples``
    alone when the caller already has it. ``negatives`` are messages people said belong to
    no step. ``contexts``: where each unlabeled message came from (hashable keys such as
    (source, channel), one per message; decision 0053). Returns the router and what it learned
    from (counts only)."""
    report = SelfTrainingReport()
    if contexts is not None:
        unlabeled = list(unlabeled)
        if len(contexts) != len(unlabeled):
            raise ValueError(f"{len(contexts)} contexts for {len(unlabeled)} unlabeled messages")
    sample, repeats, seen_in = _distinct_sample(unlabeled, max_unlabeled, seed, contexts)
    report.sample = len(sample)
    router = base if base is not None else StepRouter(backend).fit(examples.texts, examples.labels, examples.weights)
    # The map router's tolerance. A looser one (1e-3) saved a fifth of the training time but
    # stopped the solver wherever it happened to be: on the demo, leaving 300 of 60,000 messages
    # out of the unlabeled ones moved the router from 84.1% right at 91.3% precision to 83.7% at
    # 89.8%, so every relearning moved everyone's routes by points. At 1e-5 the same change
    # moves them by less than 0.1 point (docs/performance.md, "A router that holds still").
    options = {"backend": backend, "max_features": max_features, "tol": tol, "calibrate": calibrate}
    if threshold is not None:
        options["threshold"] = threshold
    known = set(examples.labels)
    answers = [(str(t), label) for t, label in corrections if str(t).strip() and label in known]
    # People's off-topic answers are remembered, not learned as a class: as examples of "no
    # step" they pulled probability away from every step and left more on-topic messages
    # unrouted (demo, 30,000 rows: 79.4% right instead of 82.3%, off-topic handling the same).
    answers += [(str(t), OFF_TOPIC) for t in negatives if str(t).strip()]
    corpus = sample

    content: ContentVectors | None = None  # learnt from the sample once it is routed

    def finish(final: StepRouter) -> tuple[StepRouter, SelfTrainingReport]:
        if answers or content is not None:
            final = copy.copy(final)  # never change the caller's base router
            final.content = content
        if answers:
            final.remember([t for t, _ in answers], [label for _, label in answers], corpus=corpus,
                           similarity=memory_similarity)
        return final, report

    if len(sample) < min_per_step * len(known):
        # Too few messages to learn the organization's wording from: a few hundred guesses
        # spread over dozens of steps only blur the map router's calibrated confidence.
        sample, repeats = [], []
    if not sample:
        return finish(router)
    weigh = None
    if contexts is not None:
        where = SampleContexts(seen_in)

        def weigh(probabilities: np.ndarray, known_words: np.ndarray, classes: list) -> np.ndarray:
            neutral = [classes.index(OFF_TOPIC)] if OFF_TOPIC in classes else []
            return where.reweigh(probabilities, known_words, confident=confidence, neutral=neutral)

        report.contexts = where.n_keys
    noise: list[str] = []  # examples of "no step": filled after the pseudo-labelling round(s)
    map_router = router  # where each step's messages come from is learnt from its sure routes
    set_aside: set[str] = set()
    fitted_on = (list(examples.texts), list(examples.labels), list(examples.weights))

    def fit(chosen: list[int], labels_of: dict[int, Label]) -> StepRouter:
        nonlocal fitted_on
        texts = list(examples.texts) + [sample[i] for i in chosen] + noise
        labels = list(examples.labels) + [labels_of[i] for i in chosen] + [OFF_TOPIC] * len(noise)
        weights = list(examples.weights) + [weight] * (len(chosen) + len(noise))
        fitted_on = (texts, labels, weights)
        return StepRouter(**options).fit(texts, labels, weights)

    views = _Views(agreement, backend, sample) if agreement else None

    # People's answers first: a message nearly identical to one a person placed takes that
    # answer, whatever the router guessed. One answer then teaches the router the whole cluster
    # of messages written the same way, not one example among hundreds of its own guesses.
    placed = [(t, label) for t, label in answers if label != OFF_TOPIC]
    first_routes = router.route(sample, threshold=0.0, adjust=weigh)
    told: dict[int, Label] = {}
    if placed and spread_answers:
        spread_by = ContentVectors(sample, [result.label for result in first_routes]) if content_similarity else None
        told = _nearest_answers(sample, placed, propagate_similarity, spread_by)
    report.propagated = len(told)
    chosen: list[int] = []
    labels_of: dict[int, Label] = {}
    if len(sample) < second_round_min_per_step * len(known):
        rounds = min(rounds, 1)
    for round_ in range(rounds):
        results = first_routes if round_ == 0 else router.route(sample, threshold=0.0, adjust=weigh)
        agreed = views.labels(*fitted_on) if views is not None else None
        by_step: dict[Label, list[tuple[float, int]]] = defaultdict(list)
        for i, result in enumerate(results):
            if i in told:
                continue
            if agreed is not None and not all(view[i] == result.label for view in agreed):
                continue
            if result.label is not None and result.confidence >= confidence and result.label in known:
                by_step[result.label].append((-result.confidence, i))
        chosen = sorted([i for step in by_step.values() for _, i in sorted(step)[:per_step_cap]] + list(told))
        labels_of = {i: told[i] if i in told else results[i].label for i in chosen}
        report.pseudo_labelled.append(len(chosen))
        router = fit(chosen, labels_of)
    # Off-topic clusters are judged by the router that has learned the organization's wording:
    # a message repeated in words the map never used is not noise just because the map-only
    # router could not place it. The final router keeps the same pseudo-labels.
    results = router.route(sample, threshold=0.0, adjust=weigh)
    if content_similarity:  # relearnt from the self-trained router's routes, which know the organization's words
        content = ContentVectors(sample, [result.label for result in results])
    noise += [sample[i] for i, result in enumerate(results) if i not in told and repeats[i] >= off_topic_repeats and (
        result.label is None or result.confidence < off_topic_confidence)]  # None: no known word
    if contexts is not None and contradiction is not None:
        # Wordings whose rows, with their variants', came through places that contradict the step
        # the router sends them to: no longer examples of that step, and kept as wordings the
        # router never routes, so they stay unrouted until a person places them (decisions 0056,
        # 0057). Not learnt as examples of "no step": a thousand of them on the demo lowered every
        # step's confidence and pushed the right wordings of the same messages off their step.
        left_out = {normalized(t) for t, _ in answers} | {normalized(t) for t in noise}
        doubted = [text for text in _contradicted(router, map_router, unlabeled, contexts, below=contradiction,
                                                  confident=confidence, content=content)
                   if normalized(text) not in left_out]
        report.contradicted = len(doubted)
        set_aside = {normalized(text) for text in doubted}
        chosen = [i for i in chosen if normalized(sample[i]) not in set_aside]  # no longer taught as their step
    report.off_topic = len(noise)
    if noise or set_aside:
        router = fit(chosen, labels_of)
    if set_aside:
        router.set_aside = frozenset(set_aside)
    return finish(router)


def _contradicted(router: StepRouter, map_router: StepRouter, unlabeled: list[str], contexts: Sequence[Hashable], *,
                  below: float, confident: float, content: ContentVectors | None = None) -> list[str]:
    """Each distinct unlabeled wording (its first text) whose rows' contexts, taken together with
    its variants' rows, contradict the step ``router`` sends it to
    (:meth:`.context.SampleContexts.contradicted`). Variants: wordings on the same step whose
    ``content`` vectors (else TF-IDF) are at least :data:`VARIANTS` alike, as the review queue
    groups near-duplicates ("The promotion was exactly as advertised." and "… Great job.").
    Where each step's messages come from is counted on the routes ``map_router`` (the journey
    map alone) is sure of: self-training's own routes would let a wording it learnt wrong vouch
    for itself. Every unlabeled row counts, not only the sample's: the sample bounds what the
    router learns from, this costs two routings of each distinct wording, and the wordings
    written most often — where one wrong step costs most — are as likely as any to be outside
    the sample."""
    every, _, behind = _distinct_sample(unlabeled, len(unlabeled), 0, contexts)
    routes = router.route(every, threshold=0.0)
    classes = list(router.classes_)
    column = {label: k for k, label in enumerate(classes)}
    best = np.array([column.get(route.label, -1) for route in routes], dtype=np.int64)  # -1: no known word
    on_a_step = best >= 0
    neutral = [column[OFF_TOPIC]] if OFF_TOPIC in column else []
    counted_routes = map_router.route(every, threshold=0.0)  # the routes each step's contexts are counted on
    counted_as = np.array([column.get(route.label, -1) for route in counted_routes], dtype=np.int64)
    sure = (counted_as >= 0) & np.array([route.confidence >= confident for route in counted_routes], dtype=bool)
    counted_as = np.where(counted_as >= 0, counted_as, 0)
    variant_of = clusters_within(range(len(every)), every, best.tolist(), threshold=VARIANTS, content=content)
    variants = np.array([variant_of[i] for i in range(len(every))], dtype=np.int64)
    doubted = SampleContexts(behind).contradicted(np.where(on_a_step, best, 0), sure, len(classes), below=below,
                                                  neutral=neutral, counted_as=counted_as,
                                                  variants=variants) & on_a_step
    return [every[i] for i in np.flatnonzero(doubted)]


class _Views:
    """Other views of the same messages for co-training's agreement filter (Blum & Mitchell
    1998): a pseudo-label is kept only when a classifier that sees the messages differently,
    fitted on the same examples, picks the same step. ``"embedding"``: a logistic regression on
    the WordLlama sentence embedding alone (which words mean alike); ``"word"``: one on word
    1–2-gram TF-IDF alone (which words are used); ``"both"``: both must agree."""

    def __init__(self, kind: str, backend: str, sample: list[str]) -> None:
        if kind not in ("embedding", "word", "both"):
            raise ValueError(f"unknown agreement view {kind!r}")
        self.kind, self.sample = kind, sample
        from .embeddings import get_embedder

        self._embedder = get_embedder(backend) if kind in ("embedding", "both") else None
        self._sample_embedded = self._embedder.embed(sample) if self._embedder is not None else None

    def labels(self, texts: list[str], labels: list[Label], weights: list[float]) -> list[list[Label]]:
        from sklearn.linear_model import LogisticRegression

        views = []
        classes = list(dict.fromkeys(labels))
        index = {label: i for i, label in enumerate(classes)}
        y = np.array([index[label] for label in labels])
        w = np.asarray(weights, dtype=np.float64)
        if self._embedder is not None:
            model = LogisticRegression(C=10.0, max_iter=300, tol=1e-3)
            model.fit(self._embedder.embed(texts), y, sample_weight=w)
            views.append([classes[k] for k in model.classes_[model.predict_proba(self._sample_embedded).argmax(1)]])
        if self.kind in ("word", "both"):
            vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32,
                                         max_features=20_000)
            model = LogisticRegression(C=10.0, solver="newton-cg", max_iter=300, tol=1e-3)
            model.fit(vectorizer.fit_transform(texts), y, sample_weight=w)
            predicted = model.classes_[model.predict_proba(vectorizer.transform(self.sample)).argmax(1)]
            views.append([classes[k] for k in predicted])
        return views
