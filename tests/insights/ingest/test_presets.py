"""Qualtrics and Zendesk presets found without a mapping."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from cxkeeper.insights.ingest import CanonicalRow, convert, detect_mapping, iter_records, preview

FIXTURES = Path(__file__).parent / "fixtures"


def test_qualtrics_export_found_without_a_mapping():
    stream = iter_records(FIXTURES / "qualtrics_export.csv", "qualtrics")
    assert stream.header_rows == 3
    assert stream.meta["variant"] == "qualtrics"
    mapping = detect_mapping(stream)
    assert mapping.external_id == "ResponseId"
    assert mapping.received_at == "RecordedDate"
    assert mapping.timezone == "America/Denver"  # from {"ImportId":"recordedDate","timeZone":...}
    assert mapping.text_columns == ["Q4", "Q5"]  # ImportIds QID4_TEXT, QID5_TEXT
    assert (mapping.nps, mapping.csat, mapping.ces) == ("Q1", "Q2", "Q3")  # from the question texts
    assert mapping.channel == "DistributionChannel" and mapping.default_channel == "survey"
    assert mapping.customer_id == "ExternalReference"
    rows = list(convert(stream, mapping))
    assert len(rows) == 20 and all(isinstance(r, CanonicalRow) for r in rows)
    first = rows[0]
    assert first.row_number == 4  # data starts on the 4th line
    assert first.external_id.startswith("R_") and first.nps == 10 and first.csat == 5 and first.ces == 7
    assert first.received_at == datetime(2024, 3, 1, 8, 3, 1, tzinfo=ZoneInfo("America/Denver")).astimezone(UTC)
    assert first.channel == "anonymous"
    both = rows[1]
    assert both.text == ("Speeds drop every evening around 8pm.\n\n"
                         "Please fix the evening slowdowns, I work from home.")
    assert both.customer_id == "CUST-1001" and both.channel == "email"
    assert rows[4].text == "" and rows[4].nps == 8  # score only
    assert rows[5].text.startswith("Took three calls to get my line activated.\nEach time")
    assert rows[17].text == "No comment on the score, but the bill PDF is hard to read."


def test_qualtrics_preview_reports_detection_notes():
    result = preview(FIXTURES / "qualtrics_export.csv", "qualtrics", n=5)
    assert result.problem is None and len(result.rows) == 5 and result.errors == []
    assert any("NPS from Q1 (How likely are you to recommend" in note for note in result.mapping.notes)
    assert result.to_dict()["rows"][0]["row_number"] == 4


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def test_qualtrics_legacy_two_header_rows(tmp_path):
    path = tmp_path / "legacy.csv"
    _write(path, [
        ["V1", "V2", "V8", "V9", "V10", "Q1", "Q2", "Q3"],
        ["ResponseID", "ResponseSet", "StartDate", "EndDate", "Finished",
         "On a scale from 0-10, how likely are you to recommend us to a friend?",
         "How easy was it to find what you needed?",
         "Please tell us why you gave that score."],
        ["R_abcdefgh12", "Default Response Set", "2023-05-01 09:00:00", "2023-05-01 09:04:10", "1", "8", "6",
         "Good, but slow delivery"],
        ["R_abcdefgh13", "Default Response Set", "2023-05-02 10:00:00", "2023-05-02 10:02:00", "1", "2", "2", ""],
    ])
    stream = iter_records(path, "qualtrics")
    assert stream.header_rows == 2 and stream.meta["variant"] == "qualtrics-legacy"
    assert stream.columns[:5] == ["ResponseID", "ResponseSet", "StartDate", "EndDate", "Finished"]
    mapping = detect_mapping(stream)
    assert (mapping.external_id, mapping.received_at, mapping.nps, mapping.ces) == ("ResponseID", "EndDate", "Q1",
                                                                                    "Q2")
    assert mapping.text_columns == ["Q3"]  # open-ended question text
    rows = list(convert(stream, mapping))
    assert [r.row_number for r in rows] == [3, 4]
    assert rows[0].text == "Good, but slow delivery" and rows[0].channel == "survey"
    assert rows[0].received_at == datetime(2023, 5, 1, 9, 4, 10, tzinfo=UTC)


def test_qualtrics_xlsx_export(tmp_path):
    path = tmp_path / "survey.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["RecordedDate", "ResponseId", "DistributionChannel", "Q1", "Q2"])
    ws.append(["Recorded Date", "Response ID", "Distribution Channel", "How satisfied are you with our app?",
               "Anything else?"])
    ws.append(['{"ImportId":"recordedDate","timeZone":"UTC"}', '{"ImportId":"_recordId"}',
               '{"ImportId":"distributionChannel"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2_TEXT"}'])
    ws.append([datetime(2024, 1, 5, 8, 0), "R_zzzzzzzzz1", "email", "Very satisfied", "Love it"])
    ws.append([datetime(2024, 1, 5, 9, 0), "R_zzzzzzzzz2", "", 2, None])
    wb.save(path)
    stream = iter_records(path, "qualtrics")
    mapping = detect_mapping(stream)
    assert mapping.csat == "Q1" and mapping.text_columns == ["Q2"]
    rows = list(convert(stream, mapping))
    assert [(r.row_number, r.csat, r.text, r.channel) for r in rows] == [(4, 5, "Love it", "email"),
                                                                          (5, 2, "", "survey")]


def test_zendesk_export_found_without_a_mapping():
    stream = iter_records(FIXTURES / "zendesk_export.csv", "zendesk")
    mapping = detect_mapping(stream)
    assert (mapping.external_id, mapping.received_at, mapping.channel, mapping.customer_id, mapping.csat) == \
        ("Id", "Created at", "Via", "Requester email", "Satisfaction Score")
    assert mapping.text_columns == ["Subject", "Description"] and mapping.csat_max == 2
    rows = list(convert(stream, mapping))
    assert len(rows) == 12 and all(isinstance(r, CanonicalRow) for r in rows)
    by_id = {r.external_id: r for r in rows}
    first = by_id["40100"]
    assert first.text == "Router not connecting\n\nSince this morning the router light is red.\nI restarted it twice."
    assert first.received_at == datetime(2024, 3, 4, 8, 0, 33, tzinfo=UTC)  # +0100 offset honoured
    assert first.channel == "web form" and first.customer_id == "ada.ng@example.com"
    assert [(r.csat, r.csat_max) for r in rows[:4]] == [(2, 2), (1, 2), (None, None), (1, 2)]  # good/bad/offered
    assert by_id["40105"].csat is None  # unoffered
    assert {r.external_id for r in rows if r.event_type == "complaint"} == {"40101", "40103", "40106"}
    assert by_id["40111"].channel == "support"  # empty Via → preset default


def test_zendesk_jsonl_with_tag_lists(tmp_path):
    path = tmp_path / "tickets.jsonl"
    path.write_text('{"id": 7, "created_at": "2024-02-01T10:00:00Z", "subject": "Bad", "description": "Awful",'
                    ' "via": "email", "tags": ["vip", "Complaint"], "satisfaction_score": "bad"}\n', encoding="utf-8")
    rows = list(convert(s := iter_records(path, "zendesk"), detect_mapping(s)))
    assert (rows[0].external_id, rows[0].text, rows[0].event_type, rows[0].csat) == ("7", "Bad\n\nAwful",
                                                                                    "complaint", 1)


def test_zendesk_variant_column_names(tmp_path):
    path = tmp_path / "tickets.csv"
    _write(path, [
        ["Ticket ID", "Subject", "Comment", "Channel", "Requester", "Created at", "Satisfaction Score", "Tags",
         "Type"],
        ["9001", "Late engineer", "Nobody came.", "Phone", "Kim Lee", "2024-05-01T08:00:00Z",
         "Bad, I'm unsatisfied", "complaint", "incident"],
    ])
    stream = iter_records(path, "zendesk")
    mapping = detect_mapping(stream)
    assert (mapping.external_id, mapping.channel, mapping.customer_id, mapping.text_columns) == \
        ("Ticket ID", "Channel", "Requester", ["Subject", "Comment"])
    assert mapping.event_type is None  # the ticket Type (incident/question …) is not an event type
    [row] = list(convert(stream, mapping))
    assert (row.csat, row.csat_max, row.event_type, row.channel) == (1, 2, "complaint", "phone")
