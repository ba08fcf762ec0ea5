"""Helpers for the cross-reference checks every section runs on what it read."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cxkeeper.workspace.writing import by_name
from cxkeeper.workspace.yaml_io import WorkspaceFileError


def listed(names: Iterable[str]) -> str:
    """"a, b, c" (at most twelve) for an error message, or "none"."""
    names = sorted(set(names), key=by_name)
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return shown or "none"


def check_unique(doc, items: Iterable, key: Callable, what: str, where: str = "") -> list[WorkspaceFileError]:
    """One error for every item whose `key` repeats an earlier one (empty keys are not compared)."""
    errors, first = [], {}
    for item in items:
        value = key(item)
        if not value:
            continue
        if value in first:
            errors.append(doc.error(item.path, f"duplicate {what} {value!r}{where} "
                                               f"(first at line {doc.lines.line(first[value])})"))
        else:
            first[value] = item.path
    return errors
