"""The wins API (`/wins`, `/wins/{id}`, `/wins/{id}/kudos`, `/initiatives/{id}/impact`) in a role
matrix — everyone signed in reads and adds kudos, viewers too; anonymous 401 — and its answers:
filters, a win's statistics and teams, "cannot measure yet" with the reason, bad input 422
naming the field with nothing stored."""

from __future__ import annotations

import pytest

from cxkeeper.testing.api_matrix import ApiClient, E, endpoint_role_matrix
from cxkeeper.testing.wins_builders import build_wins_world
from cxkeeper.testing.worlds import class_world
from cxkeeper.wins.models import Kudos, Measurement

ENDPOINTS = [
    E("GET", "/wins", lambda w: "/wins"),
    E("GET", "/wins/{id}", lambda w: f"/wins/{w.win.pk}"),
    E("GET", "/wins/{id}/kudos", lambda w: f"/wins/{w.win.pk}/kudos"),
    E("POST", "/wins/{id}/kudos", lambda w: f"/wins/{w.win.pk}/kudos", lambda w: {"text": "Thank you, IT!"}),
    E("GET", "/initiatives/{id}/impact", lambda w: f"/initiatives/{w.fix.pk}/impact"),
]

TestWinsEndpoints = endpoint_role_matrix(ENDPOINTS, build=build_wins_world, keeps=(Kudos,))


@pytest.mark.django_db
class TestWinsAnswers:
    world = class_world(build_wins_world)

    def test_the_list_filters_by_team_and_verdict(self, world):
        api = ApiClient(world.viewer)
        wins = api.get("/wins").json()
        assert [(r["initiative"], r["metric"], r["verdict"]) for r in wins["items"]] == [
            ("Fix the password reset", "ces", "win")]
        first = wins["items"][0]
        assert first["teams"][0] == {"team": "IT", "role": "leads", "hidden_hero": True, "office": "back",
                                     "customer_facing": False}
        assert first["low"] > 0 and first["interval_text"] and first["n_before"] > 0 and first["sentence"]
        assert api.get("/wins", {"team": "Sales"}).json()["items"] == []
        every = api.get("/wins", {"verdict": "all"}).json()["items"]
        assert {r["verdict"] for r in every} == {"win", "no_credible_change", "worse", "cannot_measure"}
        worse = api.get("/wins", {"verdict": "worse", "team": "Sales"}).json()["items"]
        assert [r["initiative"] for r in worse] == ["New repair tracker"]
        assert api.get("/wins", {"verdict": "maybe"}).status_code == 422
        response = api.get("/wins", {"team": "Nobody"})
        assert response.status_code == 422 and "team" in response.content.decode()

    def test_a_win_with_its_statistics_and_an_initiative_impact(self, world):
        api = ApiClient(world.viewer)
        win = api.get(f"/wins/{world.win.pk}").json()
        assert win["details"]["method"] and win["details"]["comparison_steps"]
        assert api.get("/wins/999999").status_code == 404
        impact = api.get(f"/initiatives/{world.fix.pk}/impact").json()
        assert impact["measurable"] and impact["problem"] is None and impact["results"][0]["verdict"] == "win"
        unshipped = api.get(f"/initiatives/{world.unshipped.pk}/impact").json()
        assert not unshipped["measurable"] and unshipped["problem"].startswith("Cannot measure yet:")
        assert unshipped["results"] == []
        no_metric = api.get(f"/initiatives/{world.no_metric.pk}/impact").json()
        assert "names no metric" in no_metric["problem"]
        assert api.get("/initiatives/999999/impact").status_code == 404

    def test_kudos_bad_input_is_refused_and_nothing_stored(self, world):
        api = ApiClient(world.viewer)
        for body in ({"text": ""}, {"text": "x" * 501}):
            response = api.post(f"/wins/{world.win.pk}/kudos", body)
            assert response.status_code == 422 and "text" in response.json()["errors"], response.content
        quiet = Measurement.objects.get(initiative=world.quiet, key="ces")
        assert api.post(f"/wins/{quiet.pk}/kudos", {"text": "Well done"}).status_code == 422
        assert not Kudos.objects.exists()
        made = api.post(f"/wins/{world.win.pk}/kudos", {"text": "<script>x</script> thanks"})
        assert made.status_code == 201 and made.json()["author"] == "vic"
        assert api.get(f"/wins/{world.win.pk}/kudos").json()[0]["text"] == "<script>x</script> thanks"
