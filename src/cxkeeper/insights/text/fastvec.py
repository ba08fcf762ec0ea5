"""Vectorized ``transform`` for fitted scikit-learn TF-IDF vectorizers.

scikit-learn builds every n-gram of every document as a Python string and looks it up in a
dict: on 100–200-character feedback texts the character n-grams alone cost more than the
rest of routing. :class:`FastTfidf` produces the same matrix from a *fitted*
``TfidfVectorizer`` with array operations:

* ``char_wb`` n-grams: the batch's words, padded with a space each side as scikit-learn does,
  are laid end to end as one array of code points; every window of length n that stays inside
  one padded word is hashed with a 64-bit polynomial hash and looked up (``searchsorted``) in
  the hashes of the vocabulary's n-grams. A false match needs two different n-grams of the
  same length to share a 64-bit hash: with ~10^5 vocabulary entries and ~10^8 distinct
  queries the chance is ~10^-6 for a lifetime of imports, and its effect one slightly wrong
  feature weight.
* ``word`` 1–2-grams: the default token pattern (``re.findall`` per document, in C); tokens
  become ids through one dict, bigrams are looked up as id pairs in a sorted array.

Then the same sublinear tf, idf and l2 normalisation as ``TfidfTransformer`` (float32, as the
router's vectorizers are configured). Vectorizers with settings this module does not
reproduce exactly (a custom analyzer, preprocessor, tokenizer, stop words, ``binary``,
accents stripping, other token patterns) fall back to scikit-learn's own ``transform``.
The tests compare both on real texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

__all__ = ["FastTfidf"]

_SKLEARN_WORD_PATTERN = r"(?u)\b\w\w+\b"
_P = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the polynomial hash (golden ratio)
_MAX_BATCH = 4096  # texts hashed at once: bounds the temporary arrays (~100 bytes per character)


def _codepoints(text: str) -> np.ndarray:
    # +1 so that no code point hashes like an absent one; surrogatepass keeps lone surrogates
    # (they come from badly decoded files) instead of raising.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64) + np.uint64(1)


def _window_hashes(codes: np.ndarray, n: int, prev: np.ndarray | None) -> np.ndarray:
    """Hash of every window of length n, from the hashes of length n-1 (``prev``)."""
    if prev is None:
        return codes.copy()
    with np.errstate(over="ignore"):
        return prev[:-1] * _P + codes[n - 1 :]


def _supported(vectorizer) -> bool:
    if getattr(vectorizer, "vocabulary_", None) is None or not hasattr(vectorizer, "idf_"):
        return False
    plain = (
        vectorizer.input == "content" and vectorizer.preprocessor is None and vectorizer.tokenizer is None
        and vectorizer.strip_accents is None and vectorizer.lowercase and not vectorizer.binary
        and vectorizer.stop_words is None and vectorizer.norm in ("l2", None) and vectorizer.use_idf
        and not callable(vectorizer.analyzer)
    )
    if not plain:
        return False
    low, high = vectorizer.ngram_range
    if vectorizer.analyzer == "char_wb":
        # a padded word has at least 3 characters; scikit-learn emits a shorter word whole
        # as an n-gram of a larger n, which the windows here do not reproduce
        return 1 <= low <= min(high, 3)
    if vectorizer.analyzer == "word":
        return vectorizer.token_pattern == _SKLEARN_WORD_PATTERN and low >= 1 and high <= 2
    return False


class FastTfidf:
    """``FastTfidf(vectorizer).transform(texts)`` equals ``vectorizer.transform(texts)``
    (to float32 rounding) for the settings the router uses; see the module docstring."""

    def __init__(self, vectorizer) -> None:
        self.vectorizer = vectorizer
        self.fast = _supported(vectorizer)
        if not self.fast:
            return
        self.analyzer = vectorizer.analyzer
        self.ngram_range = vectorizer.ngram_range
        self.n_features = len(vectorizer.vocabulary_)
        self.dtype = vectorizer.dtype
        self.idf = np.asarray(vectorizer.idf_, dtype=self.dtype)
        self.sublinear = vectorizer.sublinear_tf
        self.norm = vectorizer.norm
        if self.analyzer == "char_wb":
            self._index_char_vocabulary(vectorizer.vocabulary_)
        else:
            self._index_word_vocabulary(vectorizer.vocabulary_)

    # ------------------------------------------------------------------ vocabularies

    def _index_char_vocabulary(self, vocabulary: dict[str, int]) -> None:
        self._char_tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        by_length: dict[int, list[tuple[str, int]]] = {}
        for term, column in vocabulary.items():
            by_length.setdefault(len(term), []).append((term, column))
        for n, items in by_length.items():
            terms = "".join(term for term, _ in items)
            codes = _codepoints(terms).reshape(len(items), n)
            hashes = codes[:, 0].copy()
            with np.errstate(over="ignore"):
                for k in range(1, n):
                    hashes = hashes * _P + codes[:, k]
            columns = np.fromiter((column for _, column in items), dtype=np.int64, count=len(items))
            order = np.argsort(hashes, kind="stable")
            self._char_tables[n] = (hashes[order], columns[order])

    def _index_word_vocabulary(self, vocabulary: dict[str, int]) -> None:
        self._token_re = re.compile(self.vectorizer.token_pattern)
        # every token that occurs in the vocabulary, alone or in a bigram, gets an id
        ids: dict[str, int] = {}
        for term in vocabulary:
            for part in term.split(" "):
                ids.setdefault(part, len(ids))
        self._token_ids = ids
        self._unigram_columns = np.full(len(ids), -1, dtype=np.int64)
        base = max(len(ids), 1)
        keys, columns = [], []
        for term, column in vocabulary.items():
            parts = term.split(" ")
            if len(parts) == 1:
                self._unigram_columns[ids[term]] = column
            else:
                keys.append(ids[parts[0]] * base + ids[parts[1]])
                columns.append(column)
        keys_array = np.asarray(keys, dtype=np.int64)
        order = np.argsort(keys_array, kind="stable")
        self._pair_base = np.int64(base)
        self._pair_keys = keys_array[order]
        self._pair_columns = np.asarray(columns, dtype=np.int64)[order]

    # ------------------------------------------------------------------ transform

    def transform(self, texts: Sequence[str]):
        if not self.fast:
            return self.vectorizer.transform(texts)
        texts = list(texts)
        if len(texts) > _MAX_BATCH:
            return sp.vstack([self.transform(texts[i : i + _MAX_BATCH]) for i in range(0, len(texts), _MAX_BATCH)],
                             format="csr")
        if self.analyzer == "char_wb":
            rows, columns = self._char_features(texts)
        else:
            rows, columns = self._word_features(texts)
        return self._tfidf(rows, columns, len(texts))

    def _char_features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        words_per_text = [text.lower().split() for text in texts]
        words = list(chain.from_iterable(words_per_text))
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        word_text = np.repeat(np.arange(len(texts)), np.fromiter(map(len, words_per_text), dtype=np.int64,
                                                                  count=len(texts)))
        padded = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        codes = _codepoints(" " + "  ".join(words) + " ")
        word_of = np.repeat(np.arange(len(words)), padded)
        low, high = self.ngram_range
        rows, columns = [], []
        hashes = None
        for n in range(1, high + 1):
            hashes = _window_hashes(codes, n, hashes)
            if n < low or n not in self._char_tables:
                continue
            # a window [i, i+n) is an n-gram of scikit-learn's char_wb when it stays in one padded word
            starts = np.flatnonzero(word_of[: len(word_of) - n + 1] == word_of[n - 1 :])
            if not len(starts):
                break
            keys = hashes[starts]
            table, table_columns = self._char_tables[n]
            where = np.searchsorted(table, keys)
            np.minimum(where, len(table) - 1, out=where)
            hit = table[where] == keys
            rows.append(word_text[word_of[starts[hit]]])
            columns.append(table_columns[where[hit]])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(columns)

    def _word_features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        findall = self._token_re.findall
        tokens_per_text = [findall(text.lower()) for text in texts]
        lengths = np.fromiter(map(len, tokens_per_text), dtype=np.int64, count=len(texts))
        get = self._token_ids.get
        ids = np.fromiter((get(token, -1) for token in chain.from_iterable(tokens_per_text)), dtype=np.int64,
                          count=int(lengths.sum()))
        text_of = np.repeat(np.arange(len(texts)), lengths)
        rows, columns = [], []
        low, high = self.ngram_range
        if low <= 1 and len(ids):
            known = ids >= 0
            unigram = np.full(len(ids), -1, dtype=np.int64)
            unigram[known] = self._unigram_columns[ids[known]]
            hit = unigram >= 0
            rows.append(text_of[hit])
            columns.append(unigram[hit])
        if high >= 2 and len(ids) > 1 and len(self._pair_keys):
            same_text = text_of[:-1] == text_of[1:]
            both = same_text & (ids[:-1] >= 0) & (ids[1:] >= 0)
            first = np.flatnonzero(both)
            keys = ids[first] * self._pair_base + ids[first + 1]
            where = np.searchsorted(self._pair_keys, keys)
            np.minimum(where, len(self._pair_keys) - 1, out=where)
            hit = self._pair_keys[where] == keys
            rows.append(text_of[first[hit]])
            columns.append(self._pair_columns[where[hit]])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(columns)

    def _tfidf(self, rows: np.ndarray, columns: np.ndarray, n_texts: int):
        counts = sp.csr_matrix((np.ones(len(rows), dtype=self.dtype), (rows, columns)),
                               shape=(n_texts, self.n_features), dtype=self.dtype)
        counts.sum_duplicates()
        data = counts.data
        if self.sublinear:
            np.log(data, out=data)
            data += 1.0
        data *= self.idf[counts.indices]
        if self.norm == "l2":
            normalize(counts, norm="l2", copy=False)
        return counts
