"""Comparing a stored figure with the same figure computed afresh (`core.figures`): both are
turned into plain nested tuples — dataclasses and objects by their attributes, model instances
by their concrete field values, numbers exactly — so "identical" means identical to the bit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math

from django.db import models


def canonical(value, _depth: int = 0):
    if _depth > 40:
        raise ValueError("figure too deep to compare")
    deeper = _depth + 1
    if value is None or isinstance(value, bool | int | str | bytes):
        return value
    if isinstance(value, float):
        return "nan" if math.isnan(value) else value.hex()
    if isinstance(value, dt.date | dt.datetime | dt.timedelta):
        return repr(value)
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk,
                tuple((f.attname, canonical(getattr(value, f.attname), deeper)) for f in value._meta.concrete_fields))
    if isinstance(value, dict):
        return ("dict", tuple((canonical(k, deeper), canonical(v, deeper)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(canonical(v, deeper) for v in value))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(repr(canonical(v, deeper)) for v in value)))
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, tuple((f.name, canonical(getattr(value, f.name), deeper))
                                            for f in dataclasses.fields(value)))
    if hasattr(value, "__dict__"):
        return (type(value).__name__, tuple((k, canonical(v, deeper)) for k, v in sorted(vars(value).items())
                                            if not k.startswith("_")))
    if hasattr(value, "_asdict"):
        return canonical(value._asdict(), deeper)
    return (type(value).__name__, repr(value))


def fingerprint(value) -> str:
    """A short digest of `canonical(value)`, for comparing figures across processes."""
    return hashlib.sha256(repr(canonical(value)).encode()).hexdigest()[:16]


def differences(a, b, path: str = "", found: list | None = None, limit: int = 5) -> list[tuple]:
    """Where two canonical values differ: (path, left, right), at most `limit`, for a message."""
    found = [] if found is None else found
    if len(found) >= limit:
        return found
    if type(a) is not type(b) or not isinstance(a, tuple):
        if a != b:
            found.append((path, repr(a)[:200], repr(b)[:200]))
        return found
    if len(a) != len(b):
        found.append((f"{path} (length)", len(a), len(b)))
        return found
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        label = x[0] if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) else i
        differences(x, y, f"{path}/{label}", found, limit)
    return found
