"""Where a message came from and who wrote it, as evidence of its step while self-training chooses
what to learn.

A survey sent after a store visit is about the store; a text message is more often about the
connection date than about the helpline; a customer the organization has known for a year is
using the service, paying or leaving, not waiting for an installation (decision 0054). The
journey map does not say which channels each step's feedback comes through in the values
feedback carries (a step's "channel" words are a keeper's description: "field", "internal"), so
it is learnt from the router's own confident routes: for each step, how much more often its
confident routes came through a context (source × channel × how long the customer had been
known, :func:`known_for_band`) than all confident routes did. Self-training multiplies each
sampled message's probabilities by that ratio, averaged in log over the rows the message was
written in, before it chooses its pseudo-labels: the model then learns from messages their
channel helped place, in words alone.

Routing itself stays text-only, so one message routes the same however it arrived and every path
that routes a text (imports, re-routing, the warehouse, suggestions) agrees (decision 0053).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["KNOWN_FOR_DAYS", "SMOOTHING", "SampleContexts", "known_for_band"]

# Pseudo-counts that pull a context's ratio towards 1 ("no evidence"), spread as all confident
# routes are spread over the contexts: a step seen twice through a rare context does not make
# that context decide.
SMOOTHING = 1.0

# How long the organization had known a customer when they wrote (days since their first stored
# message), in calendar units: under a week, a month, a quarter, a year, or longer. Calendar
# units, not cuts fitted to the sample data: bands at 1, 14, 45 and 120 days, or one cut at 45,
# placed the same share right on the demo (decision 0054).
KNOWN_FOR_DAYS = (7, 30, 90, 365)


def known_for_band(days: float | None) -> int | None:
    """The band of :data:`KNOWN_FOR_DAYS` that ``days`` falls in (0: under a week … 4: a year or
    longer); None when the message names no customer."""
    if days is None:
        return None
    return sum(days >= cut for cut in KNOWN_FOR_DAYS)


class SampleContexts:
    """The contexts of the rows behind each message of self-training's sample: ``keys_per_text[i]``
    holds one key (e.g. (source id, channel)) per stored row whose text is sample message i."""

    def __init__(self, keys_per_text: Sequence[Sequence[Hashable]]) -> None:
        codes: dict[Hashable, int] = {}
        flat: list[int] = []
        counts: list[int] = []
        for keys in keys_per_text:
            flat.extend(codes.setdefault(key, len(codes)) for key in keys)
            counts.append(len(keys))
        self.n_texts = len(counts)
        self.n_keys = len(codes)
        self._codes = np.asarray(flat, dtype=np.int64)
        self._counts = np.asarray(counts, dtype=np.int64)
        self._text_of_row = np.repeat(np.arange(self.n_texts), self._counts)

    def log_ratios(self, probabilities: np.ndarray, known_words: np.ndarray, *, confident: float,
                   neutral: Sequence[int] = ()) -> np.ndarray:
        """Per step (rows) and context (columns): log of how much more often the step's confident
        routes came through the context than all confident routes did (0: no evidence either
        way). A route is confident when its best class has at least ``confident`` and the text
        has a word the router knows; ``neutral`` classes (off-topic) learn no context."""
        n_classes = probabilities.shape[1]
        best = probabilities.argmax(axis=1)
        sure = (probabilities.max(axis=1) >= confident) & (np.asarray(known_words) > 0)
        for column in neutral:
            sure &= best != column
        rows = sure[self._text_of_row]
        counts = np.zeros((n_classes, self.n_keys))
        np.add.at(counts, (best[self._text_of_row[rows]], self._codes[rows]), 1.0)
        overall = counts.sum(axis=0) + SMOOTHING
        overall /= overall.sum()
        given_step = (counts + SMOOTHING * overall) / (counts.sum(axis=1, keepdims=True) + SMOOTHING)
        ratios = np.log(given_step / overall)
        ratios[list(neutral)] = 0.0
        return ratios

    def reweigh(self, probabilities: np.ndarray, known_words: np.ndarray, *, confident: float,
                neutral: Sequence[int] = ()) -> np.ndarray:
        """``probabilities`` (sample messages × classes) times each message's context ratio, the
        mean in log over its rows, normalised again."""
        if probabilities.shape[0] != self.n_texts:
            raise ValueError(f"{probabilities.shape[0]} messages routed, {self.n_texts} with contexts")
        if not self.n_texts or self.n_keys < 2:
            return probabilities  # one context for everything says nothing about the step
        ratios = self.log_ratios(probabilities, known_words, confident=confident, neutral=neutral)
        per_row = ratios[:, self._codes].T  # rows × classes
        sums = np.zeros_like(probabilities)
        np.add.at(sums, self._text_of_row, per_row)
        mean = sums / np.maximum(self._counts, 1)[:, None]
        weighed = probabilities * np.exp(mean - mean.max(axis=1, keepdims=True))
        return weighed / weighed.sum(axis=1, keepdims=True)
