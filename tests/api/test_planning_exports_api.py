"""Planning exports in the API (issue 15, item 7): the same files as the pages, for anyone with
a token; a bad layout is a documented 422."""

import csv
import io

import pytest

from cxkeeper.governance import planning_exports
from cxkeeper.testing import icalcheck
from cxkeeper.testing.planning_builders import HOSTILE_TITLE, build_planning

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(small_org):
    return build_planning(small_org)


def test_csv_and_ics_for_a_viewer(w, api_as):
    api = api_as(w.viewer)
    response = api.get("/initiatives/export.csv", {"layout": "jira"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert table[0][:3] == ["Issue ID", "Parent", "Summary"] and table[1][2] == "'" + HOSTILE_TITLE
    # the same bytes as the module writes for the same address (the links point at the server)
    assert response.content == planning_exports.initiatives_csv(layout="jira", base_url="http://testserver/").content
    plain = api.get("/action-items/export.csv")
    assert plain.status_code == 200 and plain.content.startswith(b"id,title,status,owner team")
    for path in ("/initiatives/export.ics", "/action-items/export.ics"):
        response = api.get(path)
        assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
        assert icalcheck.parse(response.content).name == "VCALENDAR"


def test_refusals(w, api_as):
    assert api_as(None).get("/initiatives/export.csv").status_code == 401
    bad = api_as(w.viewer).get("/action-items/export.csv", {"layout": "excel"})
    assert bad.status_code == 422 and "layout" in bad.content.decode()
    # the export paths do not shadow the items themselves
    assert api_as(w.viewer).get(f"/action-items/{w.it_action.pk}").json()["title"] == w.it_action.title
