"""Clusters of similar messages for the review queue: one answer can then place a whole
cluster ("these 240 messages → Pay my first bill").

Two deterministic, bounded passes, no randomness:

1. **Same words** — texts equal after normalising (case, digits, punctuation, spacing) are
   one group: exports repeat the same complaint many times.
2. **Near-duplicates** — the distinct normalised texts of the largest groups (at most
   ``max_representatives``) as TF-IDF vectors of words and word pairs; two texts whose
   cosine similarity is at least ``threshold`` join one cluster (union–find over the sparse
   similarity, computed in row chunks so memory stays bounded).

A cluster is named by its smallest item id, so the same input always gives the same names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

NEAR_DUPLICATE = 0.8  # cosine similarity of TF-IDF vectors above which two texts are one cluster
MAX_REPRESENTATIVES = 8000  # distinct texts compared pairwise; the rest cluster by exact text only
_CHUNK = 500

_NON_WORD = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\d+")


def normalize(text: str) -> str:
    """The text as compared for "same words": case-folded, numbers as 0, punctuation as spaces."""
    return " ".join(_NON_WORD.sub(" ", _DIGITS.sub("0", (text or "").casefold())).split())


class _Union:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _near_duplicate_pairs(texts: Sequence[str], threshold: float, content=None):
    """Index pairs (i, j), i < j, of texts whose cosine similarity is ≥ threshold: of their
    ``content`` vectors (text.content) when given, else of TF-IDF vectors fitted on them."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if content is not None:
        vectors = content.transform(texts)
    else:
        try:
            vectors = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english",
                                      dtype=np.float32).fit_transform(texts)
        except ValueError:  # nothing but stop words
            return
    vectors = vectors.tocsr()
    transposed = vectors.T.tocsc()
    for start in range(0, vectors.shape[0], _CHUNK):
        similar = (vectors[start:start + _CHUNK] @ transposed).tocoo()
        keep = (similar.data >= threshold) & (similar.row + start < similar.col)
        yield from zip((similar.row[keep] + start).tolist(), similar.col[keep].tolist(), strict=True)


def cluster_texts(ids: Sequence[int], texts: Sequence[str], *, threshold: float = NEAR_DUPLICATE,
                  max_representatives: int = MAX_REPRESENTATIVES, content=None) -> dict[int, int]:
    """Each id → the id naming its cluster (the smallest member id). Ids are unique.
    ``content``: the router's content vectors (text.content), so that messages about the same
    thing join one cluster whatever their openers and sign-offs; without them, TF-IDF."""
    groups: dict[str, list[int]] = {}
    for item_id, text in zip(ids, texts, strict=True):
        groups.setdefault(normalize(text), []).append(item_id)
    keys = sorted(groups, key=lambda k: (-len(groups[k]), k))
    compared = [k for k in keys[:max_representatives] if k]
    union = _Union(len(keys))
    position = {k: i for i, k in enumerate(keys)}
    if len(compared) > 1:
        for i, j in _near_duplicate_pairs(compared, threshold, content):
            union.join(position[compared[i]], position[compared[j]])
    name: dict[int, int] = {}
    for key in keys:
        root = union.find(position[key])
        name[root] = min(name.get(root, min(groups[key])), min(groups[key]))
    return {item_id: name[union.find(position[key])] for key in keys for item_id in groups[key]}


def clusters_within(ids: Sequence[int], texts: Sequence[str], keys: Sequence[int], *,
                    threshold: float = NEAR_DUPLICATE,
                    max_representatives: int = MAX_REPRESENTATIVES, content=None) -> dict[int, int]:
    """Clusters of similar messages that also share a key (the step a message was routed to):
    `cluster_texts` over all of them, each cluster then split by key, so a cluster is a group of
    similar messages on one step ("the router is sure these 240 messages are about X"). Each
    id → the smallest id of its (cluster, key) group."""
    cluster_of = cluster_texts(ids, texts, threshold=threshold, max_representatives=max_representatives,
                               content=content)
    name: dict[tuple[int, int], int] = {}
    for item_id, key in zip(ids, keys, strict=True):
        group = (cluster_of[item_id], key)
        name[group] = min(name.get(group, item_id), item_id)
    return {item_id: name[(cluster_of[item_id], key)] for item_id, key in zip(ids, keys, strict=True)}
