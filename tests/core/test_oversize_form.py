"""A web form larger than the server accepts: 413 with a page saying why, nothing stored
(issue 10's leftover: Django alone answers a bare 400). The API keeps its own JSON 413
(tests/api/test_every_answer_documented.py)."""

from __future__ import annotations

import pytest

from cxkeeper.org.models import GlossaryTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper_client(client, small_org):
    client.force_login(small_org.keeper)
    return client


def test_an_oversize_form_gets_413_with_a_clear_message_and_nothing_is_stored(keeper_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = keeper_client.post("/glossary/new/", {"term": "Churn", "definition": "x" * 20_000})
    assert response.status_code == 413
    page = response.content.decode()
    assert "larger than this server accepts" in page and "CXKEEPER_MAX_REQUEST_BYTES" in page
    assert "Nothing was saved" in page or "nothing was saved" in page
    assert not GlossaryTerm.objects.filter(term="Churn").exists()


def test_too_many_fields_get_413(keeper_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    fields = {f"field{i}": "1" for i in range(80)}
    response = keeper_client.post("/glossary/new/", {"term": "Churn", "definition": "d", **fields})
    assert response.status_code == 413
    assert "more fields or files" in response.content.decode()
    assert not GlossaryTerm.objects.filter(term="Churn").exists()


def test_a_form_within_the_limit_is_saved(keeper_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = keeper_client.post("/glossary/new/", {"term": "Churn", "definition": "x" * 500})
    assert response.status_code == 302
    assert GlossaryTerm.objects.filter(term="Churn").exists()


def test_a_signed_out_oversize_post_is_sent_to_sign_in_unread(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = client.post("/glossary/new/", {"term": "Churn", "definition": "x" * 5_000})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
