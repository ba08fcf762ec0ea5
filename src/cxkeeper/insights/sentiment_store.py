"""The workspace's sentiment model: VADER until the organization's own scored feedback
teaches a model that measures better on held-out texts (survey scores as weak labels)."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from django.db.models import Q

from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.models import Feedback, SentimentModelRecord
from cxkeeper.insights.text.sentiment import LearnedSentiment, VaderSentiment, choose_sentiment_model

MAX_TEXTS = 20_000
_cache: dict[int, object] = {}
_lock = threading.Lock()
_vader: VaderSentiment | None = None


def _vader_model() -> VaderSentiment:
    global _vader
    if _vader is None:
        _vader = VaderSentiment()
    return _vader


def choose_model() -> SentimentModelRecord:
    """Measure VADER and a learned model on the newest scored feedback; store the choice.
    NPS answers are the weak labels when there are enough, else CSAT on a 1–5 scale. Items set
    aside as off-topic are not customers' feedback: their scores teach nothing."""
    scored = Feedback.objects.exclude(text="").exclude(routed_by=RoutedBy.OFF_TOPIC)
    by_nps = list(scored.filter(nps__isnull=False).order_by("-received_at")
                  .values_list("text", "nps")[:MAX_TEXTS])
    scale, pairs = "nps", by_nps
    if len(by_nps) < 200:
        scale = "csat"
        pairs = list(scored.filter(Q(csat__isnull=False) & Q(csat_max=5))
                     .order_by("-received_at").values_list("text", "csat")[:MAX_TEXTS])
    choice = choose_sentiment_model([t for t, _ in pairs], [s for _, s in pairs], scale, vader=_vader_model())
    blob = None
    if choice.name == "learned":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sentiment.joblib"
            choice.model.save(path)
            blob = path.read_bytes()
    record = SentimentModelRecord.objects.create(
        name=choice.name, blob=blob, scale=scale, vader_accuracy=choice.vader_accuracy,
        learned_accuracy=choice.learned_accuracy, n_labelled=choice.n_labelled, n_test=choice.n_test,
        reason=choice.reason[:300])
    with _lock:
        _cache.clear()
        _cache[record.pk] = choice.model
    return record


def current_model():
    """The chosen model (VADER when nothing was chosen yet), loaded once per process."""
    latest = SentimentModelRecord.objects.order_by("-created_at", "-id").values("pk", "name").first()
    if latest is None or latest["name"] != "learned":
        return _vader_model()
    with _lock:
        model = _cache.get(latest["pk"])
    if model is None:
        blob = SentimentModelRecord.objects.values_list("blob", flat=True).get(pk=latest["pk"])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sentiment.joblib"
            path.write_bytes(bytes(blob))
            model = LearnedSentiment.load(path)
        with _lock:
            _cache.clear()
            _cache[latest["pk"]] = model
    return model


def current_record() -> SentimentModelRecord | None:
    return SentimentModelRecord.objects.order_by("-created_at", "-id").first()
