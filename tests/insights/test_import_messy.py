"""A messy CSV through the web import and the CLI: a row with nothing to record and a row
with fewer fields than the header are rejected, counted and reported with file, row and
reason; blank lines are skipped; every valid row is kept."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.insights.models import Feedback, ImportJob

from .test_import_web import wait_for

# Row 1 is the header; the quoted two-line comment of id 7 is one row (9), as in a spreadsheet.
# The short row has a text: without the malformed-row rule it would be stored as a whole item.
MESSY = (
    "id,date,comment,customer,nps,csat,ces\n"
    "1,2026-05-01 10:00,I cannot log in to the app,C1,2,,\n"  # 2: text and a score
    "2,2026-05-01 11:00,,C2,9,,\n"  # 3: a score alone is something to record
    "\n"  # 4: blank, skipped
    "3,2026-05-02 09:00,,C3,,4,\n"  # 5: CSAT alone
    "4,2026-05-02 10:00,,C4,,,\n"  # 6: nothing to record
    "5,2026-05-02 12:00,the app crashes when I pay\n"  # 7: 3 of the header's 7 fields
    "6,2026-05-03 08:00,   ,C6,,,\n"  # 8: a blank comment is no text either
    '7,2026-05-03 09:00,"the bill was\nwrong, twice",C7,3,2,\n'  # 9
    ",,,,,,\n"  # 10: an empty row is blank, not rejected
    "8,2026-05-04 10:00,Great help in the shop,C8,10,5,6\n"  # 11
)
VALID = {"1", "2", "3", "7", "8"}
NOTHING = "nothing to record: no text, no score and no event ('comment', 'nps', 'csat' and 'ces' are empty)"
SHORT = "has 3 of the header's 7 fields (a line break in an unquoted cell, or missing delimiters?)"
EXPECTED_REPORT = [
    ["file", "row", "column", "value", "reason"],
    ["messy.csv", "6", "", "", NOTHING],
    ["messy.csv", "7", "", "5 | 2026-05-02 12:00 | the app crashes when I pay", SHORT],
    ["messy.csv", "8", "", "", NOTHING],
]


def _report(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db(transaction=True)
def test_messy_csv_through_the_web_import(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = Client()
    client.force_login(small_org.keeper)
    client.post("/feedback/import/", {"file": SimpleUploadedFile("messy.csv", MESSY.encode(), "text/csv"),
                                      "new_source": "Messy survey", "kind": "survey", "format": ""})
    job = ImportJob.objects.get()
    preview = client.get(f"/feedback/import/{job.pk}/").content.decode()
    assert "nothing to record" in preview and "of the header&#x27;s 7 fields" in preview  # seen before starting
    client.post(f"/feedback/import/{job.pk}/start/", {
        "external_id": "id", "received_at": "date", "customer_id": "customer", "text": "comment", "nps": "nps",
        "csat": "csat", "ces": "ces", "csat_max": 5, "default_channel": "survey"})
    job = wait_for(job)
    assert (job.status, job.imported, job.duplicates, job.rejected) == ("done", len(VALID), 0, 3)
    report = client.get(f"/feedback/import/{job.pk}/errors.csv")
    assert _report(b"".join(report.streaming_content).decode()) == EXPECTED_REPORT
    kept = Feedback.objects.filter(source=job.source)
    assert set(kept.values_list("external_id", flat=True)) == VALID
    assert kept.get(external_id="7").text == "the bill was\nwrong, twice"


def test_messy_csv_through_the_cli(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    path = tmp_path / "messy.csv"
    path.write_text(MESSY, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "feedback", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["imported"], summary["duplicates"], summary["rejected"]) == (len(VALID), 0, 3)
    assert _report(Path(summary["error_report"]).read_text(encoding="utf-8")) == EXPECTED_REPORT
    kept = Feedback.objects.filter(source__name="messy")
    assert set(kept.values_list("external_id", flat=True)) == VALID
    assert {eid: (nps, csat) for eid, nps, csat in kept.values_list("external_id", "nps", "csat")} == {
        "1": (2, None), "2": (9, None), "3": (None, 4), "7": (3, 2), "8": (10, 5)}
    assert not kept.filter(text__contains="crashes").exists()
