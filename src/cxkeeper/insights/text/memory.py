"""People's answers, remembered: a message nearly identical to one a person placed goes where
the person put it.

A router retrained on a few hundred answers among thousands of map phrases and its own
guesses moves slowly: one answer is one example. Customers, though, write the same complaint
again and again in slightly different words ("Honestly, the quick-start card was really
clear. Thanks!"). :class:`AnswerMemory` keeps every answer (a step, or off-topic) as a TF-IDF
vector of words and word pairs and, for each new message, finds the most similar answered
one: at cosine similarity ≥ ``similarity`` the answer applies. The inverse document
frequencies come from the organization's own messages (``corpus``), so wording every
message shares (greetings, sign-offs, "thanks", an account number) counts for little and the
words that say what a message is about count most.

On the demo (200 review-queue answers, 120,000 rows), with TF-IDF, 0.6 was where the answers
it applied were most often right: 93.9% of 10,873 messages (0.4: 92.6% of 16,937; 0.5: 93.5%;
0.7: 93.1%; 0.8: 91.0% of 5,716) — more often right than the model on the same messages.

A self-trained router passes its content vectors (``content``, text/content.py): the words that
say which step a message is about, weighted by the organization's messages as routed. An answer
then reaches the same complaint whatever its wrapping: an answer to an unrouted message reaches
140 messages at 0.5, 92.9% of them about its true step, instead of 63 at 88.0%
(bench/content_reach.py). With content vectors, 0.5 placed more messages right after 200
answers at the same precision: 90.1% / 4.0% / 93.6% against 89.4% / 4.8% / 93.6% at 0.6, and
89.9% / 4.3% / 93.7% at 0.4 (decision 0046).

Bounded: the vocabulary is capped, and answers are compared in row chunks.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .content import ContentVectors
from .fastvec import FastTfidf

__all__ = ["CONTENT_MEMORY_SIMILARITY", "MEMORY_SIMILARITY", "AnswerMemory"]

MEMORY_SIMILARITY = 0.6  # cosine of TF-IDF vectors (a router without content vectors)
CONTENT_MEMORY_SIMILARITY = 0.5  # cosine of content vectors (text.content)
MAX_VOCABULARY = 50_000
_CHUNK = 1024


class AnswerMemory:
    """``texts`` answered with ``labels`` (step ids, or ``router.OFF_TOPIC``)."""

    def __init__(self, texts: Sequence[str], labels: Sequence[Hashable], *, corpus: Sequence[str] = (),
                 similarity: float | None = None, max_features: int = MAX_VOCABULARY,
                 content: ContentVectors | None = None) -> None:
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} answered texts but {len(labels)} answers")
        if similarity is None:
            similarity = CONTENT_MEMORY_SIMILARITY if content is not None else MEMORY_SIMILARITY
        if not 0.0 < similarity <= 1.0:
            raise ValueError(f"similarity must be in (0, 1], got {similarity}")
        self.similarity = similarity
        self.labels = list(labels)
        texts = [str(t) for t in texts]
        # Content vectors (text.content), when the router has them: the words that say what a
        # message is about, so an answer reaches the messages about the same thing whatever
        # their openers and sign-offs.
        self._content = content
        self._fast: FastTfidf | None = None
        if content is not None:
            self._vectorizer = None
            self._answers = content.transform(texts).T.tocsr()
            return
        self._vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32,
                                           max_features=max_features)
        try:
            self._vectorizer.fit(list(corpus) + texts)
            self._answers = self._vectorizer.transform(texts).T.tocsr()  # terms × answers
        except ValueError:  # not a single word anywhere: nothing can match
            self._vectorizer, self._answers = None, None

    def __len__(self) -> int:
        return len(self.labels)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_fast"] = None  # rebuilt on first use, like the router's
        return state

    def match(self, texts: Sequence[str]) -> tuple[list[Hashable | None], np.ndarray]:
        """Per text: the answer of the most similar answered message when at least
        ``similarity`` alike (else None), and that best similarity (0 when none)."""
        answers: list[Hashable | None] = [None] * len(texts)
        best = np.zeros(len(texts), dtype=np.float32)
        content = getattr(self, "_content", None)  # memories saved before content vectors have none
        if self._answers is None or not texts or not self.labels:
            return answers, best
        if content is None and self._fast is None:
            self._fast = FastTfidf(self._vectorizer)
        for start in range(0, len(texts), _CHUNK):
            chunk = [str(t) for t in texts[start:start + _CHUNK]]
            vectors = content.transform(chunk) if content is not None else self._fast.transform(chunk)
            similar = (vectors @ self._answers).tocsr()  # sparse: most pairs share no word
            nearest = np.asarray(similar.argmax(axis=1)).ravel()
            values = np.asarray(similar.max(axis=1).todense()).ravel()
            best[start:start + len(nearest)] = values
            for offset in np.flatnonzero(values >= self.similarity).tolist():
                answers[start + offset] = self.labels[int(nearest[offset])]
        return answers, best
