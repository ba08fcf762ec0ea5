"""One validation path: the same bad rows sent as a file and through the API batch are
rejected for the same reasons, naming the same fields."""

import csv
import json

import pytest
from django.test import Client

from cxkeeper.insights import pipeline
from cxkeeper.insights.actions import create_source
from cxkeeper.insights.models import Feedback
from cxkeeper.org.actions import create_api_token

ITEMS = [
    {"external_id": "G1", "received_at": "2026-05-01T10:00:00Z", "channel": "app", "text": "fine", "nps": 9},
    {"external_id": "B1", "received_at": "2026-05-01", "channel": "app", "text": "too high", "nps": 12},
    {"external_id": "B2", "received_at": "yesterday-ish", "channel": "app", "text": "bad date", "nps": 5},
    {"external_id": "", "received_at": "2026-05-01", "channel": "app", "text": "no id", "nps": 5},
    {"external_id": "B4", "received_at": "2026-05-01", "channel": "app", "text": "csat zero", "csat": 0},
    {"external_id": "B5", "received_at": "2026-05-01", "channel": "app", "text": "two problems", "ces": 8,
     "nps": "nine"},
    {"external_id": "B6", "received_at": "", "channel": "", "text": "no date, no channel", "nps": 5},
    {"external_id": "G2", "received_at": "03/04/2026 14:05", "channel": "Phone", "text": "ok", "nps": 3},
]
BROKEN = ['{"external_id": "B7", "received_at": ', "[1, 2]"]  # not JSON; not an object


def reasons(problems):
    return sorted((p["row"], p["column"] or "", p["reason"]) for p in problems)


def file_reasons(job):
    return reasons({"row": e.row, "column": e.column, "reason": e.reason} for e in job.row_errors.all())


def api(client, small_org, body, content_type):
    token = create_api_token(small_org.keeper, "t", acting_user=small_org.keeper)[1]
    response = client.post("/api/v1/imports/batch?source=API", body, content_type=content_type,
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def source(small_org):
    return create_source({"name": "File"}, acting_user=small_org.keeper)


def test_a_jsonl_file_and_an_ndjson_batch_reject_the_same_rows_for_the_same_reasons(tmp_path, source, small_org):
    lines = [json.dumps(item) for item in ITEMS] + BROKEN
    path = tmp_path / "feedback.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job = pipeline.import_file(path, source=source, acting_user=small_org.keeper)
    batch = api(Client(), small_org, "\n".join(lines) + "\n", "application/x-ndjson")

    from_file = file_reasons(job)
    assert reasons(batch["errors"]) == from_file
    assert (job.imported, job.rejected) == (batch["imported"], batch["rejected"]) == (2, 8)
    assert {column for _, column, _ in from_file} == {"nps", "received_at", "external_id", "csat", "ces", "channel",
                                                      ""}  # "": the unreadable lines
    by_row = {}
    for row, column, reason in from_file:
        by_row.setdefault(row, []).append((column, reason))
    assert by_row[2] == [("nps", "'12' is not a whole number from 0 to 10")]
    assert [c for c, _ in by_row[6]] == ["ces", "nps"]  # every problem of a row, not the first
    assert "not valid JSON" in by_row[9][0][1] and "found list" in by_row[10][0][1]
    stored = sorted(Feedback.objects.values_list("source__name", "external_id", "channel", "received_at"))
    assert [row[1:] for row in stored if row[0] == "File"] == [row[1:] for row in stored if row[0] == "API"]


def test_a_csv_file_and_a_json_batch_agree_too(tmp_path, source, small_org):
    path = tmp_path / "feedback.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["external_id", "received_at", "channel", "text", "nps", "csat",
                                                    "ces"])
        writer.writeheader()
        writer.writerows(ITEMS)
    job = pipeline.import_file(path, source=source, acting_user=small_org.keeper)
    batch = api(Client(), small_org, json.dumps(ITEMS), "application/json")
    # A CSV counts its header line, an array counts items from 1: the same rows, one apart.
    assert [(row - 1, column, reason) for row, column, reason in file_reasons(job)] == reasons(batch["errors"])
    assert (job.imported, job.rejected) == (batch["imported"], batch["rejected"]) == (2, 6)


def test_only_the_batch_refuses_a_field_it_does_not_know(small_org):
    batch = api(Client(), small_org, json.dumps([{**ITEMS[0], "colour": "red", "nps": 11}]), "application/json")
    assert reasons(batch["errors"]) == [
        (1, "colour", "unknown field 'colour'; the fields are external_id, received_at, channel, customer_id, "
                      "segment, nps, csat, ces, event_type, step, text"),
        (1, "nps", "'11' is not a whole number from 0 to 10")]
    assert batch["rejected"] == 1 and batch["imported"] == 0
