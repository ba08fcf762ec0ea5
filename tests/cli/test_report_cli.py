"""`cxkeeper report …`, `cxkeeper outcomes …` and `cxkeeper kpi import`, run in-process
against the test database."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.outcomes.models import KpiValue
from cxkeeper.testing.outcomes_builders import build_outcomes

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], terminal_width=200)


@pytest.fixture
def outcomes(small_org):
    return build_outcomes(small_org)


# ---------------------------------------------------------------- cxkeeper report


def test_scorecard_as_markdown(outcomes, tmp_path):
    out = tmp_path / "service.md"
    result = run("report", "scorecard", "--team", "Customer service", "--format", "md", "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Team scorecard: Customer service")
    assert "## Targets at the team's steps" in text and "Average handle time" in text
    assert "Wrote" in result.output and str(out.name) in result.output


def test_scorecard_as_pdf_by_slug_with_a_period(outcomes, tmp_path):
    out = tmp_path / "service.pdf"
    result = run("report", "scorecard", "--team", "customer-service", "--format", "pdf", "--out", out,
                 "--period-days", "30")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_format_follows_the_file_extension_when_omitted(outcomes, tmp_path):
    out = tmp_path / "it.png"
    result = run("report", "scorecard", "--team", "it", "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")


def test_org_report_in_each_format(outcomes, tmp_path):
    for fmt in ("md", "pdf", "png"):
        out = tmp_path / f"org.{fmt}"
        result = run("report", "org", "--format", fmt, "--out", out, "--as-of", "2030-01-31")
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 500
    assert "# Organization report:" in (tmp_path / "org.md").read_text(encoding="utf-8")
    assert "As of:** 31 Jan 2030" in (tmp_path / "org.md").read_text(encoding="utf-8")


def test_markdown_to_standard_output(outcomes):
    result = run("report", "org", "--format", "md", "--out", "-")
    assert result.exit_code == 0, result.output
    assert "# Organization report:" in result.stdout and "## Shared outcomes against target" in result.stdout


def test_unknown_team_lists_the_teams(outcomes, tmp_path):
    result = run("report", "scorecard", "--team", "Nope", "--format", "pdf", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "No team named “Nope”. Teams: " in result.output
    assert all(name in result.output for name in ("Customer service", "IT", "Sales"))
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "docx"], "unknown format “docx”; choose one of pdf, md, png"),
    (["--format", "PDF", "--period-days", "3"], "--period-days"),
])
def test_bad_format_or_period(outcomes, tmp_path, args, message):
    result = run("report", "org", "--out", tmp_path / "org.pdf", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_format_cannot_be_guessed(outcomes, tmp_path):
    result = run("report", "org", "--out", tmp_path / "org.txt")
    assert result.exit_code == 2 and "--format: give pdf, md or png" in result.output


def test_unwritable_paths_are_refused_before_rendering(outcomes, tmp_path):
    result = run("report", "org", "--format", "md", "--out", tmp_path / "missing" / "org.md")
    assert result.exit_code == 2 and "does not exist" in result.output
    result = run("report", "org", "--format", "md", "--out", tmp_path)
    assert result.exit_code == 2 and "is a folder" in result.output


def test_a_failed_write_is_reported(outcomes, tmp_path, monkeypatch):
    def refuse(self, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", refuse)
    result = run("report", "org", "--format", "md", "--out", tmp_path / "org.md")
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Permission denied" in result.output


def test_bad_as_of(outcomes, tmp_path):
    result = run("report", "org", "--format", "md", "--out", tmp_path / "o.md", "--as-of", "yesterday")
    assert result.exit_code == 2 and "“yesterday” is not a date" in result.output


# ---------------------------------------------------------------- cxkeeper outcomes


def test_status_json_has_every_target_explained(outcomes):
    result = run("outcomes", "status", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload) == 2
    assert {row["scope"] for row in payload} == {"organization", "step"}
    for row in payload:
        assert row["status"] in ("on_track", "at_risk", "off_track", "no_data")
        assert row["explanation"] and row["current"]["n"] > 0 and row["outcome"] == "Reduce customer effort"
        assert row["plain"].startswith(("On track: ", "At risk: ", "Off track: ")) and "n=" not in row["plain"]


def test_status_table(outcomes):
    result = run("outcomes", "status")
    assert result.exit_code == 0, result.output
    assert "Reduce customer effort" in result.output
    assert "Customer effort (CES) ≥ 5 at step “Log in to the app”" in result.output
    assert "On track" in result.output and "n = 180" in result.output
    # each target: the plain sentence, then the statistics on a "Details:" line
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    plain = [i for i, line in enumerate(lines) if line.startswith(("On track: at ", "Off track: at ", "At risk: at "))]
    assert len(plain) == 2
    assert all(lines[i + 1].startswith("Details: Customer effort (CES) at ") for i in plain)


def test_tensions_json_finds_the_handle_time_tension(outcomes):
    result = run("outcomes", "tensions", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [(row["kpi"], row["team"]) for row in payload] == [("Average handle time", "Customer service")]
    assert payload[0]["found"] and payload[0]["strength"] in ("strong", "moderate")
    assert "Tension found" in payload[0]["explanation"]
    everything = json.loads(run("outcomes", "tensions", "--json", "--all").stdout)
    assert len(everything) > len(payload) and any(not row["found"] for row in everything)


def test_tensions_text_for_a_team_without_any(outcomes):
    result = run("outcomes", "tensions", "--team", "IT")
    assert result.exit_code == 0, result.output
    assert "No tension found" in result.output


# ---------------------------------------------------------------- cxkeeper kpi import


def test_kpi_import_stores_the_values(outcomes, tmp_path):
    csv = tmp_path / "aht.csv"
    csv.write_text("period,value,unit\n2031-01,7.5,minutes\n2031-02-01,7.25,minutes\n", encoding="utf-8")
    result = run("kpi", "import", "--team", "Customer service", "--kpi", "average handle time", csv)
    assert result.exit_code == 0, result.output
    assert "Stored 2 values" in result.output
    assert KpiValue.objects.filter(kpi=outcomes.handle_time, period__year=2031).count() == 2


def test_kpi_import_reports_every_bad_row_and_stores_nothing(outcomes, tmp_path):
    before = KpiValue.objects.count()
    csv = tmp_path / "bad.csv"
    csv.write_text("period,value,unit\n2031-01,7.5,minutes\n31/31/2031,7,minutes\n2031-03,fast,minutes\n"
                   "2031-04,6,seconds\n", encoding="utf-8")
    result = run("kpi", "import", "--team", "customer-service", "--kpi", "Average handle time", csv)
    assert result.exit_code == 1
    assert "bad.csv, row 3, column period: “31/31/2031” is not a date" in result.output
    assert "bad.csv, row 4, column value: “fast” is not a number" in result.output
    assert "bad.csv, row 5, column unit: “seconds” does not match" in result.output
    assert "Nothing was stored." in result.output
    assert KpiValue.objects.count() == before


@pytest.mark.parametrize(("args", "message"), [
    (["--team", "Customer service", "--kpi", "Speed"], "Customer service has no KPI named “Speed”. Its KPIs: "
                                                       "“Average handle time”"),
    (["--team", "Nobody", "--kpi", "Speed"], "No team named “Nobody”"),
])
def test_kpi_import_unknown_team_or_kpi(outcomes, tmp_path, args, message):
    csv = tmp_path / "v.csv"
    csv.write_text("period,value\n2031-01,1\n", encoding="utf-8")
    result = run("kpi", "import", *args, csv)
    assert result.exit_code == 2 and message in result.output


def test_kpi_import_missing_file(outcomes, tmp_path):
    result = run("kpi", "import", "--team", "IT", "--kpi", "Login success rate", tmp_path / "none.csv")
    assert result.exit_code == 2 and "no such file" in result.output
