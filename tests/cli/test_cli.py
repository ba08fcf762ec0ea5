"""The `cxkeeper` command line, run in-process against the test database."""

import pytest
from typer.testing import CliRunner

from cxkeeper import __version__
from cxkeeper.cli import app
from cxkeeper.core.roles import Role
from cxkeeper.journeys.models import Journey
from cxkeeper.org.models import Person

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_init_reports_the_data_folder(db, settings):
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert "Ready" in result.output and str(settings.DATA_DIR) in result.output.replace("\n", "")


@pytest.mark.django_db(transaction=True)
def test_createuser_with_role_and_team(small_org):
    result = runner.invoke(app, ["createuser", "nina", "--role", "member", "--team", "IT",
                                 "--password", "a-long-unusual-passphrase", "--name", "Nina Costa"])
    assert result.exit_code == 0, result.output
    person = Person.objects.get(user__username="nina")
    assert person.role == Role.MEMBER and list(person.teams.values_list("name", flat=True)) == ["IT"]
    assert person.user.check_password("a-long-unusual-passphrase")


@pytest.mark.parametrize(("args", "message"), [
    (["--team", "Nope"], "no team named “Nope”"),
    (["--role", "boss"], "Unknown role “boss”"),
    (["--password", "short"], "too short"),
])
def test_createuser_bad_input_names_the_problem(small_org, args, message):
    base = ["createuser", "nina", "--password", "a-long-unusual-passphrase"]
    result = runner.invoke(app, base + args)
    assert result.exit_code == 2
    assert message in result.output
    assert not Person.objects.filter(user__username="nina").exists()


def test_demo_no_serve_loads_the_sample_and_prints_sign_ins(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    result = runner.invoke(app, ["demo", "--no-serve", "--feedback-rows", "600"])
    assert result.exit_code == 0, result.output
    assert Journey.objects.count() == 3
    from cxkeeper.insights.models import Feedback, FeedbackRollup

    assert Feedback.objects.count() == 600 and FeedbackRollup.objects.exists()
    assert Feedback.objects.filter(step__isnull=False).count() > 300  # the map's router placed most of them
    password = (tmp_path / "demo-password.txt").read_text().strip()
    assert password in result.output and "kira" in result.output
