"""Format versions: 1 is the workspace without people (every file written before people were
part of it), 2 adds the optional people section. Both apply; export writes the lowest version
that holds what it wrote."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.auth import get_user_model

from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.export import export_workspace
from cxkeeper.workspace.schema import FORMAT_VERSION, published_schema

from .test_as_code_errors import replace_once
from .test_as_code_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    fixture_text,
    make_people,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.mark.parametrize("header", ["version: 1\n", ""], ids=["version 1", "no version"])
def test_an_older_file_still_applies_and_leaves_people_as_they_are(db, header):
    make_people("kim", "ada", "ivan", "olga")  # olga is in no file: a version-1 file says nothing of people
    text = replace_once(fixture_text("broadband.yaml"), "version: 1\n", header)

    result = apply_workspace(text, filename="broadband.yaml")

    assert result.ok, result.errors
    assert not [c for c in result.changes if c.section == "person"]
    assert User.objects.filter(is_active=True).count() == 4
    assert export_workspace(people=False) == fixture_text("broadband.yaml")


def test_the_same_workspace_exported_with_people_is_version_2_and_applies_to_itself(db):
    make_people("kim", "ada", "ivan")
    apply_workspace(fixture_text("broadband.yaml"))

    text = export_workspace()

    data = yaml.safe_load(text)
    assert data["version"] == 2 and FORMAT_VERSION == 4  # nothing of version 3 or 4 in it: the lowest that holds it
    assert [p["username"] for p in data["people"]] == ["ada", "ivan", "kim"]
    assert apply_workspace(text).changes == []


def test_a_newer_version_is_refused_with_a_reason(db):
    make_people("kim", "ada", "ivan")
    text = replace_once(fixture_text("broadband.yaml"), "version: 1\n", "version: 5\n")

    result = apply_workspace(text, filename="broadband.yaml")

    assert [str(e) for e in result.errors] == [
        "broadband.yaml:1: version: unknown format version 5; this cxkeeper reads versions 1, 2, 3, 4 "
        "(a newer cxkeeper may have written this file)"]


def test_the_published_schema_knows_both_versions_and_people():
    schema = published_schema()

    assert schema["$id"] == "urn:cxkeeper:schema:workspace:4"
    assert schema["properties"]["version"]["enum"] == [1, 2, 3, 4]
    assert list(schema["properties"]) == ["version", "workspace", "glossary", "teams", "people", "personas",
                                          "journeys", "outcomes", "councils", "priority_weights",
                                          "cocreation"]
    assert "people" not in schema["required"]
    assert set(schema["$defs"]["person"]["properties"]) == {"username", "full_name", "email", "role", "teams",
                                                            "active"}


def test_a_hand_written_file_without_a_version_may_list_people(small_org):
    text = replace_once(export_workspace(), "version: 2\n", "")

    assert apply_workspace(text).changes == []
