"""E-mail over SMTP (Django's SMTP backend, settings from the environment: docs/deployment.md).

`configured()` is False until an SMTP host is set: then choices of "by e-mail" keep the notice
in the app only, and no digest is sent (the CLI says why)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection

from cxkeeper.core import links

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
UNSUBSCRIBE_SALT = "cxkeeper.notify.unsubscribe"


def configured() -> bool:
    """An SMTP host is set, or another e-mail backend chosen on purpose (console, file)."""
    return bool(settings.EMAIL_HOST) or settings.EMAIL_BACKEND != SMTP_BACKEND


def absolute(url: str) -> str:
    """A site-relative address as a link that works from an e-mail (CXKEEPER_BASE_URL)."""
    return links.absolute(url)


def send(to: str, subject: str, text: str, html: str, *, headers: dict | None = None) -> None:
    """One message with a plain-text and an HTML part; raises when the server refuses it (the job
    is retried)."""
    message = EmailMultiAlternatives(subject=" ".join(subject.split())[:200], body=text,
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=[to], headers=headers or {},
                                     connection=get_connection(fail_silently=False))
    message.attach_alternative(html, "text/html")
    message.send()


def unsubscribe_token(user_id: int) -> str:
    """Signed, without expiry: the link in every digest works for as long as the person exists."""
    return signing.dumps({"u": user_id, "p": "digest"}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_id_of_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != "digest" or not isinstance(data.get("u"), int):
        return None
    return data["u"]
