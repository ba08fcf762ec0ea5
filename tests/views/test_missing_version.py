"""A page form that edits or deletes without its version is refused (issue 10, finding 8: a
POST with the `version` field missing silently overwrote a newer change)."""

from __future__ import annotations

from cxkeeper.core.forms import MISSING_VERSION, VersionedForm
from cxkeeper.journeys.models import Journey, Step


def test_a_form_editing_an_object_requires_its_version():
    editing = VersionedForm({}, initial={"version": 3})
    assert not editing.is_valid() and MISSING_VERSION in editing.non_field_errors()
    assert VersionedForm({"version": "3"}, initial={"version": 3}).is_valid()
    assert VersionedForm({}).is_valid()  # creating: there is no version yet


def test_an_edit_without_a_version_saves_nothing(client, small_org):
    client.force_login(small_org.keeper)
    journey = small_org.journey
    before = journey.version
    response = client.post(f"/journeys/{journey.slug}/edit/", {
        "name": "Overwritten", "description": "", "keeper": small_org.keeper.pk, "status": journey.status})
    assert response.status_code == 422 and "reload the page" in response.content.decode()
    journey.refresh_from_db()
    assert journey.name != "Overwritten" and journey.version == before


def test_a_delete_without_a_version_deletes_nothing(client, small_org):
    client.force_login(small_org.keeper)
    step = small_org.call_step
    response = client.post(f"/steps/{step.pk}/delete/", {})
    assert response.status_code == 422
    assert Step.objects.filter(pk=step.pk).exists()


def test_a_button_without_a_version_changes_nothing(client, small_org):
    client.force_login(small_org.keeper)
    journey = small_org.journey
    status = journey.status
    response = client.post(f"/journeys/{journey.slug}/publish/" if status != "published"
                           else f"/journeys/{journey.slug}/unpublish/", {}, follow=True)
    assert "reload the page" in response.content.decode()
    assert Journey.objects.get(pk=journey.pk).status == status
