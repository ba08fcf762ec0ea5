"""`cxkeeper journey export|changes`, run in-process against the test database."""

from __future__ import annotations

from typer.testing import CliRunner

from cxkeeper.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], terminal_width=200)


def test_export_each_format_and_a_team(small_org, tmp_path, monkeypatch):
    for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF-")):
        out = tmp_path / f"bp.{fmt}"
        result = run("journey", "export", "get-help", "--format", fmt, "--team", "it", "--out", out)
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)
    assert "◆ IT" in (tmp_path / "bp.svg").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("journey", "export", "get-help")
    assert result.exit_code == 0 and (tmp_path / "blueprint-get-help.pdf").read_bytes().startswith(b"%PDF-")


def test_export_refuses_what_it_cannot_do(small_org, tmp_path):
    assert "no team “nobody”" in run("journey", "export", "get-help", "--team", "nobody", "--out",
                                     tmp_path / "x.svg").output
    assert "give svg, png or pdf" in run("journey", "export", "get-help", "--format", "doc").output
    missing = run("journey", "export", "nowhere", "--out", tmp_path / "x.svg")
    assert missing.exit_code == 2 and "No journey “nowhere”" in missing.output and "get-help" in missing.output


def test_changes_since(small_org):
    from django.utils import timezone

    result = run("journey", "changes", "get-help", "--since", timezone.localdate().isoformat())
    assert result.exit_code == 0, result.output
    assert "The system added step “Log in to the app”" in result.output
    assert run("journey", "changes", "get-help", "--since", "someday").exit_code == 2
