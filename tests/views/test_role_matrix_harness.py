"""The role-matrix harnesses catch what they are there to catch: a table with a wrong row
fails, and a table becomes exactly the tests it promises."""

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.journeys.actions import create_persona, update_persona
from cxkeeper.journeys.models import Persona
from cxkeeper.testing import api_matrix, pages
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix
from cxkeeper.testing.pages import PageCase, page_role_matrix

pytestmark = pytest.mark.django_db


def test_a_page_said_to_refuse_a_role_that_it_lets_in_fails(small_org):
    with pytest.raises(AssertionError, match="viewer got 200, expected 403"):
        pages.check_refused(PageCase("glossary", lambda o: "/glossary/", ("admin",)), small_org, "viewer")


def test_a_page_said_to_let_a_role_in_that_it_refuses_fails(small_org):
    with pytest.raises(AssertionError, match="viewer got 403"):
        pages.check_allowed(PageCase("people", lambda o: "/people/"), small_org, "viewer")


def test_a_write_that_leaves_no_history_fails(small_org):
    case = PageCase("mark notifications read", lambda o: "/notifications/read/", data=lambda o: {})
    with pytest.raises(AssertionError, match="left no history row"):
        pages.check_allowed(case, small_org, "viewer")


def test_rows_of_sees_a_row_changed_added_or_deleted(small_org):
    persona = create_persona({"name": "Student"}, acting_user=SYSTEM)
    before = pages.rows_of([Persona])
    update_persona(persona, {"description": "On a budget"}, expected_version=persona.version, acting_user=SYSTEM)
    assert pages.rows_of([Persona]) != before


def test_an_endpoint_said_to_refuse_a_role_that_it_lets_in_fails(small_org):
    endpoint = E("GET", "/teams", lambda w: "/teams", allowed="admin", refused="viewer")
    with pytest.raises(AssertionError):
        api_matrix.check_refused(endpoint, small_org)


def test_an_audited_endpoint_that_leaves_no_history_fails(small_org):
    endpoint = E("GET", "/teams", lambda w: "/teams", audited=True)
    with pytest.raises(AssertionError, match="history row"):
        api_matrix.check_allowed(endpoint, small_org)


def test_a_table_becomes_the_three_tests_for_every_case_and_persona():
    cases = [PageCase("home", lambda o: "/"), PageCase("people", lambda o: "/people/", ("admin",))]
    matrix = page_role_matrix(cases, org="small_org")
    params = {name: getattr(matrix, name).pytestmark[0].args[1] for name in (
        "test_anonymous_is_sent_to_sign_in", "test_refused_roles_get_403_with_a_reason",
        "test_allowed_roles_succeed_and_writes_are_recorded")}
    assert len(params["test_anonymous_is_sent_to_sign_in"]) == 2
    assert [p.id for p in params["test_refused_roles_get_403_with_a_reason"]] == [
        "people-keeper", "people-it_member", "people-sales_member", "people-viewer"]
    assert len(params["test_allowed_roles_succeed_and_writes_are_recorded"]) == 5 + 1

    endpoints = [E("GET", "/teams", lambda w: "/teams"), E("DELETE", "/teams/{id}", lambda w: "/teams/1",
                                                           allowed="admin", refused="keeper")]
    roles = endpoint_role_matrix(endpoints)
    refused = roles.test_wrong_role_is_refused_with_a_reason_and_nothing_written.pytestmark[0].args[1]
    assert [e.id for e in refused] == ["DELETE /teams/{id}"]
