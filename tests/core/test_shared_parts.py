"""Rendered parts shared between people (`{% shared %}`, core/templatetags/shared.py) and the
per-process memo of stored figures (core.figures): nothing of one person reaches another, each
form carries the asking person's own CSRF token, role-dependent parts follow the role, and an
edit is on the next page at once.

These tests commit (`transactional_db`): a data version moves when a write commits."""

from __future__ import annotations

import pickle
import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template import Context, Template
from django.test import Client

from cxkeeper.core import figures
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import StoredFigure
from cxkeeper.core.templatetags.shared import CSRF_PLACEHOLDER, PersonalInSharedPart
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.outcomes_builders import build_outcomes

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_TOKEN = re.compile(r'"X-CSRFToken": "[^"]+"')


@pytest.fixture
def org(transactional_db):
    org = build_small_org()
    build_outcomes(org)
    return org


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def pages(org) -> list[str]:
    return [f"/journeys/{org.journey.slug}/", f"/journeys/{org.journey.slug}/heatmap/",
            f"/steps/{org.login_step.pk}/insights/", f"/scorecards/{org.it.slug}/", "/scorecards/organization/", "/"]


def test_role_dependent_parts_follow_the_role_whoever_came_first(org):
    viewer, keeper, admin = signed_in(org.viewer), signed_in(org.keeper), signed_in(org.admin)
    map_page = f"/journeys/{org.journey.slug}/"
    # the viewer renders the shared parts first; the keeper must still get the keeper's tools
    viewer_html = viewer.get(map_page).content.decode()
    keeper_html = keeper.get(map_page).content.decode()
    assert "Move Log in to the app up" not in viewer_html
    assert "Move Log in to the app up" in keeper_html
    assert "Move Log in to the app up" not in viewer.get(map_page).content.decode()
    # the main menu: People only for the admin, whoever rendered it first
    assert ">People</a>" in admin.get("/").content.decode()
    assert ">People</a>" not in keeper.get("/").content.decode()
    assert ">Import</a>" not in viewer.get("/").content.decode()
    assert ">Import</a>" in keeper.get("/").content.decode()


def test_no_person_sees_another_persons_name_or_token(org):
    people = [org.keeper, org.it_member, org.viewer, org.admin]
    clients = {user.username: signed_in(user) for user in people}
    for path in pages(org):
        for _ in range(2):  # the second round comes from the shared parts
            for name, client in clients.items():
                response = client.get(path)
                assert response.status_code == 200, (path, name)
                html = response.content.decode()
                assert CSRF_PLACEHOLDER not in html
                others = {u.username for u in people} - {name}
                shown = set(re.findall(r'<summary>(\w+) <span class="role-pill"', html))
                assert shown == {name}, (path, name, shown)
                assert not any(f"<summary>{other} " in html for other in others)
                # every form on the page carries this person's own token
                secret = client.cookies["csrftoken"].value
                for token in TOKEN.findall(html):
                    assert _unmask_cipher_token(token) == secret, (path, name)


def test_a_form_in_a_shared_part_posts_with_the_askers_token(org):
    """The keeper's "move step" form on the journey map, rendered first for another keeper."""
    second_keeper = org_actions.create_person(
        username="kate", password="correct horse battery", role="keeper", teams=(), acting_user=SYSTEM,
        full_name="Kate", email="kate@example.com").user
    first, second = signed_in(org.keeper), signed_in(second_keeper)
    map_page = f"/journeys/{org.journey.slug}/"
    first.get(map_page)
    html = second.get(map_page).content.decode()
    form = re.search(r'<form method="post" action="(/steps/\d+/down/)">.*?value="([^"]+)">'
                     r'<input type="hidden" name="version" value="(\d+)">', html)
    assert form, "the keeper's step tools are on the map"
    action, token, version = form.groups()
    response = second.post(action, {"csrfmiddlewaretoken": token, "version": version})
    assert response.status_code in (200, 302), response.status_code  # not 403: the token is kate's


def test_an_edit_is_on_the_next_page_at_once(org):
    keeper = signed_in(org.keeper)
    map_page = f"/journeys/{org.journey.slug}/"
    assert "Log in to the app" in keeper.get(map_page).content.decode()
    step = org.login_step
    step.refresh_from_db()
    journey_actions.update_step(step, {"name": "Sign in with a passkey"}, expected_version=step.version,
                                acting_user=SYSTEM)
    html = keeper.get(map_page).content.decode()
    start = html.index('<section id="blueprint"')
    blueprint = html[start:html.index("</section>", start)]
    assert "Sign in with a passkey" in blueprint and "Log in to the app" not in blueprint


def test_pages_equal_the_same_pages_rendered_afresh(org):
    keeper = signed_in(org.keeper)

    def without_tokens(html: str) -> str:
        return HEADER_TOKEN.sub("", TOKEN.sub("", html))

    for path in pages(org):
        keeper.get(path)
        stored = without_tokens(keeper.get(path).content.decode())
        with figures.computed_fresh():
            fresh = without_tokens(keeper.get(path).content.decode())
        assert stored == fresh, path


def test_a_shared_part_that_uses_the_person_fails_loudly(org):
    for used in ("{{ user }}", "{{ user.username }}", "{% if request.user %}x{% endif %}", "{{ perms.core }}",
                 "{{ unread_notifications }}"):
        template = Template("{% load shared %}{% shared 'test-part' %}" + used + "{% endshared %}")
        with pytest.raises(PersonalInSharedPart):
            template.render(Context({"user": org.keeper, "current_role": "keeper", "request": None,
                                     "unread_notifications": 3}))


# ---------------------------------------------------------------- the memo of stored figures


def test_the_memo_is_used_only_for_the_same_stored_write(org):
    calls = []

    def compute():
        calls.append(1)
        return {"value": len(calls)}

    first = figures.figure("test.memo", ("a",), compute)
    again = figures.figure("test.memo", ("a",), compute)
    assert again is first and len(calls) == 1  # the same object, no unpickling, no computing
    # another process rewrites the row (same key and stamp, a new write): the memo is not used
    row = StoredFigure.objects.get(key=figures.figure_key("test.memo", ("a",)))
    StoredFigure.objects.filter(pk=row.pk).update(value=pickle.dumps({"value": 99}),
                                                  computed_at=row.computed_at.replace(microsecond=(
                                                      row.computed_at.microsecond + 1) % 1_000_000))
    assert figures.figure("test.memo", ("a",), compute) == {"value": 99}
    # a moved data version: computed again
    figures.data_changed(figures.RECORDS)
    assert figures.figure("test.memo", ("a",), compute) == {"value": 2}
    # the row gone (a rolled-back or dropped figure): computed again, never the memo
    StoredFigure.objects.all().delete()
    assert figures.figure("test.memo", ("a",), compute) == {"value": 3}


def test_a_reader_changing_a_shared_figure_is_caught(org):
    value = figures.figure("test.changed", (), lambda: {"items": [1, 2]})
    value["items"].append(3)  # a reader changing what it was handed
    with pytest.raises(AssertionError, match="changed by a reader"):
        figures.figure("test.changed", (), lambda: {"items": [1, 2]})
    figures.forget_memo()
