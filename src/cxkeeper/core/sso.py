"""Single sign-on by OpenID Connect: the client side that needs nothing of the organization.

What lives here (core): whether single sign-on is configured and how it is named, whether
password sign-in is still allowed, the OpenID Connect client (Authlib, decision 0042) built
from the settings, and signing out — here and, when the provider advertises an
`end_session_endpoint`, at the provider too (RP-initiated logout).

Who a provider's answer makes someone — the person, their role and teams — is the
organization's business: `cxkeeper.org.sso` (mapping, first sign-in, history) and
`cxkeeper.org.sso_views` (the sign-in flow's pages).

The client checks everything the protocol lets a relying party check: the authorization code
flow with PKCE (S256), a `state` bound to the browser's session and used once, a `nonce` in the
ID token, the ID token's RS256/ES256 signature against the provider's published keys, its
issuer, audience and expiry; the discovery document's issuer must be the configured one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.urls import reverse

# Session keys: the ID token a sign-in brought (the hint for signing out at the provider).
SESSION_ID_TOKEN = "cxkeeper_sso_id_token"  # noqa: S105 - a session key's name, not a secret
DISCOVERY_PATH = "/.well-known/openid-configuration"
TIMEOUT_SECONDS = 10  # every back-channel call to the provider (discovery, keys, token, userinfo)


@dataclass(frozen=True)
class SsoConfig:
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str
    provider_name: str
    redirect_uri: str  # "" = this server's own callback URL as the request reached it


def config() -> SsoConfig | None:
    """The provider settings, or None when single sign-on is not configured."""
    issuer = (settings.CXKEEPER_SSO_ISSUER or "").rstrip("/")
    discovery = settings.CXKEEPER_SSO_DISCOVERY_URL or (issuer + DISCOVERY_PATH if issuer else "")
    if not discovery:
        return None
    if not settings.CXKEEPER_SSO_CLIENT_ID:
        raise ImproperlyConfigured("CXKEEPER_SSO_CLIENT_ID is required when CXKEEPER_SSO_ISSUER is set.")
    scopes = " ".join(settings.CXKEEPER_SSO_SCOPES.replace(",", " ").split())
    if "openid" not in scopes.split():
        scopes = f"openid {scopes}".strip()
    return SsoConfig(issuer=issuer, discovery_url=discovery, client_id=settings.CXKEEPER_SSO_CLIENT_ID,
                     client_secret=settings.CXKEEPER_SSO_CLIENT_SECRET, scopes=scopes,
                     provider_name=settings.CXKEEPER_SSO_PROVIDER_NAME or "single sign-on",
                     redirect_uri=settings.CXKEEPER_SSO_REDIRECT_URI)


def enabled() -> bool:
    return config() is not None


def password_sign_in_allowed() -> bool:
    """False when the deployment turned password sign-in off (CXKEEPER_PASSWORD_SIGN_IN=off):
    every path that checks a password refuses, and people sign in through the provider only.
    Refused only while single sign-on is configured: nobody is ever left without a way in."""
    return bool(settings.CXKEEPER_PASSWORD_SIGN_IN) or not enabled()


PROVIDER_ONLY = ("Password sign-in is turned off here: sign in with {provider} instead. "
                "An administrator locked out of {provider} can get a one-time sign-in link from the server "
                "(`cxkeeper signin-link`).")


def password_off_message() -> str:
    current = config()
    return PROVIDER_ONLY.format(provider=current.provider_name if current else "single sign-on")


class ProviderMismatch(Exception):
    """The discovery document names another issuer than the one configured."""


_clients: dict[SsoConfig, object] = {}
_lock = threading.Lock()


def client():
    """The Authlib client for the configured provider, one per configuration per process (its
    discovery document and keys are fetched once and kept; unknown keys are fetched again)."""
    from authlib.integrations.django_client import OAuth

    current = config()
    if current is None:
        raise ImproperlyConfigured("Single sign-on is not configured (CXKEEPER_SSO_ISSUER).")
    with _lock:
        app = _clients.get(current)
        if app is None:
            registry = OAuth()
            registry.register(
                "cxkeeper", client_id=current.client_id, client_secret=current.client_secret or None,
                server_metadata_url=current.discovery_url,
                client_kwargs={"scope": current.scopes, "code_challenge_method": "S256",
                               "token_endpoint_auth_method": "client_secret_basic" if current.client_secret
                               else "none", "default_timeout": TIMEOUT_SECONDS},
            )
            app = _clients[current] = registry.create_client("cxkeeper")
    metadata = app.load_server_metadata()
    if current.issuer and metadata.get("issuer", "").rstrip("/") != current.issuer:
        raise ProviderMismatch(f"The provider's discovery document names the issuer “{metadata.get('issuer')}”, "
                               f"not the configured CXKEEPER_SSO_ISSUER “{current.issuer}”.")
    return app


def callback_uri(request) -> str:
    current = config()
    if current is not None and current.redirect_uri:
        return current.redirect_uri
    return request.build_absolute_uri(reverse("sso_callback"))


class SignOutView(auth_views.LogoutView):
    """Sign out here, and — for a session that came from the provider, when the provider
    advertises an `end_session_endpoint` — at the provider too, which sends the browser back to
    the sign-in page (`post_logout_redirect_uri`)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(SESSION_ID_TOKEN, "")
        response = super().post(request, *args, **kwargs)  # the session ends here first, whatever follows
        if not id_token or not enabled():
            return response
        try:
            app = client()
            end_session = app.load_server_metadata().get("end_session_endpoint")
            if not end_session:
                return response
            url = app.create_logout_url(post_logout_redirect_uri=request.build_absolute_uri(reverse("login")),
                                        id_token_hint=id_token, client_id=app.client_id)["url"]
        except Exception:  # noqa: BLE001 - the provider unreachable: signed out here all the same
            return response
        # A page that moves on to the provider, not a redirect: the sign-out form's own page
        # allows forms to go to this site only (CSP form-action 'self'), and browsers apply that
        # to the redirects a form submission follows too.
        return render(request, "registration/signed_out_at_provider.html",
                      {"provider_url": url, "provider": config().provider_name})


def admin_login(request, *args, **kwargs):
    """Django admin's own sign-in page, while password sign-in is allowed; when it is off, the
    page sends people to the sign-in page (the provider's button) and a password POST is refused."""
    from django.contrib import admin
    from django.contrib.auth.views import redirect_to_login

    from cxkeeper.core.errors import Forbidden

    if password_sign_in_allowed():
        return admin.site.login(request, *args, **kwargs)
    if request.method == "POST":
        raise Forbidden(password_off_message())
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))
