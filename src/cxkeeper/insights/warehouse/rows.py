"""Routing one batch of warehouse rows exactly as a local import does, and the function Spark
runs on its executors. Kept light on purpose — no Ibis, no Django — because every Spark
Python worker imports this module before its first batch."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cxkeeper.insights.ingest.validate import cell_text
from cxkeeper.insights.text.batch import prepare_texts

MODEL_ROUTE = "model"  # RoutedBy.MODEL / RoutedBy.NONE, spelled here without Django
NO_ROUTE = ""


@dataclass
class TextModels:
    """What routing a row needs: the same objects a local import uses, picklable."""

    redactor: Any
    router: Any
    sentiment: Any
    live_steps: frozenset
    version: str  # router and sentiment model records, for messages and the broadcast cache

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)


def route_texts(ids: Sequence, texts: Sequence, models: TextModels, *, with_text: bool = False) -> dict[str, list]:
    """One batch routed and scored as a local import does it: columns id, step_id,
    step_confidence, routed_by, sentiment (and redacted_text when asked)."""
    prepared = prepare_texts([cell_text(t) for t in texts], redactor=models.redactor, router=models.router,
                             sentiment=models.sentiment)
    out: dict[str, list] = {"id": list(ids), "step_id": [], "step_confidence": [], "routed_by": [],
                            "sentiment": []}
    if with_text:
        out["redacted_text"] = []
    for done in prepared:
        step_id, confidence, routed_by = None, None, NO_ROUTE
        if done.routed:
            confidence = done.confidence
            if done.label is not None and done.label in models.live_steps:
                step_id, routed_by = int(done.label), MODEL_ROUTE
        out["step_id"].append(step_id)
        out["step_confidence"].append(None if confidence is None else float(confidence))
        out["routed_by"].append(routed_by)
        out["sentiment"].append(done.sentiment)
        if with_text:
            out["redacted_text"].append(done.text)
    return out


# The executors' copy of the models, unpickled once per Python worker and version.
_executor_models: dict[str, TextModels] = {}


def _models_on_executor(version: str, blob) -> TextModels:
    models = _executor_models.get(version)
    if models is None:
        _executor_models.clear()
        models = _executor_models[version] = pickle.loads(blob)  # noqa: S301 - our own broadcast
    return models


def spark_mapper(broadcast, version: str, with_text: bool):
    def route_partition(frames):
        import pandas as pd

        models = _models_on_executor(version, broadcast.value)
        for frame in frames:
            out = route_texts(frame["id"].tolist(), frame["text"].tolist(), models, with_text=with_text)
            result = pd.DataFrame(out)
            result["step_id"] = result["step_id"].astype("Int64")
            yield result

    return route_partition


