"""Readers: every format, header handling, row numbers, encodings and file-level errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxkeeper.insights.ingest import (
    CanonicalRow,
    ImportFileError,
    RowError,
    convert,
    detect_mapping,
    iter_records,
)


def rows_of(stream):
    return list(stream)


# --------------------------------------------------------------------------- CSV

def test_csv_with_bom_semicolons_and_multiline_quoted_comment(tmp_path):
    path = tmp_path / "export.csv"
    text = ('id;date;comment;nps\r\n'
            'a1;2024-03-01 10:00;"Line one;\r\nline two ""quoted""";9\r\n'
            'a2;2024-03-02 11:30;plain;7\r\n')
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    stream = iter_records(path)
    assert stream.format == "csv"
    assert stream.delimiter == ";"
    assert stream.columns == ["id", "date", "comment", "nps"]  # BOM not part of the first name
    items = rows_of(stream)
    assert items[0] == (2, {"id": "a1", "date": "2024-03-01 10:00", "comment": 'Line one;\r\nline two "quoted"',
                            "nps": "9"})
    assert items[1][0] == 3  # a multi-line cell is one spreadsheet row
    rows = list(convert(iter_records(path), detect_mapping(["id", "date", "comment", "nps"]).replace(
        default_channel="survey")))
    assert all(isinstance(r, CanonicalRow) for r in rows)
    assert rows[0].text == 'Line one;\nline two "quoted"'
    assert rows[0].received_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("delimiter", [",", "\t", "|", ";"])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter):
    path = tmp_path / "f.csv"
    third = "text" if delimiter == "," else "text, with comma"
    lines = [delimiter.join(["id", "date", third]), delimiter.join(["1", "2024-01-01", "x"])]
    if delimiter != ",":
        lines.append(delimiter.join(["2", "2024-01-02", "a, b, c"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stream = iter_records(path)
    assert stream.delimiter == delimiter
    assert stream.columns == ["id", "date", third]


def test_csv_blank_lines_are_counted_but_skipped_and_short_rows_are_row_errors(tmp_path):
    # A CSV writer writes every delimiter, so a row with fewer cells than the header was cut or
    # split; padding it with empty cells would store a half row as if it were complete.
    path = tmp_path / "f.csv"
    path.write_text("\nid,date,text\n1,2024-01-01,a\n\n,,\n2,2024-01-02\n", encoding="utf-8")
    stream = iter_records(path)
    assert stream.header_rows == 2
    items = list(stream)
    assert items[0] == (3, {"id": "1", "date": "2024-01-01", "text": "a"})
    assert [n for n, _ in items] == [3, 6]  # the blank line and the empty ",," row are skipped
    assert items[1][1] == RowError("f.csv", 6, None, "2 | 2024-01-02",
                                   "has 2 of the header's 3 fields (a line break in an unquoted cell, "
                                   "or missing delimiters?)")
    assert items[1][1].message.startswith("row 6: has 2 of the header's 3 fields")


def test_csv_row_with_too_many_cells_is_a_row_error(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,date,text\n1,2024-01-01,hello, world\n2,2024-01-02,ok,,\n", encoding="utf-8")
    items = list(iter_records(path))
    assert isinstance(items[0][1], RowError)
    assert items[0][1].message == ("row 2: has 4 values but the header has 3 columns "
                                   "(an unquoted delimiter in a cell?)")
    assert items[1] == (3, {"id": "2", "date": "2024-01-02", "text": "ok"})  # empty extra cells are fine


def test_csv_cp1252_falls_back_with_a_note(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,date,text\n1,2024-01-01,Très déçu – café\n".encode("cp1252"))
    stream = iter_records(path)
    assert stream.encoding == "cp1252"
    assert "not valid UTF-8" in stream.notes[0] and "legacy.csv" in stream.notes[0]
    assert list(stream)[0][1]["text"] == "Très déçu – café"


def test_csv_undecodable_file_is_a_file_error(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"id,text\n1,\x81\x8d\x8f\x90\x9d\xff\n")
    with pytest.raises(ImportFileError, match="bin.csv: the file is neither UTF-8 nor Windows-1252"):
        iter_records(path)


def test_csv_with_nul_bytes_or_utf16_without_bom_is_a_file_error(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("id,text\n1,x\n".encode("utf-16-le"))
    with pytest.raises(ImportFileError, match="NUL bytes"):
        iter_records(path)


def test_csv_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("id\tdate\ttext\n1\t2024-01-01\tçà\n".encode("utf-16"))
    stream = iter_records(path)
    assert stream.delimiter == "\t"
    assert list(stream) == [(2, {"id": "1", "date": "2024-01-01", "text": "çà"})]


def test_explicit_encoding_and_delimiter(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes("id|date|text\n1|2024-01-01|é\n".encode("latin-1"))
    stream = iter_records(path, "csv", encoding="latin-1", delimiter="|")
    assert list(stream) == [(2, {"id": "1", "date": "2024-01-01", "text": "é"})]


def test_stream_is_single_use_and_chunks(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,text\n" + "".join(f"{i},t{i}\n" for i in range(7)), encoding="utf-8")
    stream = iter_records(path, chunk_rows=3)
    assert [len(c) for c in stream.chunks()] == [3, 3, 1]
    with pytest.raises(RuntimeError, match="only once"):
        iter(stream)


# --------------------------------------------------------------------------- XLSX

def _workbook(path, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def test_xlsx_first_sheet_typed_cells_and_row_numbers(tmp_path):
    path = tmp_path / "export.xlsx"
    _workbook(path, {
        "Responses": [["Response ID", "Submitted", "Comment", "NPS", "Channel"],
                      [101, datetime(2024, 3, 1, 9, 30), "Great\nservice", 10, "email"],
                      [None, None, None, None, None],
                      [102.0, 45352.5, "Excel serial date", 9.0, "web"]],
        "Other": [["x"], [1]],
    })
    stream = iter_records(path)
    assert stream.format == "xlsx" and stream.columns == ["Response ID", "Submitted", "Comment", "NPS", "Channel"]
    assert "read sheet 'Responses' of 2" in stream.notes
    rows = list(convert(stream, detect_mapping(stream)))
    assert [r.row_number for r in rows] == [2, 4]
    assert rows[0].external_id == "101" and rows[1].external_id == "102"
    assert rows[0].received_at == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert rows[1].received_at == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)  # serial 45352.5
    assert rows[0].text == "Great\nservice" and rows[1].nps == 9


def test_xlsx_named_sheet_and_missing_sheet(tmp_path):
    path = tmp_path / "book.xlsx"
    _workbook(path, {"Notes": [["readme"]], "Data": [["id", "date", "text"], ["a", "2024-01-01", "hi"]]})
    assert list(iter_records(path, sheet="Data")) == [(2, {"id": "a", "date": "2024-01-01", "text": "hi"})]
    with pytest.raises(ImportFileError, match="no sheet named 'Nope'; sheets found: Notes, Data"):
        iter_records(path, sheet="Nope")


def test_xlsx_row_without_its_trailing_empty_cells_is_read_not_rejected(tmp_path):
    # A spreadsheet stores no cell for an empty one: a short row is complete, unlike in a CSV.
    path = tmp_path / "book.xlsx"
    _workbook(path, {"Data": [["id", "date", "text", "nps"], ["a", "2024-01-01", "hi"], ["b", "2024-01-02"]]})
    assert [n for n, r in iter_records(path) if isinstance(r, dict)] == [2, 3]


def test_xlsx_header_not_on_first_row(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A3"], ws["B3"] = "id", "text"
    ws["A4"], ws["B4"] = "x1", "hello"
    wb.save(path)
    stream = iter_records(path)
    assert stream.columns == ["id", "text"]
    assert list(stream) == [(4, {"id": "x1", "text": "hello"})]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("id,text\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="fake.xlsx: not a readable Excel .xlsx workbook"):
        iter_records(path)


# --------------------------------------------------------------------------- JSONL

def test_jsonl_broken_line_is_a_row_error_not_a_crash(tmp_path):
    path = tmp_path / "events.ndjson"
    lines = [json.dumps({"id": "e1", "timestamp": 1709287200, "event": "Churn", "customer": {"id": "C1"}}),
             '{"id": "e2", "timestamp": 17092872',
             "",
             json.dumps({"id": "e3", "timestamp": "2024-03-01T10:00:00+01:00", "event": "renewal",
                         "customer": {"id": "C2"}, "plan": "Gold"}),
             "[1, 2]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stream = iter_records(path)
    assert stream.format == "jsonl"
    assert stream.columns == ["id", "timestamp", "event", "customer.id", "plan"]
    mapping = detect_mapping(stream).replace(customer_id="customer.id", default_channel="crm")
    results = list(convert(stream, mapping))
    assert [type(r) for r in results] == [CanonicalRow, list, CanonicalRow, list]
    assert results[1][0].message.startswith("row 2: not valid JSON (")
    assert results[1][0].value == '{"id": "e2", "timestamp": 17092872'
    assert results[1][0].column is None
    assert results[3][0].message == "row 5: expected a JSON object {...}, found list"
    assert results[0].event_type == "churn" and results[0].customer_id == "C1"
    assert results[0].received_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)  # epoch seconds
    assert results[2].row_number == 4 and results[2].segment == "Gold"
    assert results[2].received_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def test_json_array_is_refused_clearly(tmp_path):
    path = tmp_path / "data.json"
    path.write_text('[{"id": 1}]', encoding="utf-8")
    with pytest.raises(ImportFileError, match="JSON array is not supported"):
        iter_records(path)


# --------------------------------------------------------------------------- Parquet

def test_parquet_batches_types_and_row_numbers(tmp_path):
    path = tmp_path / "feedback.parquet"
    n = 25
    table = pa.table({
        "review_id": [f"rv{i}" for i in range(n)],
        "created_at": pa.array([datetime(2024, 3, 1, 12, i, tzinfo=UTC) for i in range(n)],
                               type=pa.timestamp("us", tz="Europe/Paris")),
        "review": [f"review {i}" for i in range(n)],
        "stars": pa.array([(i % 5) + 1 for i in range(n)], type=pa.int8()),
        "source": ["app store"] * n,
        "meta": [{"country": "FR", "version": "1.2"}] * n,
    })
    pq.write_table(table, path)
    stream = iter_records(path, chunk_rows=10)
    assert stream.format == "parquet"
    assert stream.columns == ["review_id", "created_at", "review", "stars", "source", "meta.country", "meta.version"]
    mapping = detect_mapping(stream)
    assert (mapping.external_id, mapping.received_at, mapping.text, mapping.csat, mapping.channel) == \
        ("review_id", "created_at", "review", "stars", "source")
    rows = list(convert(stream, mapping.replace(segment="meta.country")))
    assert len(rows) == n and rows[-1].row_number == n
    assert rows[3].csat == 4 and rows[3].csat_max == 5 and rows[3].segment == "FR"
    assert rows[3].received_at == datetime(2024, 3, 1, 12, 3, tzinfo=UTC)


# --------------------------------------------------------------------------- format detection and file errors

def test_unknown_format_and_extension_errors(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01")
    with pytest.raises(ImportFileError, match=r"data.bin: unknown file format .bin; supported: .csv"):
        iter_records(path)
    with pytest.raises(ImportFileError, match="unknown format 'yaml'; use one of csv, xlsx, jsonl, parquet"):
        iter_records(path, "yaml")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf")
    with pytest.raises(ImportFileError, match=r"old Excel .xls format is not supported"):
        iter_records(old)
    with pytest.raises(ImportFileError, match="missing.csv: no such file"):
        iter_records(tmp_path / "missing.csv")


def test_format_from_content_when_extension_unknown_and_wrong_extension(tmp_path):
    pq.write_table(pa.table({"id": ["a"]}), tmp_path / "x.data")
    assert iter_records(tmp_path / "x.data").format == "parquet"
    wb = tmp_path / "y.xlsx"
    _workbook(wb, {"S": [["id"], ["a"]]})
    renamed = tmp_path / "y.csv"
    renamed.write_bytes(wb.read_bytes())
    with pytest.raises(ImportFileError, match="y.csv: this is an Excel workbook"):
        iter_records(renamed)


def test_empty_files(tmp_path):
    for name in ("e.csv", "e.jsonl"):
        (tmp_path / name).write_text("\n\n", encoding="utf-8")
        with pytest.raises(ImportFileError, match=f"{name}: the file is empty"):
            iter_records(tmp_path / name)


def test_preset_rejects_formats_it_does_not_read(tmp_path):
    path = tmp_path / "q.parquet"
    pq.write_table(pa.table({"ResponseId": ["R_1"]}), path)
    with pytest.raises(ImportFileError, match="the qualtrics preset reads csv, xlsx files, not parquet"):
        iter_records(path, "qualtrics")


# --------------------------------------------------------------------------- JSON bodies (the API's batches)

def test_a_json_body_is_read_item_by_item_as_the_jsonl_reader_reads_lines(tmp_path):
    from cxkeeper.insights.ingest import read_json_batch

    lines = ['{"id": "a", "who": {"name": "Jo"}}', "", '{"id": "b", ', "[1, 2]", '{"id": "c"}']
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_file = [(n, r if isinstance(r, dict) else (r.row, r.column, r.reason)) for n, r in iter_records(path)]
    from_body = [(n, r if isinstance(r, dict) else (r.row, r.column, r.reason))
                 for n, r in read_json_batch("\n".join(lines), lines=True)]
    assert from_body == from_file
    assert from_file[0] == (1, {"id": "a", "who.name": "Jo"}) and [n for n, _ in from_file] == [1, 3, 4, 5]

    array = read_json_batch(json.dumps({"items": [{"id": "a"}, "text"]}), lines=False)
    assert array[0] == (1, {"id": "a"}) and array[1][1].reason == "expected a JSON object {...}, found str"
    for body, message in (("{not json", "not JSON"), ('{"id": 1}', "send a JSON array")):
        with pytest.raises(ImportFileError, match=message):
            read_json_batch(body, lines=False)


def test_csv_carriage_return_inside_a_quoted_cell_is_read(tmp_path):
    # Split on another delimiter the quoted cell is unquoted and the CR an error for csv: the
    # sniffer must skip that delimiter, not crash the preview and the import.
    path = tmp_path / "cr.csv"
    path.write_text('id,date,text\n1,2024-01-01,"first\rsecond"\n2,2024-01-02,either|or\n', encoding="utf-8",
                    newline="")
    stream = iter_records(path)
    assert stream.delimiter == ","
    assert [r["text"] for _, r in stream] == ["first\rsecond", "either|or"]
