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
came through places its step is rarely written from — judged together with its variants, the
other wordings of the same message — is *contradicted* (:meth:`SampleContexts.contradicted`,
decisions 0056 and 0057) and set aside for a person.

Routing itself stays text-only, so one message routes the same however it arrived and every path
that routes a text (imports, re-routing, the warehouse, suggestions) agrees (decision 0053).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["CONTRADICTED", "JUDGED_AGAIN", "KNOWN_FOR_DAYS", "SMOOTHING", "SampleContexts", "known_for_band"]

# Pseudo-counts that pull a context's ratio towards 1 ("no evidence"), spread as all confident
# routes are spread over the contexts: a step seen twice through a rare context does not make
# that context decide.
SMOOTHING = 1.0

# How long the organization had known a customer when they wrote (days since their first stored
# message), in calendar units: under a week, a month, a quarter, a year, or longer. Calendar
# units, not cuts fitted to the sample data: bands at 1, 14, 45 and 120 days, or one cut at 45,
# placed the same share right on the demo (decision 0054).
KNOWN_FOR_DAYS = (7, 30, 90, 365)

# The log-likelihood ratio (natural log, summed over the rows of a message and its variants) below
# which the places it was written through contradict the step it is routed to
# (:meth:`SampleContexts.contradicted`). -10 for one wording alone (decision 0056); -40 since its
# variants are judged with it (decision 0057): summed over hundreds of rows, a step's own praise
# written through its survey but not its tickets reaches -30 ("The fault reference made it easy
# to follow up.", 88 messages on the demo), and at -40 a throw-away count over two draws of the
# demo set aside one message the router had right, against 1,435 and 1,438 routed wrong.
CONTRADICTED = -40.0
# How many times the others are judged again after some were found contradicted (they no longer
# count for their step). Two or three were enough on the demo.
JUDGED_AGAIN = 5


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
                     neutral: Sequence[int] = (), counted_as: np.ndarray | None = None,
                     variants: Sequence[int] | None = None) -> np.ndarray:
        """Per message: True when the contexts of all its rows, taken together, are far less
        likely among the confident routes of its step (``best``) than among all confident routes
        (``sure``: the routes counted): the log-likelihood ratio summed over its rows is below
        ``below``. ``counted_as``: the step each message is counted under, when another router's
        sure routes say where each step's messages come from (default ``best``). ``neutral``
        classes (off-topic) are never contradicted.

        ``variants``: one id per message; messages with the same id and step are wordings of one
        message ("The promotion was exactly as advertised." and "… Great job.") and are judged
        together, on the sum over all their rows (decision 0057). Default: each message alone.

        Nothing vouches for itself (decisions 0056, 0057):
        - a message's own rows, and its variants' rows, are left out of its step's counts, or a
          message repeated hundreds of times would make its step look like itself ("test" routed
          to "Run a line test" deciding where that step's confident routes come from);
        - a message found contradicted no longer counts for its step, and the others are judged
          again, until no more is found (at most :data:`JUDGED_AGAIN` times): "test" routed to
          the line test no longer makes "just testing the form" look at home there."""
        best, sure = np.asarray(best), np.asarray(sure, dtype=bool)
        counted_as = best if counted_as is None else np.asarray(counted_as)
        if best.shape[0] != self.n_texts:
            raise ValueError(f"{best.shape[0]} messages routed, {self.n_texts} with contexts")
        flagged = np.zeros(self.n_texts, dtype=bool)
        if not self.n_texts or self.n_keys < 2:
            return flagged
        judged = np.ones(self.n_texts, dtype=bool)
        for column in neutral:
            judged &= best != column
        ids = np.arange(self.n_texts) if variants is None else np.asarray(variants)
        # one group per (variant id, step): wordings of one message routed to two steps are two groups
        _, group = np.unique(np.stack([ids, best]), axis=1, return_inverse=True)
        group = group.ravel()
        for _ in range(JUDGED_AGAIN + 1):
            ratio = self._group_ratios(best, sure & ~flagged, n_classes, counted_as, group)
            found = (ratio[group] < below) & judged & ~flagged
            if not found.any():
                break
            flagged |= found
        return flagged

    def _group_ratios(self, best: np.ndarray, sure: np.ndarray, n_classes: int, counted_as: np.ndarray,
                      group: np.ndarray) -> np.ndarray:
        """Per group of messages: the log-likelihood ratio of its rows' contexts under its step
        (counted on ``sure`` routes without the group's own rows) against all ``sure`` routes."""
        text_of_row, codes = self._text_of_row, self._codes
        rows = sure[text_of_row]
        counts = np.zeros((n_classes, self.n_keys))
        np.add.at(counts, (counted_as[text_of_row[rows]], codes[rows]), 1.0)
        overall = counts.sum(axis=0) + SMOOTHING
        overall /= overall.sum()
        # the group's own rows counted under the step it is judged at: per context, and in all
        group_of_row = group[text_of_row]
        own_rows = (sure & (counted_as == best))[text_of_row].astype(np.float64)
        _, pair = np.unique(group_of_row * self.n_keys + codes, return_inverse=True)
        own = np.bincount(pair, weights=own_rows)[pair]
        own_total = np.bincount(group_of_row, weights=own_rows)[group_of_row]
        step = best[text_of_row]
        given = (counts[step, codes] - own + SMOOTHING * overall[codes]) / (
            counts.sum(axis=1)[step] - own_total + SMOOTHING)
        return np.bincount(group_of_row, weights=np.log(given / overall[codes]), minlength=group.max() + 1)
