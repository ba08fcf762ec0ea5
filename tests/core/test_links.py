"""Absolute links come from one place (core/links.py): the configured address when it is set,
the request's own address for page downloads when it is not."""

from django.test import RequestFactory, override_settings

from cxkeeper.channels import formats
from cxkeeper.core import links
from cxkeeper.notify import mail


def test_messages_use_the_configured_address():
    with override_settings(CXKEEPER_BASE_URL="https://cx.example.com", CXKEEPER_BASE_URL_SET=True):
        assert mail.absolute("/steps/4/") == "https://cx.example.com/steps/4/"
        assert formats.absolute("steps/4/") == "https://cx.example.com/steps/4/"
        assert formats.absolute("") == "https://cx.example.com/"
        assert mail.absolute("https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_page_downloads_follow_the_request_until_an_address_is_set():
    request = RequestFactory().get("/initiatives/export.csv", HTTP_HOST="cx.internal:8000")
    with override_settings(ALLOWED_HOSTS=["cx.internal"], CXKEEPER_BASE_URL="https://cx.example.com",
                           CXKEEPER_BASE_URL_SET=False):
        assert links.absolute("/initiatives/3/", request) == "http://cx.internal:8000/initiatives/3/"
        assert links.base_url(request) == "http://cx.internal:8000/"
    with override_settings(ALLOWED_HOSTS=["cx.internal"], CXKEEPER_BASE_URL="https://cx.example.com",
                           CXKEEPER_BASE_URL_SET=True):
        assert links.absolute("/initiatives/3/", request) == "https://cx.example.com/initiatives/3/"
