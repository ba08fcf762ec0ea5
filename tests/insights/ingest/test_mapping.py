"""Mapping detection, mapping files, required columns and the preview."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cxkeeper.insights.ingest import (
    ImportFileError,
    Mapping,
    MappingError,
    convert,
    detect_mapping,
    iter_records,
    load_mapping,
    preview,
    save_mapping,
)


@pytest.mark.parametrize(("column", "field"), [
    ("id", "external_id"), ("Response ID", "external_id"), ("ticket_id", "external_id"), ("ReviewId", "external_id"),
    ("date", "received_at"), ("Created at", "received_at"), ("SUBMITTED", "received_at"),
    ("timestamp", "received_at"), ("Recorded Date", "received_at"), ("created_at", "received_at"),
    ("comment", "text"), ("Feedback", "text"), ("review", "text"), ("Verbatim", "text"), ("body", "text"),
    ("message", "text"), ("Text", "text"), ("Customer comment", "text"),
    ("NPS", "nps"), ("Likelihood to recommend", "nps"), ("recommend_score", "nps"), ("NPS (0-10)", "nps"),
    ("CSAT", "csat"), ("Satisfaction", "csat"), ("satisfaction_score", "csat"), ("stars", "csat"),
    ("CES", "ces"), ("Effort", "ces"), ("customer effort score", "ces"),
    ("channel", "channel"), ("Source", "channel"), ("via", "channel"),
    ("customer", "customer_id"), ("Customer ID", "customer_id"), ("email", "customer_id"),
    ("account", "customer_id"), ("Requester email", "customer_id"),
    ("segment", "segment"), ("Plan", "segment"), ("persona", "segment"), ("tier", "segment"),
    ("event", "event_type"), ("Event Type", "event_type"), ("step", "step"), ("Journey step", "step"),
])
def test_detection_table(column, field):
    mapping = detect_mapping([column])
    assert getattr(mapping, field) == column, mapping.fields


def test_detection_of_a_whole_header_uses_each_column_once():
    columns = ["Ticket ID", "Customer ID", "Created at", "Updated at", "Comment", "NPS", "Plan", "Source", "Type"]
    mapping = detect_mapping(columns)
    assert mapping.fields == {"external_id": "Ticket ID", "received_at": "Created at", "channel": "Source",
                              "customer_id": "Customer ID", "segment": "Plan", "text": "Comment", "nps": "NPS"}
    assert detect_mapping(["Services", "Process"]).fields == {}  # no accidental 'ces' matches


def test_mapping_file_round_trip_yaml_and_json(tmp_path):
    mapping = Mapping(external_id="Ticket", received_at="When", text_columns=["Subject", "Body"], csat="Sat",
                      csat_max=2, default_channel="email", dayfirst=True, timezone="Europe/Paris",
                      metrics={"aht": "Handle time"}, value_maps={"csat": {"good": 2, "offered": None}},
                      format="csv")
    for name in ("source.yaml", "source.json"):
        path = save_mapping(mapping, tmp_path / name)
        assert load_mapping(path) == mapping
    yaml_text = (tmp_path / "source.yaml").read_text(encoding="utf-8")
    assert yaml_text.startswith("external_id: Ticket\nreceived_at: When\n")
    assert json.loads((tmp_path / "source.json").read_text(encoding="utf-8"))["dayfirst"] is True


def test_mapping_file_text_list_is_text_columns(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text("received_at: d\ntext: [a, b]\ndefault_channel: web\n", encoding="utf-8")
    assert load_mapping(path).text_columns == ["a", "b"]


@pytest.mark.parametrize(("content", "message"), [
    ("nsp: Score\n", "m.yaml: unknown key 'nsp'; allowed keys: external_id, received_at, channel"),
    ("csat_max: five\n", "m.yaml: 'csat_max' must be a whole number from 2 to 100, not 'five'"),
    ("dayfirst: maybe\n", "m.yaml: 'dayfirst' must be true or false, not 'maybe'"),
    ("timezone: Mars/Olympus\n", "m.yaml: 'timezone' must be an IANA time zone name"),
    ("nps: [a, b]\n", "m.yaml: 'nps' must be a column name"),
    ("metrics: [a]\n", "m.yaml: 'metrics' must be a set of 'metric name: column' pairs"),
    ("value_maps: {nope: {a: 1}}\n", "m.yaml: value_maps for unknown field 'nope'"),
    ("format: docx\n", "m.yaml: unknown format 'docx'"),
    ("- a\n- b\n", "m.yaml: a mapping must be a set of 'key: value' lines"),
    ("", "m.yaml: the mapping file is empty"),
    ("nps: [a\n", "m.yaml: not valid YAML"),
])
def test_mapping_file_errors(tmp_path, content, message):
    path = tmp_path / "m.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(message)


def test_mapping_file_unknown_key_lists_allowed_keys_json(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"received_at": "d", "colour": "x"}', encoding="utf-8")
    with pytest.raises(MappingError, match=r"unknown key 'colour'; allowed keys: .*text_columns, metrics, csat_max"):
        load_mapping(path)
    with pytest.raises(MappingError, match="cannot read the mapping file"):
        load_mapping(tmp_path / "absent.yaml")


def _csv(tmp_path, header, *rows):
    path = tmp_path / "feedback.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_missing_required_column_names_the_columns_found(tmp_path):
    path = _csv(tmp_path, "id,comment,channel", "1,hi,web")
    stream = iter_records(path)
    with pytest.raises(ImportFileError) as caught:
        convert(stream, detect_mapping(stream))
    message = str(caught.value)
    assert message.startswith("feedback.csv: missing required column(s): no column for received_at")
    assert "Columns found: 'id', 'comment', 'channel'." in message
    assert caught.value.columns == ["id", "comment", "channel"]


def test_mapping_naming_absent_columns_and_no_channel_or_content(tmp_path):
    path = _csv(tmp_path, "id,date,comment", "1,2024-01-01,hi")
    with pytest.raises(ImportFileError, match=r"not in the file: 'Score' \(nps\)\. Columns found: 'id', 'date'"):
        convert(iter_records(path), Mapping(received_at="date", nps="Score", default_channel="web"))
    with pytest.raises(ImportFileError, match="no column for channel and no default channel"):
        convert(iter_records(path), Mapping(received_at="date", text="comment"))
    with pytest.raises(ImportFileError, match="no feedback content column"):
        convert(iter_records(path), Mapping(received_at="date", default_channel="web"))


def test_mapping_columns_match_ignoring_case_and_spacing(tmp_path):
    path = _csv(tmp_path, "Ticket ID,Created At,Comment", "7,2024-01-01,hi")
    mapping = Mapping(external_id="ticket_id", received_at="created at", text="COMMENT", default_channel="web")
    [row] = list(convert(iter_records(path), mapping))
    assert (row.external_id, row.text) == ("7", "hi")


def test_preview_shows_rows_errors_and_raw_records(tmp_path):
    path = _csv(tmp_path, "id,date,comment,nps,channel", *(f"{i},2024-01-0{1 + i % 9},text {i},{i},web"
                                                           for i in range(8, 20)))
    result = preview(path, n=5)
    assert result.columns == ["id", "date", "comment", "nps", "channel"]
    assert result.mapping.nps == "nps" and result.problem is None
    assert [r.external_id for r in result.rows] == ["8", "9", "10"]
    assert [e.message for e in result.errors] == ["row 5, column 'nps': '11' is not a whole number from 0 to 10",
                                                  "row 6, column 'nps': '12' is not a whole number from 0 to 10"]
    assert len(result.records) == 5
    assert json.dumps(result.to_dict())  # serializable for the web page


def test_preview_reports_an_unusable_mapping_instead_of_raising(tmp_path):
    path = _csv(tmp_path, "a,b", "1,2")
    result = preview(path)
    assert result.rows == [] and result.records == [(2, {"a": "1", "b": "2"})]
    assert "no column for received_at" in result.problem


def test_the_package_has_no_django_imports():
    code = "import sys, cxkeeper.insights.ingest as m; m.preview; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
