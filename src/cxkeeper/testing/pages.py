"""Generic page checks: every page and form is tried anonymously, by roles that are refused
and by roles that are allowed, and every allowed write must leave a history row.

A test module declares only its cases (URL, who may, what to post); `check_page_case`
does the rest, so adding a page means adding one row to a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client

from cxkeeper.core.models import ChangeRecord

PERSONAS = ("admin", "keeper", "it_member", "sales_member", "viewer")


@dataclass
class PageCase:
    name: str
    url: Callable[[object], str]                 # org -> url
    allowed: tuple[str, ...] = PERSONAS          # personas who may
    data: Callable[[object], dict] | None = None  # org -> POST data; None means GET
    writes: bool = True                          # an allowed POST must record history
    ok_status: tuple[int, ...] = (200, 302)
    extra: dict = field(default_factory=dict)

    @property
    def method(self) -> str:
        return "post" if self.data is not None else "get"


def client_for(org, persona: str | None) -> Client:
    client = Client()
    if persona is not None:
        client.force_login(getattr(org, persona))
    return client


def prepare(case: PageCase, org, persona: str | None):
    """Build the request first: URL and data may create the objects they point at."""
    client = client_for(org, persona)
    url = case.url(org)
    if case.method == "post":
        data = case.data(org)
        return lambda: client.post(url, data)
    return lambda: client.get(url)


def check_anonymous(case: PageCase, org) -> None:
    send = prepare(case, org, None)
    before = ChangeRecord.objects.count()
    response = send()
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
        f"{case.name}: anonymous got {response.status_code}")
    assert ChangeRecord.objects.count() == before


def check_refused(case: PageCase, org, persona: str) -> None:
    send = prepare(case, org, persona)
    before = ChangeRecord.objects.count()
    response = send()
    assert response.status_code == 403, f"{case.name}: {persona} got {response.status_code}, expected 403"
    assert b'class="refusal"' in response.content, f"{case.name}: 403 without a reason"
    assert ChangeRecord.objects.count() == before, f"{case.name}: a refused {persona} changed something"


def check_allowed(case: PageCase, org, persona: str) -> None:
    send = prepare(case, org, persona)
    before = ChangeRecord.objects.count()
    response = send()
    assert response.status_code in case.ok_status, (
        f"{case.name}: {persona} got {response.status_code}: {response.content[:2000]!r}")
    if case.method == "post" and case.writes:
        assert ChangeRecord.objects.count() > before, f"{case.name}: the write left no history row"
