"""The workspace's step router: trained from the journey map, every human correction and the
organization's own stored feedback (self-training, see text/selftrain.py), stored in the
database, loaded once per process."""

from __future__ import annotations

import tempfile
import threading
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Min

from cxkeeper.core import figures
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback, RouterModel
from cxkeeper.insights.text.context import known_for_band
from cxkeeper.insights.text.router import OFF_TOPIC, StepRouter, cross_validate, training_examples_from_steps
from cxkeeper.insights.text.selftrain import MAX_UNLABELED_ROWS, SELF_TRAINING_SAMPLE, self_train
from cxkeeper.journeys.models import Step

_cache: dict[int, StepRouter] = {}
_lock = threading.Lock()
MAX_CORRECTIONS = 20_000  # newest first; older corrections add little once the map has thousands
# A spot check's "yes" teaches the router what it already does; a correction what it got wrong.
# Measured on the demo (decision 0035, docs/performance.md): a confirmation weighs this much
# (a correction 3, a phrase of the map 1, a pseudo-label 0.5).
CONFIRMATION_WEIGHT = 1.0


def training_steps() -> list[dict]:
    return [{"id": s["pk"], "name": s["name"], "description": s["description"], "phrases": s["phrases"]}
            for s in Step.objects.values("pk", "name", "description", "phrases")]


def corrections() -> list[tuple[str, int]]:
    """Every message a person placed on a step (newest first): corrections and confirmations."""
    return [(text, step) for text, step, _ in _answers()]


def _answers() -> list[tuple[str, int, bool]]:
    """(text, step, confirmed) of the messages people placed on a step, newest first. A
    confirmation kept the message where the model had put it with confidence (a spot check's
    "yes": the row keeps the model's confidence, `actions._confirms`); a correction moved it
    (its confidence is 1.0)."""
    rows = (Feedback.objects.filter(routed_by=RoutedBy.PERSON, step__isnull=False).exclude(text="")
            .order_by("-received_at").values_list("text", "step_id", "routing_confidence")[:MAX_CORRECTIONS])
    return [(text, step, confidence is not None and confidence < 1.0) for text, step, confidence in rows]


def off_topic_answers(limit: int = MAX_CORRECTIONS) -> list[str]:
    """The newest messages people marked off-topic (spam, chatter, tests): the router learns
    that messages like them are about no step."""
    rows = (Feedback.objects.filter(routed_by=RoutedBy.OFF_TOPIC).exclude(text="")
            .order_by("-received_at", "-pk").values_list("text", flat=True)[:limit])
    return list(rows)


def unlabeled_texts(limit: int = MAX_UNLABELED_ROWS) -> tuple[list[str], list[tuple[int, str, int | None]]]:
    """The newest stored messages that no person and no rule placed: what the router must
    learn to place by itself; with where each came from and who wrote it, (source id, channel,
    band of how long the organization had known the customer: `text.context.known_for_band`),
    which self-training weighs as evidence of its step (decisions 0053 and 0054)."""
    rows = list(Feedback.objects.filter(routed_by__in=[RoutedBy.MODEL, RoutedBy.NONE]).exclude(text="")
                .order_by("-received_at", "-pk")
                .values_list("text", "source_id", "channel", "customer_hash", "received_at")[:limit])
    first = first_seen({customer for _, _, _, customer, _ in rows if customer})
    contexts = []
    for _, source, channel, customer, received in rows:
        days = (received - first[customer]).total_seconds() / 86_400 if customer in first else None
        contexts.append((source, channel, known_for_band(days)))
    return [row[0] for row in rows], contexts


# What each context of `unlabeled_texts` is made of, in words, for the routing quality page
# (stored with each router's report: routers trained before decision 0054 weighed only the first two).
CONTEXT_PARTS = ("source", "channel", "how long the customer had been known")
FIRST_SEEN_BATCH = 5_000  # customers per query: well under SQLite's limit of bound parameters


def first_seen(customers: set[str]) -> dict[str, datetime]:
    """When each customer's first stored message was received (every source, placed or not):
    the day the organization's feedback first knew them."""
    found: dict[str, datetime] = {}
    ordered = sorted(customers)
    for start in range(0, len(ordered), FIRST_SEEN_BATCH):
        batch = ordered[start:start + FIRST_SEEN_BATCH]
        found.update(Feedback.objects.filter(customer_hash__in=batch).values("customer_hash")
                     .annotate(first=Min("received_at")).values_list("customer_hash", "first"))
    return found


def _to_bytes(router: StepRouter) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "router.joblib"
        router.save(path)
        return path.read_bytes()


def _from_bytes(blob: bytes) -> StepRouter:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "router.joblib"
        path.write_bytes(bytes(blob))
        return StepRouter.load(path)


def train_router(*, evaluate: bool = True, self_training: bool = True,
                 off_topic: list[str] | None = None) -> RouterModel | None:
    """Fit a router on the current map and corrections, then (``self_training``) on the
    confident part of the stored, unrouted-or-model-routed feedback; None when fewer than two
    steps exist. Every person's answer is remembered (text.memory): a message nearly identical
    to an answered one goes where the person put it, or nowhere for ``off_topic`` — messages
    people said belong to no step (spam, wrong company); by default, every message people
    marked off-topic in the review queue."""
    steps = training_steps()
    if len(steps) < 2:
        return None
    answers = _answers()
    fixes = [(text, step) for text, step, _ in answers]
    if off_topic is None:
        off_topic = off_topic_answers()
    examples = training_examples_from_steps(
        steps, [(text, step) for text, step, confirmed in answers if not confirmed],
        confirmations=[(text, step) for text, step, confirmed in answers if confirmed],
        confirmation_weight=CONFIRMATION_WEIGHT)
    backend = settings.CXKEEPER_ROUTER_BACKEND
    learned, router, remembered = {}, None, False
    if self_training:
        # The self-trained model learns from the map and the organization's messages only;
        # people's answers act through the memory (text.memory), which sends every message about
        # the same thing where the person put it (decision 0046). Learnt into the model, 200
        # answers tilted it: 85.5% right against 89.4% on the demo, and every answer moved routes
        # nobody had asked about.
        map_examples = training_examples_from_steps(steps) if answers else examples
        base = StepRouter(backend=backend).fit(map_examples.texts, map_examples.labels, map_examples.weights)
        unlabeled, contexts = unlabeled_texts()
        trained, learned_from = self_train(map_examples, unlabeled, contexts=contexts, backend=backend, base=base,
                                           negatives=off_topic, corrections=fixes, spread_answers=False,
                                           max_unlabeled=SELF_TRAINING_SAMPLE)
        learned = {**learned_from.as_dict(), "context_parts": list(CONTEXT_PARTS)}
        if learned_from.pseudo_labelled:  # self-trained; self_train remembered every answer
            router, remembered = trained, True
        elif not answers:  # too few messages to self-train, and nothing beyond the map to learn
            router = base
    if router is None:  # the map router learns people's answers as examples
        router = StepRouter(backend=backend).fit(examples.texts, examples.labels, examples.weights)
    if not remembered and (fixes or off_topic):
        router.remember([t for t, _ in fixes] + off_topic, [s for _, s in fixes] + [OFF_TOPIC] * len(off_topic))
    report = {}
    if evaluate:
        try:
            # Uncalibrated folds: the estimate is of which step wins, which calibration does not
            # change, at a fraction of the cost.
            report = cross_validate(examples.texts, examples.labels, folds=3, seed=0, calibrate=False,
                                    backend=backend)
        except ValueError as exc:  # a step with a single example: no honest estimate possible
            report = {"error": str(exc)}
    model = RouterModel.objects.create(
        blob=_to_bytes(router), n_examples=len(examples), n_labels=len(router.classes_),
        n_corrections=len(fixes), threshold=router.threshold,
        cv_accuracy=report.get("accuracy"), cv_report=_jsonable(report | {"self_training": learned}),
    )
    with _lock:
        _cache.clear()
        _cache[model.pk] = router
    figures.data_changed(figures.FEEDBACK)  # a new router: new routes, confidences, queue
    return model


def _jsonable(report: dict) -> dict:
    out = dict(report)
    if "per_step_accuracy" in out:
        out["per_step_accuracy"] = {str(k): v for k, v in out["per_step_accuracy"].items()}
    return out


def current_router(*, train_if_missing: bool = True) -> StepRouter | None:
    latest = RouterModel.objects.order_by("-created_at", "-id").only("pk").first()
    if latest is None:
        if not train_if_missing:
            return None
        model = train_router(evaluate=False)
        return _cache.get(model.pk) if model else None
    with _lock:
        router = _cache.get(latest.pk)
    if router is None:
        router = _from_bytes(RouterModel.objects.values_list("blob", flat=True).get(pk=latest.pk))
        with _lock:
            _cache.clear()
            _cache[latest.pk] = router
    return router
