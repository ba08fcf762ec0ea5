"""`next` only to this site (issue 10, finding 12: `next=https://evil.example/` after
rerouting feedback sent the person away)."""

from __future__ import annotations

import pytest

from cxkeeper.core.views import safe_next

from .test_pages import load_feedback, queued


@pytest.mark.parametrize("value,expected", [
    ("/feedback/review/?page=2", "/feedback/review/?page=2"),
    ("https://evil.example/", "/fallback/"),
    ("//evil.example/path", "/fallback/"),
    ("javascript:alert(1)", "/fallback/"),
    ("http://testserver/journeys/", "http://testserver/journeys/"),
    ("", "/fallback/"),
    (None, "/fallback/"),
])
def test_next_stays_on_this_site(rf, value, expected):
    assert safe_next(rf.get("/"), value, "/fallback/") == expected


def test_rerouting_feedback_never_redirects_off_site(client, small_org):
    org = load_feedback(small_org)
    client.force_login(org.keeper)
    response = client.post(f"/feedback/{queued(org).pk}/route/",
                           {"step": org.login_step.pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/feedback/review/"
