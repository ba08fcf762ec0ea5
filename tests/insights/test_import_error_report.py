"""The rejected-rows CSV is formula-safe (OWASP CSV injection): a cell from the imported file —
its name, a value — that a spreadsheet would run as a formula is written with a single quote
in front, in the page download and in the CLI's error file alike."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.insights.models import ImportJob
from cxkeeper.insights.pipeline import FORMULA_STARTS, formula_safe

from .test_import_web import wait_for

HOSTILE = (
    "id,date,comment,nps,csat\n"
    "1,2026-05-01,fine,9,5\n"
    "2,=1+1,a date that is a formula,9,\n"
    "3,2026-05-01,at,@SUM(A1),\n"
    "4,2026-05-01,plus,,+9\n"
    '5,2026-05-01,tab,"\t=cmd",\n'
    '6,2026-05-01,carriage return,"\r=cmd",\n'
    "7,2026-05-01,minus,-2+3,\n"
    "8,2026-05-01,full-width,\uff1d1,\n"
    "=9|calc,2026-05-01\n"
)
VALUES = {3: "'=1+1", 4: "'@SUM(A1)", 5: "'+9", 6: "'\t=cmd", 7: "'\r=cmd", 8: "'-2+3", 9: "'\uff1d1",
          10: "'=9|calc | 2026-05-01"}  # by row: the header is row 1


def _check(report: str, filename: str) -> None:
    lines = list(csv.reader(io.StringIO(report, newline="")))
    assert lines[0] == ["file", "row", "column", "value", "reason"]
    body = lines[1:]
    assert {int(row[1]): row[3] for row in body} == VALUES
    assert {row[0] for row in body} == {"'" + filename}
    assert not any(cell.startswith(FORMULA_STARTS) for row in body for cell in row)
    assert next(row for row in body if row[1] == "3")[4].startswith("'=1+1' is not a date and time I can read")


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("\uff1dA1", "'\uff1dA1"), ("a=1", "a=1"), ("'quoted'", "'quoted'"), ("", ""), (None, None), (42, 42),
])
def test_formula_safe(value, safe):
    assert formula_safe(value) == safe


@pytest.mark.django_db(transaction=True)
def test_the_downloaded_report_is_formula_safe(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    name = "=HYPERLINK(1).csv"
    client = Client()
    client.force_login(small_org.keeper)
    client.post("/feedback/import/", {"file": SimpleUploadedFile(name, HOSTILE.encode(), "text/csv"),
                                      "new_source": "Hostile", "kind": "survey", "format": ""})
    job = ImportJob.objects.get()
    client.post(f"/feedback/import/{job.pk}/start/", {
        "external_id": "id", "received_at": "date", "text": "comment", "nps": "nps", "csat": "csat",
        "csat_max": 5, "default_channel": "survey"})
    job = wait_for(job)
    assert (job.status, job.imported, job.rejected) == ("done", 1, len(VALUES))
    response = client.get(f"/feedback/import/{job.pk}/errors.csv")
    _check(b"".join(response.streaming_content).decode(), name)


def test_the_cli_error_file_is_formula_safe(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    path = tmp_path / "@SUM(1+1).csv"
    path.write_text(HOSTILE, encoding="utf-8", newline="")
    result = CliRunner().invoke(app, ["import", "feedback", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["imported"], summary["rejected"]) == (1, len(VALUES))
    with open(summary["error_report"], encoding="utf-8", newline="") as handle:  # keep the \r of row 7
        _check(handle.read(), path.name)
