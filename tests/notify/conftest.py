"""A real SMTP server on loopback (aiosmtpd), started and stopped by the tests, and Django's SMTP
backend pointed at it: what the notify tests read is what a mail server received."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from cxkeeper.testing.loopback import free_port

BASE_URL = "https://cx.example.org"
FROM = "cxkeeper <cx@example.org>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage


@dataclass
class Inbox:
    """What the server received, in order."""

    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [r.message for r in self.messages if address in r.rcpt_tos]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


@pytest.fixture
def smtp():
    """An SMTP server on 127.0.0.1 and the settings that send to it (no TLS on loopback)."""
    inbox = Inbox()
    port = free_port("127.0.0.1")
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                               EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_HOST_USER="",
                               EMAIL_HOST_PASSWORD="", DEFAULT_FROM_EMAIL=FROM, CXKEEPER_BASE_URL=BASE_URL):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Events are told after commit: run those callbacks inside the test's transaction, then the
    jobs they queued (at once today; queued once the database queue lands)."""
    from contextlib import contextmanager

    from cxkeeper.jobs import run_pending

    @contextmanager
    def running():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_pending()

    return running


def parts(message: email.message.EmailMessage) -> dict[str, str]:
    """content type → decoded text of each part of a message."""
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
