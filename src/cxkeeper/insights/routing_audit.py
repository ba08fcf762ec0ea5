"""How well stored feedback is routed, against a file of the true steps (`cxkeeper route audit`).

The truth file is CSV (header row) or JSONL (one object a line) with an external id column
(``external_id``, or ``id``) and a true step column (``true_step``, or ``step``): a step's name or
id, or blank / ``none`` / ``off-topic`` for a message that belongs to no step. An optional
``source`` column picks the source when two sources share an external id.

Four figures, each with its n, over the truth rows found in the stored feedback:

* accuracy — on-topic messages placed at their true step / on-topic messages;
* precision — messages placed at their true step / messages placed at any step;
* unrouted rate — on-topic messages at no step / on-topic messages;
* off-topic handling — off-topic messages left at no step / off-topic messages.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from cxkeeper.core.errors import InvalidInput
from cxkeeper.insights.models import Feedback
from cxkeeper.journeys.models import Step

ID_COLUMNS = ("external_id", "id")
STEP_COLUMNS = ("true_step", "step")
NO_STEP = {"", "none", "off-topic", "off topic", "offtopic", "null"}
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class TruthRow:
    row: int
    external_id: str
    step_id: int | None  # None: off-topic
    source: str = ""


def _error(path: Path, row: int, column: str, message: str) -> InvalidInput:
    return InvalidInput({"truth": f"{path.name}, row {row}, column “{column}”: {message}"})


def _records(path: Path):
    """(row number, dict) pairs: CSV rows count the header as row 1, JSONL lines from 1."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInput({"truth": f"{path.name}, row {number}: not a JSON object ({exc.msg})"}) from None
                if not isinstance(value, dict):
                    raise InvalidInput({"truth": f"{path.name}, row {number}: not a JSON object"})
                yield number, {str(k): "" if v is None else str(v) for k, v in value.items()}
        return
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise InvalidInput({"truth": f"{path.name}: empty file, expected a header row"})
        header = [h.strip() for h in header]
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise InvalidInput({"truth": f"{path.name}, row {number}: {len(cells)} fields, the header has "
                                             f"{len(header)}"})
            yield number, dict(zip(header, cells, strict=True))


def _column(record: dict, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in record), None)


def read_truth(path: str | Path) -> list[TruthRow]:
    """Parse and check the whole file first: any bad row is an error naming file, row and column."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput({"truth": f"{path}: no such file"})
    by_name: dict[str, list[int]] = {}
    for pk, name in Step.objects.values_list("pk", "name"):
        by_name.setdefault(name.strip().casefold(), []).append(pk)
    ids = set(Step.objects.values_list("pk", flat=True))
    rows: list[TruthRow] = []
    for number, record in _records(path):
        if len(rows) >= MAX_ROWS:
            raise InvalidInput({"truth": f"{path.name}: more than {MAX_ROWS:,} rows; split the file"})
        id_column, step_column = _column(record, ID_COLUMNS), _column(record, STEP_COLUMNS)
        if id_column is None:
            raise _error(path, number, "external_id", "missing; give each message's external id")
        if step_column is None:
            raise _error(path, number, "true_step", "missing; give the step's name or id, or “none”")
        external_id = record[id_column].strip()
        if not external_id:
            raise _error(path, number, id_column, "empty external id")
        step_text = record[step_column].strip()
        step_id: int | None = None
        if step_text.casefold() not in NO_STEP:
            matches = by_name.get(step_text.casefold())
            if matches and len(matches) == 1:
                step_id = matches[0]
            elif matches:
                raise _error(path, number, step_column, f"“{step_text}” names {len(matches)} steps; use the step id")
            elif step_text.isdigit() and int(step_text) in ids:
                step_id = int(step_text)
            else:
                raise _error(path, number, step_column, f"“{step_text}” is not a step of this workspace")
        rows.append(TruthRow(number, external_id, step_id, record.get("source", "").strip()))
    return rows


def audit(truth: list[TruthRow]) -> dict:
    """The four figures (see the module docstring) for the truth rows found in stored feedback."""
    placed: dict[tuple[str, str], int | None] = {}
    by_id: dict[str, list[tuple[str, int | None]]] = {}
    wanted = list({row.external_id for row in truth})
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start:start + 5000]
        for external_id, source, step_id in (Feedback.objects.filter(external_id__in=chunk)
                                             .values_list("external_id", "source__name", "step_id")):
            placed[(external_id, source)] = step_id
            by_id.setdefault(external_id, []).append((source, step_id))
    on_topic = right = unrouted = routed = off_topic = off_unrouted = missing = ambiguous = 0
    for row in truth:
        if row.source:
            if (row.external_id, row.source) not in placed:
                missing += 1
                continue
            step_id = placed[(row.external_id, row.source)]
        else:
            found = by_id.get(row.external_id, [])
            if not found:
                missing += 1
                continue
            if len(found) > 1:
                ambiguous += 1
                continue
            step_id = found[0][1]
        routed += step_id is not None
        if row.step_id is None:
            off_topic += 1
            off_unrouted += step_id is None
        else:
            on_topic += 1
            right += step_id == row.step_id
            unrouted += step_id is None

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return {
        "accuracy": share(right, on_topic), "precision": share(right, routed),
        "unrouted_rate": share(unrouted, on_topic), "off_topic_unrouted": share(off_unrouted, off_topic),
        "n_on_topic": on_topic, "n_right": right, "n_routed": routed, "n_unrouted": unrouted,
        "n_off_topic": off_topic, "n_off_topic_unrouted": off_unrouted,
        "n_truth_rows": len(truth), "n_not_found": missing, "n_ambiguous": ambiguous,
    }
