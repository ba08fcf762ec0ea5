"""`cxkeeper setpassword`: people a workspace file created can be given a password to sign in."""

import pytest
from django.contrib.auth import authenticate
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Forbidden
from cxkeeper.core.models import ChangeRecord
from cxkeeper.org.actions import create_person, set_password

runner = CliRunner()
PASSWORD = "a-long-unusual-passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_person_without_a_password_can_sign_in_after_setpassword(small_org):
    person = create_person(username="bea", password=None, role="keeper", acting_user=SYSTEM)
    assert authenticate(username="bea", password=PASSWORD) is None
    result = runner.invoke(app, ["setpassword", "bea", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert authenticate(username="bea", password=PASSWORD) == person.user
    change = ChangeRecord.objects.filter(object_id=person.pk).order_by("-pk").first()
    assert change.after == {"password": "set"}
    assert PASSWORD not in str(change.before) + str(change.after)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("args", "message"), [
    (["nobody", "--password", PASSWORD], "there is nobody called “nobody”"),
    (["vic", "--password", "short"], "too short"),
])
def test_setpassword_bad_input_names_the_problem(small_org, args, message):
    result = runner.invoke(app, ["setpassword", *args])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.django_db
def test_only_an_admin_sets_someone_elses_password(small_org):
    with pytest.raises(Forbidden, match="Only a admin|Only an admin|admin"):
        set_password(small_org.viewer, PASSWORD, acting_user=small_org.keeper)
    set_password(small_org.keeper, PASSWORD, acting_user=small_org.keeper)  # their own: fine
    assert authenticate(username=small_org.keeper.username, password=PASSWORD) == small_org.keeper
    with pytest.raises(TypeError):
        set_password(small_org.keeper, PASSWORD, acting_user=None)
