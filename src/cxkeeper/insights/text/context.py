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
channel helped place, in words alone. After the rounds, a wording whose rows, taken together,
came through places its step is rarely written from is *contradicted*
(:meth:`SampleContexts.contradicted`, decision 0056) and set aside for a person.

Routing itself stays text-only, so one message routes the same however it arrived and every path
that routes a text (imports, re-routing, the warehouse, suggestions) agrees (decision 0053).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["CONTRADICTED", "KNOWN_FOR_DAYS", "SMOOTHING", "SampleContexts", "known_for_band"]

# Pseudo-counts that pull a context's ratio towards 1 ("no evidence"), spread as all confident
# routes are spread over the contexts: a step seen twice through a rare context does not make
# that context decide.
SMOOTHING = 1.0

# How long the organization had known a customer when they wrote (days since their first stored
# message), in calendar units: under a week, a month, a quarter, a year, or longer. Calendar
# units, not cuts fitted to the sample data: bands at 1, 14, 45 and 120 days, or one cut at 45,
# placed the same share right on the demo (decision 0054).
KNOWN_FOR_DAYS = (7, 30, 90, 365)

# The log-likelihood ratio (natural log, summed over a message's rows) below which the places a
# message was written through contradict the step it is routed to (:meth:`SampleContexts.contradicted`):
# e^-10, one in 22,000 — far beyond what chance gives a message of the step (decision 0056).
CONTRADICTED = -10.0


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

    def contradicted(self, best: np.ndarray, sure: np.ndarray, n_classes: int, *, below: float = CONTRADICTED,
                     neutral: Sequence[int] = (), counted_as: np.ndarray | None = None) -> np.ndarray:
        """Per message: True when the contexts of all its rows, taken together, are far less
        likely among the confident routes of its step (``best``) than among all confident routes
        (``sure``: the routes counted): the log-likelihood ratio summed over its rows is below
        ``below``. The message's own rows are left out of its step's counts, or a message repeated
        hundreds of times would make its step look like itself ("test" routed to "Run a line test"
        decides where that step's confident routes come from). ``counted_as``: the step each
        message is counted under, when another router's sure routes say where each step's messages
        come from (default ``best``). ``neutral`` classes (off-topic) are never contradicted."""
        best, sure = np.asarray(best), np.asarray(sure, dtype=bool)
        counted_as = best if counted_as is None else np.asarray(counted_as)
        if best.shape[0] != self.n_texts:
            raise ValueError(f"{best.shape[0]} messages routed, {self.n_texts} with contexts")
        if not self.n_texts or self.n_keys < 2:
            return np.zeros(self.n_texts, dtype=bool)
        text_of_row, codes = self._text_of_row, self._codes
        rows = sure[text_of_row]
        counts = np.zeros((n_classes, self.n_keys))
        np.add.at(counts, (counted_as[text_of_row[rows]], codes[rows]), 1.0)
        overall = counts.sum(axis=0) + SMOOTHING
        overall /= overall.sum()
        # how many of the message's own rows share each row's context (left out when it was counted)
        pair = text_of_row * self.n_keys + codes
        _, inverse, pair_counts = np.unique(pair, return_inverse=True, return_counts=True)
        counted_here = sure & (counted_as == best)
        own = np.where(counted_here[text_of_row], pair_counts[inverse], 0)
        own_total = np.where(counted_here, self._counts, 0)[text_of_row]
        step = best[text_of_row]
        given = (counts[step, codes] - own + SMOOTHING * overall[codes]) / (
            counts.sum(axis=1)[step] - own_total + SMOOTHING)
        ratio = np.zeros(self.n_texts)
        np.add.at(ratio, text_of_row, np.log(given / overall[codes]))
        flagged = ratio < below
        for column in neutral:
            flagged &= best != column
        return flagged
