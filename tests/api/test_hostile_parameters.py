"""No parameter answers a server error (issue 10, finding 10): an offset beyond every database
integer (343 of the 356 server errors schemathesis found) and non-ASCII digits such as "³",
which `str.isdigit()` accepts and `int()` refuses, on every list endpoint, page filter and
form field that takes an id or a version."""

from __future__ import annotations

import pytest
from django.test import Client

from cxkeeper.core.params import parse_id

PREFIX = "/api/v1"
HOSTILE = ["9223372036854775808", "³", "٣", "-1", "1e3", " 12 ", "", "99999999999999999999999"]


@pytest.mark.parametrize("text,expected", [
    ("12", 12), (" 12 ", 12), ("0", 0), ("9223372036854775807", 2**63 - 1), ("9223372036854775808", None),
    ("³", None), ("٣", None), ("-1", None), ("1e3", None), ("", None), (None, None), (True, None), (7, 7),
])
def test_an_id_is_ascii_digits_within_range(text, expected):
    assert parse_id(text) == expected


def _list_paths(client) -> list[str]:
    schema = client.get(f"{PREFIX}/openapi.json").json()
    return [path for path, operations in schema["paths"].items() if "get" in operations and "{" not in path]


def test_no_list_endpoint_answers_500_to_a_hostile_parameter(world, api_as):
    client = api_as(world.admin)
    reader = Client()
    reader.force_login(world.viewer)
    paths = _list_paths(reader)
    assert len(paths) > 10, paths
    failures = []
    for path in paths:
        for value in HOSTILE:
            for name in ("offset", "limit", "journey", "step", "stage", "team", "version", "metric", "outcome"):
                response = client.get(path.removeprefix(PREFIX), {name: value})
                if response.status_code >= 500:
                    failures.append((path, name, value, response.status_code))
    assert failures == []


def test_a_huge_offset_is_refused_with_a_named_field(world, api_as):
    response = api_as(world.admin).get("/steps", {"offset": "9223372036854775808"})
    assert response.status_code == 422 and "offset" in response.content.decode()


@pytest.mark.parametrize("url", [
    "/activity/?journey=³", "/activity/?journey=9223372036854775808", "/friction-points/?step=³",
    "/targets/new/?outcome=³", "/scorecards/organization/?days=³",
])
def test_pages_read_hostile_ids_as_no_such_object(client, small_org, url):
    client.force_login(small_org.admin)
    assert client.get(url).status_code < 500


@pytest.mark.parametrize("version", ["³", "٣", "9223372036854775808", "-1"])
def test_a_hostile_version_in_a_page_form_changes_nothing_and_is_no_500(client, small_org, version):
    """The `version=³` form field of finding 10: an edit, a delete and a button."""
    client.force_login(small_org.keeper)
    journey, step = small_org.journey, small_org.call_step
    before = journey.version
    edit = client.post(f"/journeys/{journey.slug}/edit/", {
        "name": "Overwritten", "description": "", "keeper": small_org.keeper.pk, "status": journey.status,
        "version": version})
    delete = client.post(f"/steps/{step.pk}/delete/", {"version": version})
    status = journey.status
    button = client.post(f"/journeys/{journey.slug}/{'unpublish' if status == 'published' else 'publish'}/",
                         {"version": version})
    assert {edit.status_code, delete.status_code} <= {409, 422}, (edit.status_code, delete.status_code)
    assert button.status_code < 500  # the button answers with a redirect and a message
    journey.refresh_from_db()
    assert journey.name != "Overwritten" and journey.version == before and journey.status == status
    assert type(step).objects.filter(pk=step.pk).exists()
