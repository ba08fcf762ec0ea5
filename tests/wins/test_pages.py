"""Wins pages: the wall and a win's page read by everyone signed in (viewers too), anonymous sent
to sign in; anyone signed in adds kudos (history recorded); what the pages show — the chain back
to the friction point, credit with hidden heroes, kudos escaped, "cannot measure yet" with its
reason; and each team's wins on its scorecard and in the organization view."""

from __future__ import annotations

import pytest
from django.test import Client

from cxkeeper.testing.pages import PageCase, page_role_matrix
from cxkeeper.testing.wins_builders import build_wins_world
from cxkeeper.testing.worlds import class_world
from cxkeeper.wins.models import Kudos, Measurement

XSS = "<script>window.pwned=1</script>"

CASES = [
    PageCase("wins wall", lambda w: "/wins/"),
    PageCase("wins of a team", lambda w: f"/wins/?team={w.it.slug}"),
    PageCase("a win", lambda w: f"/wins/{w.win.pk}/"),
    PageCase("a result that is no win", lambda w: f"/wins/{Measurement.objects.get(initiative=w.quiet).pk}/"),
    PageCase("kudos", lambda w: f"/wins/{w.win.pk}/", data=lambda w: {"text": "Thank you, IT!"}),
]

TestWinsPages = page_role_matrix(CASES, build=build_wins_world, keeps=(Kudos,))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestWhatThePagesShow:
    world = class_world(build_wins_world)

    def test_the_wall_celebrates_wins_and_says_what_is_not_one(self, world):
        page = signed_in(world.viewer).get("/wins/").content.decode()
        assert "Fix the password reset" in page and "hidden hero" in page
        assert "New repair tracker" in page and "Regressions" in page  # the regression, flagged
        assert "Clearer status page" in page and "No credible change" in page
        assert "Friendlier hold music" in page and "names no metric" in page  # cannot measure yet, with why
        assert "Call-back button" not in page  # not shipped: not measured
        sales = signed_in(world.viewer).get(f"/wins/?team={world.sales.slug}").content.decode()
        assert "Fix the password reset" not in sales.split("Regressions")[0]

    def test_a_win_shows_its_chain_credit_and_escaped_kudos(self, world):
        client = signed_in(world.viewer)
        response = client.post(f"/wins/{world.win.pk}/", {"text": f"Thanks {XSS}"})
        assert response.status_code == 302
        page = client.get(f"/wins/{world.win.pk}/").content.decode()
        assert world.friction_point.get_absolute_url() in page and world.fix.get_absolute_url() in page
        assert "Change the mail provider" in page  # the decided option
        assert "IT</a> — leads" in page and "hidden hero" in page
        assert XSS not in page and "&lt;script&gt;" in page
        bad = client.post(f"/wins/{world.win.pk}/", {"text": "x" * 600})
        assert bad.status_code == 422 and Kudos.objects.count() == 1
        quiet = Measurement.objects.get(initiative=world.quiet)
        no_form = client.get(f"/wins/{quiet.pk}/").content.decode()
        assert "Add kudos" not in no_form
        assert client.get("/wins/999999/").status_code == 404

    def test_home_shows_the_wins_of_my_teams_only(self, world):
        it_home = signed_in(world.it_member).get("/").content.decode()
        assert 'id="recent-wins"' in it_home and "Fix the password reset" in it_home
        sales_home = signed_in(world.sales_member).get("/").content.decode()
        assert "Fix the password reset" not in sales_home.split('id="recent-wins"')[1].split("</section>")[0]
        assert "No wins measured for your teams yet" in sales_home

    def test_scorecards_and_the_organization_view_show_wins(self, world):
        client = signed_in(world.viewer)
        it = client.get(f"/scorecards/{world.it.slug}/").content.decode()
        assert "Fix the password reset" in it and "hidden hero" in it
        sales = client.get(f"/scorecards/{world.sales.slug}/").content.decode()
        assert "No credible win measured yet" in sales
        org = client.get("/scorecards/organization/").content.decode()
        assert "Fix the password reset" in org and "IT (leads, hidden hero)" in org
