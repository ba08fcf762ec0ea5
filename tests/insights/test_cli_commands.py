"""The insight commands a person types: import with a preset alone, route evaluate, rollup on
another engine, erase-customer; and the erasure page and endpoint."""

import json
from pathlib import Path

from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights.models import Feedback
from cxkeeper.org.actions import create_api_token

FIXTURES = Path(__file__).parent / "ingest" / "fixtures"
runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, list(args))
    return result, result.output


def test_import_qualtrics_export_with_the_format_alone(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    result, output = invoke("import", "feedback", str(FIXTURES / "qualtrics_export.csv"), "--format", "qualtrics",
                            "--json")
    assert result.exit_code == 0, output
    summary = json.loads(output)
    assert summary["imported"] > 0 and summary["rejected"] == 0 and summary["error_report"] is None
    stored = Feedback.objects.filter(source__name="qualtrics_export")
    assert stored.count() == summary["imported"]
    assert stored.exclude(text="").exists() and stored.exclude(nps=None).exists()
    again, output = invoke("import", "feedback", str(FIXTURES / "qualtrics_export.csv"), "--format", "qualtrics",
                           "--json")
    assert json.loads(output)["duplicates"] == summary["imported"]


def test_import_bad_rows_writes_an_error_report(small_org, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    result, output = invoke("import", "feedback", str(FIXTURES / "bad_rows.csv"), "--json")
    summary = json.loads(output)
    assert summary["rejected"] > 0
    report = Path(summary["error_report"]).read_text().splitlines()
    assert report[0] == "file,row,column,value,reason" and all(line.startswith("bad_rows.csv,") for line in report[1:])


def test_import_missing_file_is_a_clear_error(db):
    result, output = invoke("import", "feedback", "/nonexistent/feedback.csv")
    assert result.exit_code == 2 and "no such file" in output


def test_route_evaluate_prints_the_measures(tmp_path):
    rows = [("I can't log in", "login"), ("password reset never arrives", "login"), ("app login fails", "login"),
            ("my bill is wrong", "billing"), ("charged twice this month", "billing"), ("refund my bill", "billing")]
    train = tmp_path / "train.csv"
    train.write_text("text,label\n" + "".join(f"{t},{label}\n" for t, label in rows))
    test = tmp_path / "test.jsonl"
    test.write_text("".join(json.dumps({"text": t, "label": label}) + "\n"
                            for t, label in [("cannot log in to the app", "login"), ("wrong bill", "billing")]))
    result, output = invoke("route", "evaluate", "--train", str(train), "--test", str(test), "--json")
    assert result.exit_code == 0, output
    report = json.loads(output)
    assert {"accuracy", "macro_f1", "unrouted_rate", "messages_per_second"} <= set(report)
    assert report["n_test"] == 2
    bad, output = invoke("route", "evaluate", "--train", str(train), "--test", str(test), "--label-column", "intent")
    assert bad.exit_code == 2 and "intent" in output


def test_rollup_from_another_engine(tmp_path):
    """The distributed path's command on DuckDB: rollups built where the feedback lives."""
    import duckdb

    from cxkeeper.insights.analytics import synthetic

    database = tmp_path / "warehouse.duckdb"
    table = synthetic.rows_to_arrow(synthetic.feedback_rows(500, seed=1))
    con = duckdb.connect(str(database))
    con.register("rows", table)
    con.execute("CREATE TABLE feedback AS SELECT * FROM rows")
    con.close()
    result, output = invoke("rollup", "--engine", f"duckdb://{database}", "--table", "feedback", "--json")
    assert result.exit_code == 0, output
    summary = json.loads(output)
    assert summary["rows"] == 500 and 0 < summary["cells"] <= 500
    missing, output = invoke("rollup", "--engine", f"duckdb://{database}", "--table", "nope")
    assert missing.exit_code == 2 and "no table 'nope'" in output


def _feedback_of(customer):
    import datetime as dt

    from cxkeeper.insights import actions
    from cxkeeper.insights.ingest import CanonicalRow

    source = actions.source_named("S", acting_user=SYSTEM)
    actions.ingest_feedback_batch(source, [
        CanonicalRow(external_id=f"{customer}-{i}", received_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
                     channel="app", row_number=i, text="hello", nps=5, customer_id=customer) for i in range(3)])


def test_erase_customer_cli_page_and_api(small_org):
    _feedback_of("C-1")
    result, output = invoke("erase-customer", "C-1", "--yes", "--json")
    assert result.exit_code == 0 and json.loads(output) == {"erased": 3, "uploads_deleted": 0,
                                                          "rejected_rows_erased": 0, "error_files_deleted": 0}
    _feedback_of("C-2")
    admin = Client()
    admin.force_login(small_org.admin)
    assert admin.get("/feedback/erase/").status_code == 200
    assert admin.post("/feedback/erase/", {"customer_id": "C-2", "confirm": "on"}).status_code == 302
    assert not Feedback.objects.exists()
    _feedback_of("C-3")
    keeper = Client()
    keeper.force_login(small_org.keeper)
    assert keeper.get("/feedback/erase/").status_code == 403
    token = create_api_token(small_org.admin, "t", acting_user=SYSTEM)[1]
    keeper_token = create_api_token(small_org.keeper, "k", acting_user=SYSTEM)[1]
    refused = Client().post("/api/v1/feedback/erase", {"customer_id": "C-3"}, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {keeper_token}")
    assert refused.status_code == 403
    done = Client().post("/api/v1/feedback/erase", {"customer_id": "C-3"}, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")
    assert done.status_code == 200 and done.json() == {"erased": 3, "uploads_deleted": 0, "rejected_rows_erased": 0}
