"""What a message is about, as a vector: the words that say which step it concerns, not the
words every customer wraps around them.

Customers wrap the same complaint in different words ("Honestly, the quick-start card was really
clear. Thanks!", "Happy customer here. The quick-start card was really clear, with three kids
all on their tablets 👍"). Inverse document frequency discounts only the wrapping that is
*frequent*; an opener, a town or a sentence about the kids is rare enough to weigh as much as
the complaint, so two messages about the same thing look alike only when their wrappings
happen to match. On the demo (120,000 rows), an answer to a message the router left unrouted
reached 56 messages built on the same phrase at cosine 0.6 with plain TF-IDF.

The organization's own messages say which words are wrapping: a word that appears in messages
about every step ("honestly", "kids", "thanks", "Leeds") says nothing about the step, and a word
that appears in messages about one step ("quick-start", "refund") says a lot. Each word (and
word pair) weighs its TF-IDF weight times its *step specificity*: one minus the normalised
entropy of the steps that the router put the messages holding it on; a word seen in only a
few placed messages keeps most of its weight until there is evidence it is spread. No term
weighs more than one in ``RARE`` messages would: the rarest are where the wrapping meets the
message. The router's labels need not be right for this, only better than chance: wrapping is
spread over all steps whatever the router guesses. With these weights it reached 121 at cosine
0.5 (140 messages in all, 92.9% of them about its true step, against 63 at 88.0% before;
`python bench/content_reach.py`, docs/performance.md "A router that holds still"); with the cap
on rare terms, 166 messages, 94.7% of them about its true step (134 and 93.4% without it, the
same run; decision 0052).

Used wherever one message stands for others: people's answers remembered (text.memory) and
spread over the unlabeled sample (text.selftrain), and the review queue's clusters
(text.clusters). Deterministic, bounded (a capped vocabulary), picklable with the router.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .fastvec import FastTfidf

__all__ = ["MAX_VOCABULARY", "RARE", "ContentVectors", "step_specificity"]

MAX_VOCABULARY = 50_000
# A word's step counts get this prior count per step (so that no share is zero), and its
# specificity is pulled toward 1 as if seen EVIDENCE more times about one step: a word the
# router has placed only a few times (spam, a new product's name) is not taken for wrapping
# before there is evidence that it is spread over the steps (without it, spam's words weighed
# nothing and off-topic answers stopped reaching other spam).
SMOOTHING = 0.01
EVIDENCE = 10.0
# A word in fewer than one message in RARE weighs as if it were in one in RARE: its inverse
# document frequency is capped there. The rarest terms are the word pairs where a customer's
# wrapping meets what they say ("simple @KestrelConnect", "bill earlier", "honestly radio"),
# typos and names: IDF gives them the most weight, and seen too few times to show that they are
# spread over the steps they keep their specificity (EVIDENCE), so they outweighed the message
# itself. On the demo's spot-check pool the cap put 22,872 of 30,000 confident routes in groups
# of 5 or more instead of 19,181, and the groups are purer (98.8% of their members about the
# group's most common true step, was 98.6%); caps from one in 20 to one in 150 measured alike,
# one in 400 and one in 1,100 less (docs/performance.md, "Rare word pairs capped").
RARE = 150


def step_specificity(vectors: sp.spmatrix, labels: Sequence[Hashable | None], smoothing: float = SMOOTHING,
                     evidence: float = EVIDENCE) -> np.ndarray:
    """Per column of ``vectors`` (documents × terms): 1 − H(step | term) / log(number of steps),
    from the documents holding the term and their ``labels`` (``None``: left out), pulled
    toward 1 for a term seen in few labelled documents (``evidence``: as if seen that many more
    times in one step's messages). All ones when fewer than two steps are labelled (nothing to
    tell wrapping from content)."""
    steps = sorted({label for label in labels if label is not None}, key=repr)
    if len(steps) < 2:
        return np.ones(vectors.shape[1], dtype=np.float32)
    index = {label: k for k, label in enumerate(steps)}
    rows = [i for i, label in enumerate(labels) if label is not None]
    one_hot = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, [index[labels[i]] for i in rows])),
                            shape=(vectors.shape[0], len(steps)))
    present = vectors.tocsr().astype(bool).astype(np.float32)
    counts = np.asarray((present.T @ one_hot).todense(), dtype=np.float64)
    seen = counts.sum(axis=1)
    share = (counts + smoothing) / (seen[:, None] + smoothing * len(steps))
    entropy = -(share * np.log(share)).sum(axis=1) / np.log(len(steps))
    specificity = np.clip(1.0 - entropy, 0.0, 1.0)
    pulled = np.divide(seen * specificity + evidence, seen + evidence, out=np.ones_like(seen),
                       where=seen + evidence > 0)
    return pulled.astype(np.float32)


class ContentVectors:
    """TF-IDF word 1–2-grams of ``corpus`` weighted by step specificity under ``labels`` (the
    step each corpus message was routed to, or ``None``); unit length per row."""

    def __init__(self, corpus: Sequence[str], labels: Sequence[Hashable | None], *,
                 max_features: int = MAX_VOCABULARY, smoothing: float = SMOOTHING) -> None:
        if len(corpus) != len(labels):
            raise ValueError(f"{len(corpus)} messages but {len(labels)} labels")
        self._vectorizer: TfidfVectorizer | None = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32, max_features=max_features)
        try:
            vectors = self._vectorizer.fit_transform([str(t) for t in corpus])
        except ValueError:  # not a single word: nothing can be alike
            self._vectorizer, self.weights = None, np.zeros(0, dtype=np.float32)
        else:
            idf = self._vectorizer.idf_.astype(np.float32)
            # smooth idf at document frequency n / RARE: log((1 + n) / (1 + n / RARE)) + 1
            cap = np.float32(np.log((1.0 + len(corpus)) / (1.0 + len(corpus) / RARE)) + 1.0)
            self.weights = step_specificity(vectors, labels, smoothing) * (np.minimum(idf, cap) / idf)
        self._fast: FastTfidf | None = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_fast"] = None  # rebuilt on first use
        return state

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self._vectorizer is None:
            return sp.csr_matrix((len(texts), 1), dtype=np.float32)
        if self._fast is None:
            self._fast = FastTfidf(self._vectorizer)
        vectors = self._fast.transform([str(t) for t in texts]) @ sp.diags(self.weights)
        return normalize(vectors.tocsr(), copy=False)
