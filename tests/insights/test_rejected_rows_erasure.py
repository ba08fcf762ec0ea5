"""Rejected rows kept for import reports (issue 10 leftover): kept with personal data redacted,
and erased with a customer's data — the kept problems of every rejected row naming the customer,
and the command line's error files holding them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.models import ChangeRecord
from cxkeeper.insights import actions
from cxkeeper.insights.models import ImportJob, ImportRowError

pytestmark = pytest.mark.django_db

LINES = [
    {"external_id": "1", "received_at": "2026-05-01", "channel": "app", "customer_id": "CUST-77",
     "text": "fine", "nps": 9},
    # unreadable lines are kept whole: one names CUST-77 (and an email), one CUST-770, one nobody
    '{"external_id": "2", "customer_id": "CUST-77", "text": "mail me at kim@example.com", BROKEN',
    '{"external_id": "3", "customer_id": "CUST-770", "text": "someone else", BROKEN',
    '{"external_id": "4", "customer_id": "CUST-5", "text": "a third person", BROKEN',
    {"external_id": "5", "received_at": "2026-05-01", "channel": "app", "customer_id": "CUST-77",
     "text": "bad score", "nps": "eleven"},
]


@pytest.fixture
def imported(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    path = tmp_path / "feedback.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in LINES))
    result = CliRunner().invoke(app, ["import", "feedback", str(path), "--json", "--channel", "web"])
    summary = json.loads(result.output)
    return ImportJob.objects.get(pk=summary["job"]), Path(summary["error_report"])


def test_kept_problems_have_personal_data_redacted(imported):
    job, report = imported
    kept = " ".join(v + " " + r for v, r in ImportRowError.objects.filter(job=job).values_list("value", "reason"))
    assert "CUST-77" in kept  # the customer id is what lets an erasure find the row …
    assert "kim@example.com" not in kept  # … but contact details are never kept
    assert "kim@example.com" not in report.read_text()


def test_erasure_erases_what_rejected_rows_kept_about_the_customer(imported, small_org):
    job, report = imported
    assert report.exists() and "CUST-77" in report.read_text()
    rows_before = {row: (value, reason) for row, value, reason
                   in ImportRowError.objects.filter(job=job).values_list("row", "value", "reason")}
    result = actions.erase_customer("cust-77", acting_user=small_org.admin)  # any case, as for feedback
    assert result.erased == 1
    assert result.rejected_rows_erased == 1  # the unreadable line; the bad score kept only "eleven"
    after = {row: (value, reason) for row, value, reason
             in ImportRowError.objects.filter(job=job).values_list("row", "value", "reason")}
    assert set(after) == set(rows_before), "the rows stay counted in the report"
    assert not any("CUST-77" in v + r and "CUST-770" not in v + r for v, r in after.values())
    assert sum(reason == actions.ERASED_PROBLEM for _, reason in after.values()) == 1
    # another customer's rows — even one whose id starts the same — keep their problems
    assert any("CUST-770" in v for v, _ in after.values()) and any("CUST-5" in v for v, _ in after.values())
    assert not report.exists() and result.error_files_deleted == 1
    record = ChangeRecord.objects.filter(action="delete", object_repr__contains="erasure").latest("id")
    assert record.before["rejected_rows"] == 1 and "CUST-77" not in json.dumps(record.before)


def test_an_erasure_naming_nobody_in_the_reports_changes_none(imported, small_org):
    job, report = imported
    before = list(ImportRowError.objects.filter(job=job).values_list("value", "reason"))
    result = actions.erase_customer("CUST-9", acting_user=small_org.admin)
    assert result.rejected_rows_erased == 0 and report.exists()
    assert list(ImportRowError.objects.filter(job=job).values_list("value", "reason")) == before
