"""Absolute links: the address people open cxkeeper at, in one place.

E-mails, channel messages and webhooks have no request to ask, so they always use
``CXKEEPER_BASE_URL``. Downloads made from a page (planning exports, calendar files) use it too
when it is set — behind a proxy the request's own host may be an internal name — and the
request's address otherwise, so an unconfigured server still writes links that open.
"""

from __future__ import annotations

from django.conf import settings


def base_url(request=None) -> str:
    """The site's root address, ending in "/"."""
    if request is not None and not settings.CXKEEPER_BASE_URL_SET:
        return request.build_absolute_uri("/")
    return settings.CXKEEPER_BASE_URL.rstrip("/") + "/"


def absolute(url: str, request=None) -> str:
    """A site-relative address as a link that works outside the page (an e-mail, a chat, a file)."""
    if url.startswith(("http://", "https://")):
        return url
    return base_url(request) + (url or "").lstrip("/")
