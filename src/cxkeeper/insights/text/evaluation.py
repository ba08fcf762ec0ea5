"""Measure routing quality on labelled data: the engine behind ``cxkeeper route evaluate``.

A keeper evaluates a router the way it will be used: trained on a few examples per step
(``shots``), tested on real messages, some of which belong to no step at all (the
``out_of_scope_label``). Accuracy and macro-F1 are computed on in-scope messages with the top
step (threshold ignored, the figure comparable with published results); ``unrouted_rate`` is
the share of in-scope messages the threshold sends to the unrouted bucket and
``oos_unrouted_rate`` the share of out-of-scope messages correctly left unrouted.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score

from .router import StepRouter

__all__ = [
    "LabeledFileError",
    "evaluate",
    "expected_calibration_error",
    "load_labeled_file",
    "main_evaluate",
    "sample_shots",
]

Label = Hashable

_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}


class LabeledFileError(ValueError):
    """Bad input in a labelled file; the message names the file, the line and the column."""


def load_labeled_file(
    path: str | Path, text_column: str = "text", label_column: str = "label"
) -> tuple[list[str], list[Label]]:
    """Read ``(texts, labels)`` from a CSV/TSV file with a header row or from JSON Lines.

    Every row must have a non-empty text and label. CSV labels are strings; JSONL labels keep
    their JSON type (a step id ``12`` stays an int). Line numbers in errors are 1-based
    physical lines, so an editor jumps straight to the problem.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise LabeledFileError(f"{path}: no such file")
    if suffix in _CSV_SUFFIXES:
        return _load_csv(path, _CSV_SUFFIXES[suffix], text_column, label_column)
    if suffix in _JSONL_SUFFIXES:
        return _load_jsonl(path, text_column, label_column)
    raise LabeledFileError(f"{path}: unsupported file type {suffix!r}; use .csv, .tsv, .jsonl or .ndjson")


def _load_csv(path: Path, delimiter: str, text_column: str, label_column: str) -> tuple[list[str], list[Label]]:
    texts: list[str] = []
    labels: list[Label] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = reader.fieldnames or []
        for column in (text_column, label_column):
            if column not in header:
                columns = ", ".join(header) or "none"
                raise LabeledFileError(f"{path}, line 1: no column {column!r} in the header (columns: {columns})")
        try:
            for row in reader:
                # reader.line_num is the physical line where this record ended (multi-line quotes).
                line = reader.line_num
                text, label = row.get(text_column), row.get(label_column)
                if text is None or label is None:
                    raise LabeledFileError(f"{path}, line {line}: row has fewer fields than the header")
                _require(path, line, text_column, text)
                _require(path, line, label_column, label)
                texts.append(text.strip())
                labels.append(label.strip())
        except csv.Error as error:
            raise LabeledFileError(f"{path}, line {reader.line_num}: malformed CSV: {error}") from error
        except UnicodeDecodeError as error:
            raise LabeledFileError(f"{path}: not UTF-8 text ({error})") from error
    return texts, labels


def _load_jsonl(path: Path, text_column: str, label_column: str) -> tuple[list[str], list[Label]]:
    texts: list[str] = []
    labels: list[Label] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as error:
        raise LabeledFileError(f"{path}: not UTF-8 text ({error})") from error
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise LabeledFileError(
                f"{path}, line {line_number}, character {error.colno}: invalid JSON: {error.msg}"
            ) from error
        if not isinstance(record, dict):
            raise LabeledFileError(f"{path}, line {line_number}: expected a JSON object, got {type(record).__name__}")
        for column in (text_column, label_column):
            if column not in record:
                raise LabeledFileError(f"{path}, line {line_number}: missing column {column!r}")
        text, label = record[text_column], record[label_column]
        if not isinstance(text, str):
            raise LabeledFileError(f"{path}, line {line_number}, column {text_column!r}: text must be a string")
        if isinstance(label, bool) or not isinstance(label, str | int):
            raise LabeledFileError(
                f"{path}, line {line_number}, column {label_column!r}: label must be a string or an integer"
            )
        _require(path, line_number, text_column, text)
        _require(path, line_number, label_column, label)
        texts.append(text.strip())
        labels.append(label.strip() if isinstance(label, str) else label)
    return texts, labels


def _require(path: Path, line: int, column: str, value: Any) -> None:
    if isinstance(value, str) and not value.strip():
        raise LabeledFileError(f"{path}, line {line}, column {column!r}: empty value")


def sample_shots(
    texts: Sequence[str], labels: Sequence[Label], shots: int, seed: int = 0
) -> tuple[list[str], list[Label]]:
    """``shots`` examples per label drawn with ``seed`` (all of them when a label has fewer).

    Labels are visited in a fixed order and each label's examples shuffled by one seeded
    generator, so the same files, shots and seed always give the same training set.
    """
    if shots < 1:
        raise ValueError(f"shots must be at least 1, got {shots}")
    by_label: dict[Label, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        by_label.setdefault(label, []).append(text)
    rng = random.Random(seed)
    sampled_texts: list[str] = []
    sampled_labels: list[Label] = []
    for label in sorted(by_label, key=lambda value: (type(value).__name__, str(value))):
        examples = list(by_label[label])
        rng.shuffle(examples)
        chosen = examples[:shots]
        sampled_texts += chosen
        sampled_labels += [label] * len(chosen)
    return sampled_texts, sampled_labels


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by bin size.

    0 means "70% confident" is right 70% of the time, which is what makes a fixed unrouted
    threshold meaningful across journeys of different sizes.
    """
    if not confidences:
        return 0.0
    total, error = len(confidences), 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [
            (c, ok) for c, ok in zip(confidences, correct, strict=True) if low < c <= high or (b == 0 and c == 0)
        ]
        if members:
            accuracy = sum(ok for _, ok in members) / len(members)
            confidence = sum(c for c, _ in members) / len(members)
            error += len(members) / total * abs(accuracy - confidence)
    return error


def evaluate(
    train_texts: Sequence[str],
    train_labels: Sequence[Label],
    test_texts: Sequence[str],
    test_labels: Sequence[Label],
    shots: int | None = None,
    seed: int = 0,
    out_of_scope_label: Label | None = None,
    router: StepRouter | None = None,
    **router_options: Any,
) -> dict[str, Any]:
    """Train a router (``router`` or ``StepRouter(**router_options)``) and measure it.

    Training examples carrying ``out_of_scope_label`` are dropped (out of scope is not a step);
    test examples carrying it are scored only by ``oos_unrouted_rate``.
    """
    train = [(t, lab) for t, lab in zip(train_texts, train_labels, strict=True) if lab != out_of_scope_label]
    if not train:
        raise ValueError("no in-scope training examples")
    texts, labels = [t for t, _ in train], [lab for _, lab in train]
    if shots is not None:
        texts, labels = sample_shots(texts, labels, shots, seed)
    test = list(zip(test_texts, test_labels, strict=True))
    in_scope = [(t, lab) for t, lab in test if out_of_scope_label is None or lab != out_of_scope_label]
    out_of_scope = [t for t, lab in test if out_of_scope_label is not None and lab == out_of_scope_label]
    if not in_scope:
        raise ValueError("no in-scope test examples")

    router = router or StepRouter(**router_options)
    started = time.perf_counter()
    router.fit(texts, labels)
    train_seconds = time.perf_counter() - started

    all_test_texts = [t for t, _ in in_scope] + out_of_scope
    started = time.perf_counter()
    results = router.route(all_test_texts)
    route_seconds = time.perf_counter() - started

    expected = [lab for _, lab in in_scope]
    in_scope_results = results[: len(in_scope)]
    predicted = [result.top[0][0] for result in in_scope_results]
    # f1_score needs one comparable label type; str() keeps int and str step ids apart enough.
    macro_f1 = f1_score([str(v) for v in expected], [str(v) for v in predicted], average="macro", zero_division=0)
    report: dict[str, Any] = {
        "accuracy": sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected),
        "macro_f1": float(macro_f1),
        "unrouted_rate": sum(r.label is None for r in in_scope_results) / len(in_scope_results),
        "routed_accuracy": sum(r.label == e for r, e in zip(in_scope_results, expected, strict=True)) / len(expected),
        "calibration_error": expected_calibration_error(
            [r.confidence for r in in_scope_results],
            [e == p for e, p in zip(expected, predicted, strict=True)],
        ),
        "messages_per_second": len(all_test_texts) / route_seconds if route_seconds > 0 else float("inf"),
        "train_seconds": train_seconds,
        "n_train": len(texts),
        "n_test": len(all_test_texts),
        "n_labels": len(router.classes_),
        "threshold": router.threshold,
        "temperature": router.temperature,
        "backend": router.backend,
        "shots": shots,
        "seed": seed,
    }
    if out_of_scope:
        oos_results = results[len(in_scope) :]
        report["n_oos"] = len(out_of_scope)
        report["oos_unrouted_rate"] = sum(r.label is None for r in oos_results) / len(oos_results)
    return report


def main_evaluate(
    train: str | Path,
    test: str | Path,
    text_column: str = "text",
    label_column: str = "label",
    shots: int | None = None,
    seed: int = 0,
    out_of_scope_label: Label | None = None,
    backend: str = "wordllama",
    threshold: float | None = None,
) -> dict[str, Any]:
    """``cxkeeper route evaluate --train FILE --test FILE ...``: load both files, evaluate, return
    the report (the CLI prints it as a table, or as-is with ``--json``)."""
    train_texts, train_labels = load_labeled_file(train, text_column, label_column)
    test_texts, test_labels = load_labeled_file(test, text_column, label_column)
    options: dict[str, Any] = {"backend": backend}
    if threshold is not None:
        options["threshold"] = threshold
    report = evaluate(
        train_texts,
        train_labels,
        test_texts,
        test_labels,
        shots=shots,
        seed=seed,
        out_of_scope_label=out_of_scope_label,
        **options,
    )
    return {"train_file": str(train), "test_file": str(test), **report}
