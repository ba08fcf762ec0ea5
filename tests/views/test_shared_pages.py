"""The pages every app shares: the one delete confirmation, history of every versioned kind of
object (derived, not listed), the team page among the org pages, and the page header."""

import pytest
from django.test import Client
from django.urls import resolve, reverse

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.core.queries import history_kinds
from cxkeeper.initiatives.actions import raise_friction_point
from cxkeeper.journeys.actions import create_persona
from cxkeeper.org.actions import add_glossary_term, update_team, update_workspace
from cxkeeper.org.models import Team
from cxkeeper.outcomes.models import SharedOutcome
from cxkeeper.testing.outcomes_builders import build_outcomes

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- one delete confirmation


def test_the_question_names_what_goes_and_what_goes_with_it(small_org):
    page = as_user(small_org.admin).get(f"/teams/{small_org.it.slug}/delete/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Delete team “IT”?" in text
    responsibilities = small_org.it.responsibilities.count()
    assert responsibilities == 1 and "Its 1 responsibility and" in text  # org → journeys, explained
    assert "Every removal is kept in history." in text
    assert f'name="version" value="{small_org.it.version}"' in text
    assert Team.objects.filter(pk=small_org.it.pk).exists()  # asking deletes nothing


def test_a_stale_question_is_refused_with_the_conflict_and_nothing_deleted(small_org):
    stale = small_org.sales.version
    update_team(small_org.sales, {"description": "We sell broadband."}, expected_version=stale, acting_user=SYSTEM)
    before = ChangeRecord.objects.count()
    response = as_user(small_org.admin).post(f"/teams/{small_org.sales.slug}/delete/", {"version": stale})
    assert response.status_code == 409
    text = response.content.decode()
    assert "was changed by someone else" in text and "Nothing was saved" in text
    assert Team.objects.filter(pk=small_org.sales.pk).exists()
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("kind", ["glossary term", "persona", "friction point"])
def test_the_answer_deletes_through_the_action_and_goes_on_with_a_message(kind, small_org):
    if kind == "glossary term":
        obj = add_glossary_term("CES", "Customer effort score.", acting_user=SYSTEM)
        url, after = f"/glossary/{obj.pk}/delete/", "/glossary/"
    elif kind == "persona":
        obj = create_persona({"name": "Student"}, acting_user=SYSTEM)
        url, after = f"/personas/{obj.pk}/delete/", "/personas/"
    else:
        obj = raise_friction_point({"title": "Reset e-mails arrive late", "step": small_org.login_step},
                                   acting_user=small_org.it_member)
        url, after = f"/friction-points/{obj.pk}/delete/", "/friction-points/"
    client = as_user(small_org.keeper)
    response = client.post(url, {"version": obj.version})
    assert response.status_code == 302 and response["Location"] == after
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    # (a friction point's delete also records the deletes of its affected teams: other content types)
    deleted = ChangeRecord.objects.filter(object_id=obj.pk, action="delete",
                                          content_type__model=type(obj)._meta.model_name).get()
    assert deleted.actor == small_org.keeper and deleted.content_type.model_class() is type(obj)
    assert "deleted" in client.get(after).content.decode()


def test_a_refusal_naming_what_depends_on_it_is_shown_as_it_is(small_org):
    effort = build_outcomes(small_org).effort  # it has targets
    response = as_user(small_org.keeper).post(f"/outcomes/{effort.pk}/delete/", {"version": effort.version})
    assert response.status_code == 422
    assert f"“{effort.name}” still has {effort.targets.count()} target(s)." in response.content.decode()
    assert SharedOutcome.objects.filter(pk=effort.pk).exists()


# ---------------------------------------------------------------- history of every versioned kind


def test_every_versioned_model_has_history_and_nothing_else_does():
    kinds = {(app, model) for app, model, _ in history_kinds()}
    assert {("org", "team"), ("journeys", "step"), ("outcomes", "sharedoutcome"),
            ("initiatives", "frictionpoint"), ("insights", "feedbacksource")} <= kinds
    assert ("core", "changerecord") not in kinds and ("core", "notification") not in kinds


def test_the_activity_filter_offers_each_kind_by_its_plain_name(small_org):
    text = as_user(small_org.viewer).get("/activity/").content.decode()
    assert '<option value="frictionpoint">Friction point</option>' in text
    assert '<option value="glossaryterm">Glossary term</option>' in text
    assert ">frictionpoint<" not in text


def test_a_friction_point_has_a_history_page_and_a_change_record_does_not(small_org):
    fp = raise_friction_point({"title": "Reset e-mails arrive late", "step": small_org.login_step},
                              acting_user=small_org.it_member)
    client = as_user(small_org.viewer)
    assert "Reset e-mails arrive late" in client.get(f"/history/initiatives/frictionpoint/{fp.pk}/").content.decode()
    record = ChangeRecord.objects.first()
    assert client.get(f"/history/core/changerecord/{record.pk}/").status_code == 404


# ---------------------------------------------------------------- the team page and the header


def test_the_team_page_keeps_its_place_among_the_org_pages(small_org):
    url = reverse("org:team", args=[small_org.it.slug])
    assert url == f"/teams/{small_org.it.slug}/" == small_org.it.get_absolute_url()
    assert resolve(url).func.__module__ == "cxkeeper.journeys.views"
    assert resolve("/teams/new/").url_name == "team_create"  # "new" is not a team
    text = as_user(small_org.viewer).get(url).content.decode()
    assert "Every step IT impacts" in text and "Log in to the app" in text


def test_every_page_header_shows_the_north_star_and_who_is_signed_in(small_org):
    update_workspace({"name": "Acme Broadband"}, expected_version=1, acting_user=SYSTEM)
    text = as_user(small_org.keeper).get("/glossary/").content.decode()
    assert "Acme Broadband" in text and 'class="role-pill"' in text
    # The Inbox link's name begins with what it shows (WCAG 2.5.3): "Inbox 0 unread".
    assert 'Inbox <span class="badge">0</span><span class="sr-only"> unread</span>' in text
