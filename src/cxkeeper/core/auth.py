"""One sign-in limit for every path that checks a password.

The limit lives in the authentication backend (`RateLimitedModelBackend`), not in a view, so
the sign-in page, Django admin's login and anything else calling `authenticate()` share it;
the password-change form uses the same gate for its "old password" check.

How it counts (OWASP's "device cookie" scheme, so a lock cannot be used against someone):

* the username is normalized exactly as the sign-in form does (surrounding whitespace stripped,
  Unicode NFKC) and case-folded, so "tomas ", "\\ttomas" and fullwidth "ｔｏｍａｓ" share one
  counter;
* a browser that has signed in as a person before carries a signed *device cookie* for that
  person. Its attempts are counted on that device alone and are never blocked by failures from
  elsewhere — a stranger's five wrong passwords for "tomas" lock out strangers, not Tomas at
  his own desk;
* attempts without a device cookie are counted per username and per client address (the
  address from a configured trusted proxy header when behind one, so one office behind a
  proxy does not share a single counter with the whole internet);
* every attempt is reserved *before* the password is checked, under a lock on its counters,
  and released only on success: concurrent wrong tries cannot be evaluated more than the limit.

Failures live in the database (not process memory) so the limit holds across every worker.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from cxkeeper.core import sso
from cxkeeper.core.errors import Forbidden
from cxkeeper.core.models import LoginFailure, LoginGate

DEVICE_COOKIE = "cxkeeper_device"
DEVICE_SALT = "cxkeeper.core.auth.device"
DEVICE_COOKIE_DAYS = 180
ADDRESS_FACTOR = 4  # an address may fail more often than one username: many people share one


def normalized_username(raw) -> str:
    """The key every counter uses: what the sign-in form would sign in as, case-folded."""
    return unicodedata.normalize("NFKC", str(raw or "")).strip().casefold()[:150]


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or — when the deployment names a trusted proxy header
    (CXKEEPER_TRUSTED_PROXY_HEADER, e.g. X-Forwarded-For) — the entry that the trusted proxies
    appended (CXKEEPER_TRUSTED_PROXY_COUNT from the right), never one a client could forge."""
    if request is None:
        return ""
    header = settings.CXKEEPER_TRUSTED_PROXY_HEADER
    if header:
        values = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
        count = max(1, settings.CXKEEPER_TRUSTED_PROXY_COUNT)
        if len(values) >= count:
            return values[-count][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def device_of(request, username: str) -> str:
    """The device id of a browser that signed in as `username` before, else ""."""
    if request is None:
        return ""
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        owner, device = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_DAYS * 86400)
    except (signing.BadSignature, ValueError, TypeError):
        return ""
    return str(device)[:64] if owner == username else ""


def _window_start():
    return timezone.now() - timedelta(seconds=settings.CXKEEPER_LOGIN_WINDOW_SECONDS)


@dataclass
class SignInGate:
    """The counters one attempt is checked against: a trusted device's own, or the username's
    and the address's for everyone else."""

    username: str
    address: str
    device: str = ""
    purpose: str = "sign-in"

    def _limits(self) -> list[tuple[str, dict, int]]:
        limit = settings.CXKEEPER_LOGIN_MAX_FAILURES
        if self.device:
            return [(f"device:{self.device}", {"device": self.device}, limit)]
        limits = [(f"{self.purpose}:user:{self.username}",
                   {"username": self.username, "device": "", "purpose": self.purpose}, limit)]
        if self.address:
            limits.append((f"address:{self.address}", {"address": self.address, "device": ""},
                           limit * ADDRESS_FACTOR))
        return limits

    def reserve(self) -> tuple[int, LoginFailure | None]:
        """Count this attempt as a failure in advance (released on success). Returns the
        seconds to wait when the limit is already reached (and reserves nothing), else 0 and the
        reservation. Concurrent attempts on the same counters queue on their gate rows."""
        limits = self._limits()
        keys = sorted(key for key, _, _ in limits)
        for key in keys:
            LoginGate.objects.get_or_create(key=key)
        since = _window_start()
        with transaction.atomic():
            list(LoginGate.objects.select_for_update().filter(key__in=keys).order_by("key"))
            # A write first: on SQLite it takes the database's write lock, on PostgreSQL the rows
            # above are locked already; either way the count below cannot race another attempt.
            LoginGate.objects.filter(key__in=keys).update(touched_at=timezone.now())
            for _, conditions, allowed in limits:
                failures = LoginFailure.objects.filter(**conditions, at__gte=since).order_by("-at")
                if failures.count() >= allowed:
                    oldest_counted = failures.values_list("at", flat=True)[allowed - 1]
                    window = timedelta(seconds=settings.CXKEEPER_LOGIN_WINDOW_SECONDS)
                    return max(1, int((oldest_counted + window - timezone.now()).total_seconds())), None
            reservation = LoginFailure.objects.create(username=self.username, address=self.address,
                                                      device=self.device, purpose=self.purpose)
        return 0, reservation

    def succeeded(self, reservation: LoginFailure | None) -> None:
        """The password was right: this attempt is not a failure, and the counter it was checked
        against starts again (the person proved who they are)."""
        if reservation is not None:
            reservation.delete()
        key, conditions, _ = self._limits()[0]
        LoginFailure.objects.filter(**conditions).delete()


def gate_for(request, username: str, *, purpose: str = "sign-in") -> SignInGate:
    name = normalized_username(username)
    return SignInGate(username=name, address=client_address(request),
                      device=device_of(request, name) if purpose == "sign-in" else "", purpose=purpose)


def wait_message(seconds: int, what: str = "sign-ins") -> str:
    minutes = max(1, (seconds + 59) // 60)
    return f"Too many failed {what}. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


class RateLimitedModelBackend(ModelBackend):
    """Django's username/password check behind the shared gate. When the gate is closed it
    raises PermissionDenied, which stops `authenticate()` from trying any other backend, and
    leaves the wait on the request for the page to say."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from django.contrib.auth import get_user_model

        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if not sso.password_sign_in_allowed():
            # Password sign-in is off (single sign-on only): refused before any check, on every
            # path that calls authenticate() — the sign-in page, Django admin's login, any other.
            if request is not None:
                request.cxkeeper_password_off = True
            raise PermissionDenied("password sign-in is off")
        gate = gate_for(request, username)
        wait, reservation = gate.reserve()
        if wait:
            if request is not None:
                request.cxkeeper_sign_in_wait = wait
            raise PermissionDenied("sign-in limit")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            gate.succeeded(reservation)
        return user


@receiver(user_logged_in)
def _remember_device(sender, request, user, **kwargs):
    """A browser that signed in with a password becomes a known device for that person;
    DeviceCookieMiddleware writes the cookie on the way out."""
    if request is not None and getattr(request, "method", "") == "POST":
        request.cxkeeper_trust_device = normalized_username(user.get_username())


def device_cookie_value(username: str) -> str:
    return signing.dumps([username, secrets.token_urlsafe(16)], salt=DEVICE_SALT)


class DeviceCookieMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        username = getattr(request, "cxkeeper_trust_device", "")
        if username:
            response.set_cookie(DEVICE_COOKIE, device_cookie_value(username),
                                max_age=DEVICE_COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response


class RateLimitedLoginView(auth_views.LoginView):
    """The sign-in page: a password form, a "Sign in with <provider>" button when single sign-on
    is configured, or only that button when password sign-in is off (a password POST is then
    refused with 403 before any check)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current = sso.config()
        context["sso_provider"] = current.provider_name if current else ""
        context["password_sign_in"] = sso.password_sign_in_allowed()
        return context

    def post(self, request, *args, **kwargs):
        if not sso.password_sign_in_allowed():
            raise Forbidden(sso.password_off_message())
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        wait = getattr(self.request, "cxkeeper_sign_in_wait", 0)
        if wait:
            form.errors.clear()
            form.add_error(None, wait_message(wait))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_invalid(form)


class RateLimitedPasswordChangeForm(auth_forms.PasswordChangeForm):
    """The old-password check is a password guess like any other: the same limit applies,
    per person (a stolen session cannot try the old password without end)."""

    def clean_old_password(self):
        if not sso.password_sign_in_allowed():
            raise Forbidden(sso.password_off_message())
        gate = SignInGate(username=f"#{self.user.pk}", address="", purpose="password-change")
        wait, reservation = gate.reserve()
        if wait:
            self.cxkeeper_wait = wait
            raise ValidationError(wait_message(wait, "password checks"), code="rate_limited")
        old_password = super().clean_old_password()
        gate.succeeded(reservation)
        return old_password


class RateLimitedPasswordChangeView(auth_views.PasswordChangeView):
    form_class = RateLimitedPasswordChangeForm

    def dispatch(self, request, *args, **kwargs):
        if not sso.password_sign_in_allowed():
            raise Forbidden(sso.password_off_message())
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "cxkeeper_wait", 0):
            response.status_code = 429
        return response
