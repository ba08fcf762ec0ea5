"""The friction page, API and CLI on a journey with a planted problem."""

import datetime as dt

import pytest
from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions
from cxkeeper.insights.ingest import CanonicalRow
from cxkeeper.org.actions import create_api_token

END = dt.date(2026, 5, 31)


@pytest.fixture
def planted(small_org):
    """Eight weeks of feedback: the login step turns bad in the last four weeks."""
    source = actions.create_source({"name": "Survey"}, acting_user=SYSTEM)
    rows = []
    for day in range(56):
        date = END - dt.timedelta(days=55 - day)
        for k in range(12):
            late = day >= 28
            login = k % 2 == 0
            text = "I cannot log in to the app, awful" if login and late else (
                "log in to the app worked" if login else "Called the helpline, fine")
            nps = (1 if late else 9) if login else 8
            rows.append(CanonicalRow(external_id=f"{day}-{k}", received_at=dt.datetime.combine(
                date, dt.time(10, k), tzinfo=dt.UTC), channel="app", row_number=len(rows) + 2, text=text, nps=nps,
                step=small_org.login_step.name if login else small_org.call_step.name))
    actions.ingest_feedback_batch(source, rows)
    return small_org


def test_friction_page_explains_the_signal(planted):
    client = Client()
    client.force_login(planted.viewer)
    page = client.get(f"/feedback/friction/?journey={planted.journey.slug}&window=28")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Log in to the app" in html and "IT" in html  # the step and its owning team
    assert "signal" in html


def test_friction_api_and_cli_agree(planted):
    token = create_api_token(planted.viewer, "t", acting_user=SYSTEM)[1]
    body = Client().get(f"/api/v1/metrics/friction?journey={planted.journey.slug}",
                        HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["as_of"] == END.isoformat()
    login = [s for s in body["signals"] if s["step_name"] == "Log in to the app"]
    assert login and login[0]["difference"] < 0 and "IT" in login[0]["teams"]
    assert login[0]["customers_affected"] == login[0]["current"]["n"]
    assert login[0]["impact"] == pytest.approx(login[0]["customers_affected"] * login[0]["times_minimum"])
    assert [s["impact"] for s in body["signals"]] == sorted((s["impact"] for s in body["signals"]), reverse=True)
    result = CliRunner().invoke(app, ["friction", "--journey", planted.journey.slug, "--json"])
    assert result.exit_code == 0, result.output
    assert "Log in to the app" in result.output


def test_friction_needs_sign_in(db):
    assert Client().get("/feedback/friction/").status_code == 302
    assert Client().get("/api/v1/metrics/friction").status_code == 401


def test_keeper_adds_theme_phrases_to_a_step_and_members_cannot(small_org):
    client = Client()
    client.force_login(small_org.keeper)
    response = client.post(f"/steps/{small_org.call_step.pk}/phrases-from-theme/",
                           {"phrase": ["on hold for ages", "nobody answers the phone"], "version": 1})
    assert response.status_code == 302
    small_org.call_step.refresh_from_db()
    assert small_org.call_step.phrases[-2:] == ["on hold for ages", "nobody answers the phone"]
    member = Client()
    member.force_login(small_org.sales_member)
    refused = member.post(f"/steps/{small_org.call_step.pk}/phrases-from-theme/",
                          {"phrase": ["x"], "version": small_org.call_step.version})
    assert refused.status_code == 403
