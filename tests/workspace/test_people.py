"""People in the workspace file: exported without secrets, created, updated and deactivated
through the org actions, checked with their lines — and left alone without the section."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.auth import get_user_model

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeAction, ChangeRecord
from cxkeeper.core.roles import Role
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import Person
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.document import validate_workspace
from cxkeeper.workspace.export import export_workspace

from .test_as_code_errors import assert_refused, replace_once
from .test_as_code_support import (
    edited_export,
    fast_password_hashing,  # noqa: F401  (autouse)
    history_count,
    line_of,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


def lines(result) -> list[str]:
    return [str(change) for change in result.changes]


def person(data: dict, username: str) -> dict:
    return next(p for p in data["people"] if p["username"] == username)


def teams_of(username: str) -> list[str]:
    return sorted(Person.objects.get(user__username=username).teams.values_list("name", flat=True))


# ---------------------------------------------------------------- export


def test_export_lists_people_after_teams_and_never_a_secret(small_org):
    _, secret = org_actions.create_api_token(small_org.admin, "ci", acting_user=SYSTEM)

    text = export_workspace()
    data = yaml.safe_load(text)

    assert list(data) == ["version", "workspace", "glossary", "teams", "people", "personas", "journeys",
                          "outcomes"]
    assert data["version"] == 2
    assert [p["username"] for p in data["people"]] == ["ada", "ivan", "kim", "sara", "vic"]
    assert person(data, "ivan") == {"username": "ivan", "full_name": "Ivan", "email": "ivan@example.com",
                                    "role": "member", "teams": ["IT"]}
    assert person(data, "ada") == {"username": "ada", "full_name": "Ada", "email": "ada@example.com",
                                   "role": "admin"}
    password_hash = User.objects.get(username="ada").password
    assert password_hash not in text and secret not in text and secret[:10] not in text
    assert all(set(p) <= {"username", "full_name", "email", "role", "teams", "active"} for p in data["people"])


def test_a_deactivated_person_is_exported_as_inactive(small_org):
    org_actions.update_person_account(small_org.viewer, {"is_active": False}, expected_version=None,
                                      acting_user=SYSTEM)

    assert person(yaml.safe_load(export_workspace()), "vic")["active"] is False


def test_a_user_made_in_django_admin_is_exported_with_the_role_they_have(small_org):
    User.objects.create_superuser("root", "root@example.com", "a-long-unusual-passphrase")

    data = yaml.safe_load(export_workspace())

    assert person(data, "root") == {"username": "root", "email": "root@example.com", "role": "admin"}
    assert apply_workspace(export_workspace()).changes == []


def test_without_people_the_file_is_todays_format(small_org):
    data = yaml.safe_load(export_workspace(people=False))

    assert data["version"] == 1 and "people" not in data


# ---------------------------------------------------------------- apply


def test_apply_creates_people_who_cannot_sign_in_through_the_action(small_org):
    def edit(data):
        data["people"].append({"username": "nina", "full_name": "Nina Costa", "email": "nina@example.com",
                               "role": "keeper", "teams": ["IT", "Sales"]})
        data["teams"][1]["lead"] = "nina"  # IT: a new person can lead a team in the same apply

    result = apply_workspace(edited_export(edit))

    assert result.ok, result.errors
    assert lines(result) == ['~ team "IT": lead', '+ person "nina"']
    nina = User.objects.get(username="nina")
    assert not nina.has_usable_password()  # an admin sets a password before nina can sign in
    assert (nina.get_full_name(), nina.email, nina.person.role) == ("Nina Costa", "nina@example.com", Role.KEEPER)
    assert teams_of("nina") == ["IT", "Sales"]
    assert ChangeRecord.objects.filter(action=ChangeAction.CREATE, object_repr__contains="nina").exists()
    assert apply_workspace(export_workspace()).changes == []


def test_apply_updates_a_persons_name_email_role_and_teams(small_org):
    def edit(data):
        ivan = person(data, "ivan")
        ivan.update(full_name="Ivan Petrov", email="ivan.petrov@example.com", role="keeper",
                    teams=["Customer service", "IT"])

    before = history_count()
    result = apply_workspace(edited_export(edit))

    assert lines(result) == ['~ person "ivan": full_name, email, role, teams']
    ivan = User.objects.get(username="ivan")
    assert (ivan.get_full_name(), ivan.email, ivan.person.role) == ("Ivan Petrov", "ivan.petrov@example.com",
                                                                    Role.KEEPER)
    assert teams_of("ivan") == ["Customer service", "IT"]
    assert ivan.check_password("correct-horse-battery-staple")  # a password is never touched
    assert history_count() > before


def test_people_left_out_are_deactivated_not_deleted_and_come_back_when_listed(small_org):
    _, secret = org_actions.create_api_token(small_org.viewer, "script", acting_user=SYSTEM)
    full = export_workspace()

    def edit(data):
        data["people"] = [p for p in data["people"] if p["username"] != "vic"]

    result = apply_workspace(edited_export(edit))

    assert lines(result) == ['~ person "vic": deactivated']
    vic = User.objects.get(username="vic")
    assert not vic.is_active and Person.objects.filter(user=vic).exists()
    assert org_actions.user_for_token(secret) is None  # their API tokens stop working
    assert person(yaml.safe_load(export_workspace()), "vic")["active"] is False

    again = apply_workspace(full)

    assert lines(again) == ['~ person "vic": reactivated']
    assert User.objects.get(username="vic").is_active


def test_a_person_can_be_listed_as_inactive(small_org):
    def edit(data):
        person(data, "sara")["active"] = False
        data["people"].append({"username": "olga", "active": False})

    result = apply_workspace(edited_export(edit))

    assert lines(result) == ['~ person "sara": deactivated', '+ person "olga"']
    assert not User.objects.get(username="sara").is_active and not User.objects.get(username="olga").is_active


def test_apply_never_deactivates_the_admin_applying_it(small_org):
    def edit(data):
        data["people"] = [p for p in data["people"] if p["username"] != "ada"]

    text, before = edited_export(edit), history_count()

    result = apply_workspace(text, acting_user=small_org.admin)

    assert not result.ok and result.changes == []
    assert [e.path for e in result.errors] == ["people"]
    assert "cannot deactivate yourself" in result.errors[0].message
    assert User.objects.get(username="ada").is_active and history_count() == before


def test_apply_never_leaves_the_workspace_without_an_admin_who_can_sign_in(small_org):
    def edit(data):
        person(data, "ada")["role"] = "keeper"

    text = edited_export(edit)

    result = apply_workspace(text)

    assert not result.ok
    assert str(result.errors[0]) == (
        f"workspace.yaml:{line_of(text, 'people:')}: people: this file would leave no active admin who can sign "
        "in (now: ada); list one of them under people with role admin, or apply with --without-people")
    assert User.objects.get(username="ada").person.role == Role.ADMIN


def test_an_admin_who_cannot_sign_in_yet_does_not_count(small_org):
    """An admin created by a file has no password: demoting the only one who has one is refused."""
    def edit(data):
        data["people"] = [p for p in data["people"] if p["username"] != "ada"]
        data["people"].append({"username": "zoe", "role": "admin"})

    result = apply_workspace(edited_export(edit))

    assert not result.ok and "no active admin who can sign in" in result.errors[0].message


def test_a_user_made_in_django_admin_gets_a_person_when_the_file_gives_them_teams(small_org):
    User.objects.create_user("temp", "temp@example.com")

    def edit(data):
        person(data, "temp")["teams"] = ["Sales"]

    result = apply_workspace(edited_export(edit))

    assert lines(result) == ['~ person "temp": teams']
    assert Person.objects.get(user__username="temp").role == Role.VIEWER and teams_of("temp") == ["Sales"]


def test_a_dry_run_shows_people_changes_and_saves_nothing(small_org):
    def edit(data):
        data["people"] = [p for p in data["people"] if p["username"] != "sara"]
        data["people"].append({"username": "nina"})

    before = history_count()
    result = apply_workspace(edited_export(edit), dry_run=True)

    assert lines(result) == ['+ person "nina"', '~ person "sara": deactivated']
    assert history_count() == before and not User.objects.filter(username="nina").exists()
    assert User.objects.get(username="sara").is_active


# ---------------------------------------------------------------- references and checks


def test_with_people_every_username_the_file_names_is_one_of_them(small_org):
    text = export_workspace().replace("keeper: kim", "keeper: nobody")

    assert_refused(text, line=line_of(text, "keeper: nobody"), path="journeys[0].keeper",
                   message="unknown user 'nobody'; people in this file: ada, ivan, kim, sara, vic")


def test_a_lead_must_be_listed_even_when_they_are_in_the_workspace(small_org):
    """With a people section the file is the whole truth: a lead it does not list would be deactivated."""
    def edit(data):
        data["people"] = [p for p in data["people"] if p["username"] != "kim"]

    text = edited_export(edit)

    assert_refused(text, line=line_of(text, "keeper: kim"), path="journeys[0].keeper",
                   message="unknown user 'kim'; people in this file: ada, ivan, sara, vic")


@pytest.mark.parametrize(("old", "new", "path", "message"), [
    ("  - username: ivan\n", "  - username: ivan\n  - username: ivan\n", "people[2]",
     "duplicate username 'ivan' (first at line {line})"),
    ("      - IT\n", "      - Billing\n", "people[1].teams[0]",
     "unknown team 'Billing'; teams in this file: Customer service, IT, Sales"),
    ("    email: sara@example.com\n", "    email: sara(at)example.com\n", "people[3].email",
     "'sara(at)example.com' is not an e-mail address"),
    ("  - username: vic\n", "  - username: vic smith\n", "people[4].username",
     "'vic smith' does not match"),
    ("    role: viewer\n", "    role: boss\n", "people[4].role", "'boss' is not one of"),
    ("  - username: sara\n", "  - username: sara\n    password: hunter2\n", "people[3].password",
     "unknown field 'password'; allowed here: active, email, full_name, role, teams, username"),
    ("version: 2\n", "version: 1\n", "version", "people are part of the file from version 2 on; write version: 2"),
])
def test_bad_people_are_refused_with_their_line(small_org, old, new, path, message):
    text = replace_once(export_workspace(), old, new)
    line = line_of(text, new.splitlines()[-1]) if "duplicate" not in message else line_of(text, "username: ivan", 2)

    result = apply_workspace(text)

    assert not result.ok and len(result.errors) == 1, [str(e) for e in result.errors]
    error = result.errors[0]
    assert (error.line, error.path) == (line, path)
    assert error.message.startswith(message.format(line=line_of(text, "username: ivan")))


# ---------------------------------------------------------------- without people


def test_without_people_a_people_section_is_ignored(small_org):
    def edit(data):
        data["people"].append({"username": "nina", "role": "admin"})
        data["teams"][1]["lead"] = "nina"

    text = edited_export(edit)

    result = apply_workspace(text, people=False)

    assert [str(e).split(": ", 1)[1] for e in result.errors] == [
        "teams[1].lead: unknown user 'nina'; people are not part of this file: add them first "
        "(cxkeeper createuser) or list them under people"]
    assert validate_workspace(text, people=False) == result.errors
    assert validate_workspace(text) == []


def test_a_file_without_people_leaves_them_as_they_are(small_org):
    result = apply_workspace(export_workspace(people=False))

    assert result.changes == []
    assert User.objects.filter(is_active=True).count() == 5


# ---------------------------------------------------------------- the org action people are written through


def test_only_an_admin_changes_accounts_and_nobody_deactivates_themselves(small_org):
    from cxkeeper.core.errors import Forbidden, InvalidInput

    with pytest.raises(Forbidden):
        org_actions.update_person_account(small_org.viewer, {"email": "v@example.com"}, expected_version=None,
                                          acting_user=small_org.keeper)
    with pytest.raises(InvalidInput) as refused:
        org_actions.update_person_account(small_org.admin, {"is_active": False}, expected_version=None,
                                          acting_user=small_org.admin)
    assert "cannot deactivate yourself" in str(refused.value.errors)
    with pytest.raises(InvalidInput) as refused:
        org_actions.update_person_account(small_org.viewer, {"email": "not an address"}, expected_version=None,
                                          acting_user=small_org.admin)
    assert set(refused.value.errors) == {"email"}
    assert User.objects.get(username="vic").email == "vic@example.com"


def test_an_account_change_is_recorded_in_history(small_org):
    org_actions.update_person_account(small_org.viewer, {"full_name": "Vic Tor", "is_active": False},
                                      expected_version=None, acting_user=small_org.admin)

    record = ChangeRecord.objects.filter(object_repr__contains="vic").latest("id")
    assert record.actor == small_org.admin
    assert record.changed_fields == [("full_name", "Vic", "Vic Tor"), ("is_active", True, False)]
