"""Validation: every kind of bad row, accepted value shapes, dates, ids and hashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cxkeeper.insights.ingest import (
    CanonicalRow,
    Mapping,
    RowError,
    convert,
    detect_mapping,
    iter_records,
    parse_datetime,
    to_canonical,
)

FIXTURES = Path(__file__).parent / "fixtures"
HINT = "(use e.g. 2024-03-31, 2024-03-31 14:05, 31/03/2024 or 03/31/2024)"


def test_bad_rows_fixture_gives_the_exact_error_for_every_row():
    stream = iter_records(FIXTURES / "bad_rows.csv")
    results = list(convert(stream, detect_mapping(stream)))
    good = {r.row_number: r for r in results if isinstance(r, CanonicalRow)}
    errors = [str(e) for r in results if isinstance(r, list) for e in r]
    assert errors == [
        "row 3, column 'id': an id is required but the cell is empty",
        f"row 4, column 'date': 'yesterday' is not a date and time I can read {HINT}",
        "row 5, column 'nps': '11' is not a whole number from 0 to 10",
        "row 6, column 'nps': 'nine' is not a whole number from 0 to 10",
        "row 7, column 'csat': '0' is not a whole number from 1 to 5",
        "row 8, column 'ces': '8' is not a whole number from 1 to 7",
        "row 9, column 'comment': the text is 20,001 characters long; the limit is 20,000",
        "row 11, column 'date': a date is required but the cell is empty",  # every problem of the row …
        "row 11, column 'nps': '9.5' is not a whole number from 0 to 10",
        "row 11, column 'ces': '0' is not a whole number from 1 to 7",
        "row 12, column 'channel': a channel is required but the cell is empty (and the source has no default "
        "channel)",
    ]
    assert sorted(good) == [2, 10, 13]
    assert good[10].external_id == good[2].external_id == "r1"  # duplicate id: not an error at this layer
    assert (good[10].nps, good[10].csat, good[10].ces) == (9, 5, 7)  # "9.0", " 5 "
    assert good[13].received_at == datetime(2024, 3, 31, 14, 5, tzinfo=UTC)  # 31 > 12 decides day-first
    error = next(r for r in results if isinstance(r, list) and r[0].row == 9)[0]
    assert error.file == "bad_rows.csv" and error.column == "comment" and len(error.value) == 200


MAPPING = Mapping(external_id="id", received_at="date", channel="ch", text="t", nps="nps", csat="csat", ces="ces")


def row(**values):
    record = {"id": "x", "date": "2024-03-01", "ch": "Email ", "t": "hi", **values}
    return to_canonical(record, 2, MAPPING, filename="f.csv")


@pytest.mark.parametrize("value", ["9", "9.0", 9, " 9 ", 9.0, "+9", "9,0"])
def test_scores_accept_whole_numbers_in_any_shape(value):
    assert row(nps=value).nps == 9


@pytest.mark.parametrize("value", ["", "  ", None])
def test_empty_scores_are_none(value):
    result = row(nps=value, csat=value, ces=value)
    assert (result.nps, result.csat, result.csat_max, result.ces) == (None, None, None, None)


@pytest.mark.parametrize("value", ["9.5", 9.5, "eleven", "-1", True, "1e1", "10/10"])
def test_bad_nps(value):
    [error] = row(nps=value)
    assert error.reason.endswith("is not a whole number from 0 to 10")


def test_csat_scale_is_declared():
    mapping = MAPPING.replace(csat_max=7)
    result = to_canonical({"id": "x", "date": "2024-03-01", "ch": "web", "csat": "7"}, 5, mapping, filename="f")
    assert (result.csat, result.csat_max) == (7, 7)
    [error] = to_canonical({"id": "x", "date": "2024-03-01", "ch": "web", "csat": "8"}, 5, mapping, filename="f")
    assert error.message == "row 5, column 'csat': '8' is not a whole number from 1 to 7"


def test_text_is_stripped_and_normalized_and_channel_lowercased():
    result = row(t="  first line\r\nsecond  \n")
    assert result.text == "first line\nsecond" and result.channel == "email"


def test_id_too_long_and_every_error_collected():
    result = row(id="x" * 201, date="2024-13-45", nps="x", csat="6", ces="0", t="y" * 20_001)
    assert [e.column for e in result] == ["id", "date", "t", "nps", "csat", "ces"]
    assert result[0].reason == "the id is 201 characters long; the limit is 200"


@pytest.mark.parametrize(("text", "dayfirst", "expected"), [
    ("2024-03-01T10:15:22Z", False, datetime(2024, 3, 1, 10, 15, 22)),
    ("2024-03-01T10:15:22.123+02:00", False, datetime(2024, 3, 1, 8, 15, 22, 123000)),
    ("2024-03-01 10:15", False, datetime(2024, 3, 1, 10, 15)),
    ("2024-03-01 10:15:22", False, datetime(2024, 3, 1, 10, 15, 22)),
    ("2024-03-01", False, datetime(2024, 3, 1)),
    ("2024-03-01 10:15:22 +0100", False, datetime(2024, 3, 1, 9, 15, 22)),
    ("2024-03-01 10:15:22 UTC", False, datetime(2024, 3, 1, 10, 15, 22)),
    ("03/04/2024", False, datetime(2024, 3, 4)),
    ("03/04/2024", True, datetime(2024, 4, 3)),
    ("25/12/2023 18:30", False, datetime(2023, 12, 25, 18, 30)),
    ("12/25/2023 6:30 PM", True, datetime(2023, 12, 25, 18, 30)),
    ("03.04.2024", True, datetime(2024, 4, 3)),
    ("3/4/24", False, datetime(2024, 3, 4)),
    ("2024/03/04 07:00", False, datetime(2024, 3, 4, 7, 0)),
    ("20240304", False, datetime(2024, 3, 4)),
    ("1709287200", False, datetime(2024, 3, 1, 10, 0)),
    ("1709287200000", False, datetime(2024, 3, 1, 10, 0)),
    ("45352.25", False, datetime(2024, 3, 1, 6, 0)),
    ("Mar 1, 2024 2:05 PM", False, datetime(2024, 3, 1, 14, 5)),
    ("1 March 2024", False, datetime(2024, 3, 1)),
])
def test_date_formats(text, dayfirst, expected):
    assert parse_datetime(text, dayfirst=dayfirst) == expected.replace(tzinfo=UTC)


def test_date_values_and_source_timezone():
    paris = ZoneInfo("Europe/Paris")
    assert parse_datetime(datetime(2024, 7, 1, 12, 0), tz=paris) == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    assert parse_datetime("2024-01-01 12:00", tz=paris) == datetime(2024, 1, 1, 11, 0, tzinfo=UTC)
    assert parse_datetime("2024-01-01T12:00+05:00", tz=paris) == datetime(2024, 1, 1, 7, 0, tzinfo=UTC)
    aware = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert parse_datetime(aware) == datetime(2024, 1, 1, 17, 0, tzinfo=UTC)
    assert parse_datetime(date(2024, 2, 29)) == datetime(2024, 2, 29, tzinfo=UTC)
    assert parse_datetime(1709287200) == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert parse_datetime("") is None and parse_datetime(None) is None
    for bad in ("yesterday", "31/31/2024", "2024-02-30", "12", 5, "1/2/3/4", "0001-01-01", True):
        with pytest.raises(ValueError):
            parse_datetime(bad)


def test_mapping_timezone_applies_to_naive_dates():
    mapping = MAPPING.replace(timezone="America/New_York")
    result = to_canonical({"id": "x", "date": "2024-03-01 09:00", "ch": "web", "t": "hi"}, 2, mapping,
                          filename="f")
    assert result.received_at == datetime(2024, 3, 1, 14, 0, tzinfo=UTC)
    assert result.received_at.tzinfo is UTC


def test_no_id_column_uses_the_content_hash_and_is_idempotent(tmp_path):
    path = tmp_path / "noid.csv"
    path.write_text("date,comment,channel\n2024-03-01,Slow app,app\n2024-03-02,Great,web\n2024-03-01,Slow app,app\n",
                    encoding="utf-8")
    first = list(convert(s := iter_records(path), detect_mapping(s)))
    again = list(convert(s := iter_records(path), detect_mapping(s)))
    assert [r.external_id for r in first] == [r.external_id for r in again]
    assert first[0].external_id == first[0].raw_hash and len(first[0].raw_hash) == 64 and first[0].id_generated
    assert first[0].external_id == first[2].external_id  # same content, same id: the store counts a duplicate
    assert first[0].external_id != first[1].external_id


def test_raw_hash_ignores_id_and_row_but_follows_content():
    a = row()
    b = to_canonical({"id": "other", "date": "2024-03-01", "ch": "email", "t": "hi"}, 99, MAPPING, filename="g")
    c = row(t="hi!")
    assert a.raw_hash == b.raw_hash != c.raw_hash
    assert not a.id_generated


def test_metrics_value_maps_tags_segment_step_event():
    mapping = Mapping(external_id="id", received_at="when", default_channel="CRM", event_type="event",
                      segment="plan", step="step", metrics={"handle_time": "aht", "refund": "refund"},
                      value_maps={"segment": {"gld": "Gold"}}, tags_column="tags",
                      tag_events={"complaint": "complaint"})
    ok = to_canonical({"id": 1, "when": "2024-01-01", "event": " Churn ", "plan": "GLD", "step": "Pay bill",
                       "aht": "312.5", "refund": ""}, 2, mapping, filename="f")
    assert (ok.channel, ok.event_type, ok.segment, ok.step) == ("crm", "churn", "Gold", "Pay bill")
    assert ok.metrics == {"handle_time": 312.5}
    tagged = to_canonical({"id": 2, "when": "2024-01-01", "tags": "vip billing_complaint"}, 3, mapping,
                          filename="f")
    assert tagged.event_type == "complaint"
    [error] = to_canonical({"id": 3, "when": "2024-01-01", "aht": "n/a"}, 4, mapping, filename="f")
    assert error.message == "row 4, column 'aht': 'n/a' is not a number (metric handle_time)"


def test_reader_row_errors_pass_through_convert():
    error = RowError("f.jsonl", 3, None, "{", "not valid JSON")
    results = list(convert([(2, {"id": "a", "date": "2024-01-01", "ch": "x", "t": "hi"}), (3, error)], MAPPING,
                           "f.jsonl"))
    assert isinstance(results[0], CanonicalRow) and results[1] == [error]


def test_a_row_with_no_text_no_score_and_no_event_has_nothing_to_record():
    [error] = row(t="  ", nps="", csat=None)
    assert error.message == ("row 2: nothing to record: no text, no score and no event "
                             "('t', 'nps', 'csat' and 'ces' are empty)")
    assert (error.file, error.column, error.value) == ("f.csv", None, "")
    only_text = Mapping(external_id="id", received_at="date", channel="ch", text="t")
    [error] = to_canonical({"id": "x", "date": "2024-03-01", "ch": "web", "t": ""}, 7, only_text, filename="f")
    assert error.reason == "nothing to record: no text, no score and no event ('t' is empty)"


@pytest.mark.parametrize("values", [{"t": "hi"}, {"nps": "0"}, {"csat": "1"}, {"ces": "7"}])
def test_one_text_or_score_is_something_to_record(values):
    assert isinstance(row(**{"t": "", **values}), CanonicalRow)


def test_an_event_or_a_metric_alone_is_something_to_record():
    mapping = Mapping(external_id="id", received_at="when", default_channel="crm", event_type="event",
                      step="step", metrics={"handle_time": "aht"}, tags_column="tags",
                      tag_events={"complaint": "complaint"})
    base = {"id": 1, "when": "2024-01-01", "step": "Pay bill"}
    assert to_canonical({**base, "event": "churn"}, 2, mapping, filename="f").event_type == "churn"
    assert to_canonical({**base, "tags": "complaint"}, 2, mapping, filename="f").event_type == "complaint"
    assert to_canonical({**base, "aht": "30"}, 2, mapping, filename="f").metrics == {"handle_time": 30.0}
    [error] = to_canonical(base, 2, mapping, filename="f")  # a step alone says nothing about the customer
    assert error.reason == ("nothing to record: no text, no score and no event "
                            "('event', 'tags' and 'aht' are empty)")


def test_a_row_rejected_for_a_bad_value_is_not_also_called_empty():
    [error] = row(t="", nps="eleven")
    assert error.column == "nps"
