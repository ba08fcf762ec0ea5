"""Shared helpers for the journey-as-code tests (no tests here; named test_* to live beside them)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.core.roles import Role
from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.insights.models import Feedback
from cxkeeper.journeys.models import Journey, Persona
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import GlossaryTerm, Team, Workspace
from cxkeeper.outcomes.models import Target, TeamKpi
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.yaml_io import dump

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def make_people(*usernames: str) -> None:
    for username in usernames:
        org_actions.create_person(username=username, password=None, role=Role.KEEPER, acting_user=SYSTEM)


def wipe_workspace() -> None:
    """An empty workspace that still has its people (who are not part of the file)."""
    # Other apps refer to the map and the teams with PROTECT (docs/decisions/0008): a raw wipe
    # does first what the cascade and SET NULL used to do.
    Target.objects.all().delete()
    TeamKpi.objects.all().delete()
    Feedback.objects.update(step=None)
    FrictionPoint.objects.update(journey=None, step=None)
    Journey.objects.all().delete()
    Team.objects.all().delete()
    Persona.objects.all().delete()
    GlossaryTerm.objects.all().delete()
    Workspace.objects.all().delete()


def edited_export(edit, *, people: bool = True) -> str:
    """The current export, changed by `edit(data)` on its parsed form."""
    data = yaml.safe_load(export_workspace(people=people))
    edit(data)
    return dump(data)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def history_count() -> int:
    return ChangeRecord.objects.count()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The builders set real passwords; these tests never sign in, so hash them cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
