"""Text analytics for feedback: PII redaction → journey-step routing → sentiment.

Pure Python (no Django): the import pipeline, the CLI and the benchmarks use it alike.
See docs/insights-text.md for how each piece works and how well it performs.
"""

from .evaluation import LabeledFileError, evaluate, load_labeled_file, main_evaluate, sample_shots
from .redaction import RedactionResult, Redactor
from .router import DEFAULT_THRESHOLD, RouteResult, StepRouter, cross_validate, training_examples_from_steps
from .sentiment import (
    LearnedSentiment,
    SentimentChoice,
    SentimentScore,
    VaderSentiment,
    choose_sentiment_model,
    weak_label,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "LabeledFileError",
    "LearnedSentiment",
    "RedactionResult",
    "Redactor",
    "RouteResult",
    "SentimentChoice",
    "SentimentScore",
    "StepRouter",
    "VaderSentiment",
    "choose_sentiment_model",
    "cross_validate",
    "evaluate",
    "load_labeled_file",
    "main_evaluate",
    "sample_shots",
    "training_examples_from_steps",
    "weak_label",
]
