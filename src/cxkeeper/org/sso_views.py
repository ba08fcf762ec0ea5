"""The single sign-on pages: off to the provider, back from it, and the break-glass link.

All under /accounts/login/ (reachable without signing in, like the sign-in page). The callback
is a sign-in attempt like a password one: it goes through the same gate (`core.auth`), counted
per client address, so a flood of forged or replayed answers (bad state, bad nonce, unknown
codes) is locked out like a flood of wrong passwords.
"""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate, login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from cxkeeper.core import sso
from cxkeeper.core.auth import SignInGate, client_address, wait_message
from cxkeeper.core.views import safe_next
from cxkeeper.org.sso import SsoRefused, user_for_one_time_token

log = logging.getLogger(__name__)

SESSION_NEXT = "cxkeeper_sso_next"
REFUSED = "org/sso_refused.html"
VERIFIED_ONLY = {"sub", "iss", "aud", "nonce", "exp", "iat", "auth_time", "azp", "at_hash"}
NOT_VERIFIED = ("The answer from {provider} could not be verified, so you were not signed in. This happens when a "
                "sign-in page was left open too long, used twice or in another browser. Start again from the "
                "sign-in page.")


def _refuse(request, reason: str, status: int):
    return render(request, REFUSED, {"reason": reason}, status=status)


def _gate(request) -> SignInGate:
    """The counters of a single sign-on answer: per client address (there is no username to
    count on before the answer is verified)."""
    address = client_address(request)
    return SignInGate(username=f"sso@{address}", address=address, purpose="sso")


def sso_start(request):
    """Off to the provider's sign-in: a fresh state, nonce and PKCE verifier kept in this
    browser's session."""
    if not sso.enabled():
        raise Http404("Single sign-on is not configured here.")
    request.session[SESSION_NEXT] = safe_next(request, request.GET.get("next"), reverse("home"))
    try:
        app = sso.client()
    except (sso.ProviderMismatch, ImproperlyConfigured) as exc:
        return _refuse(request, str(exc), 503)
    except Exception:  # noqa: BLE001 - the provider cannot be reached: say so, not a 500
        log.exception("single sign-on: the provider's discovery document could not be read")
        return _refuse(request, f"{sso.config().provider_name} cannot be reached right now; try again in a "
                                "moment.", 503)
    return app.authorize_redirect(request, sso.callback_uri(request))


def sso_callback(request):
    """Back from the provider: state, PKCE and the ID token (signature, issuer, audience,
    expiry, nonce) checked by the client, then the person made or brought up to date."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError
    from requests import RequestException

    if not sso.enabled():
        raise Http404("Single sign-on is not configured here.")
    provider = sso.config().provider_name
    gate = _gate(request)
    wait, reservation = gate.reserve()
    if wait:
        return _refuse(request, wait_message(wait), 429)
    try:
        app = sso.client()
        token = app.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims or not token.get("id_token"):
            raise SsoRefused(NOT_VERIFIED.format(provider=provider))
        claims = dict(claims)
        if app.load_server_metadata().get("userinfo_endpoint"):
            extra = dict(app.userinfo(token=token))
            if extra.get("sub") != claims.get("sub"):
                raise SsoRefused(NOT_VERIFIED.format(provider=provider))
            # The user info may carry more (groups often come only there); what the ID token
            # vouched for about the sign-in itself stays as verified.
            claims.update({k: v for k, v in extra.items() if k not in VERIFIED_ONLY})
        issuer = app.load_server_metadata().get("issuer") or sso.config().issuer
        user = authenticate(request, sso_claims=claims, sso_issuer=issuer)
    except SsoRefused as exc:
        return _refuse(request, exc.reason, 403)
    except (sso.ProviderMismatch, ImproperlyConfigured) as exc:
        log.error("single sign-on is misconfigured: %s", exc)
        return _refuse(request, f"Single sign-on is not set up correctly here: {exc} Tell an administrator.", 503)
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError, TypeError) as exc:
        log.warning("single sign-on answer refused: %s", exc)
        error = request.GET.get("error")
        if error == "access_denied":
            return _refuse(request, f"{provider} did not let you through, so you were not signed in.", 403)
        return _refuse(request, NOT_VERIFIED.format(provider=provider), 400)
    if user is None:
        return _refuse(request, NOT_VERIFIED.format(provider=provider), 400)
    gate.succeeded(reservation)
    destination = request.session.pop(SESSION_NEXT, "") or reverse("home")
    login(request, user)
    request.session[sso.SESSION_ID_TOKEN] = token["id_token"]
    return redirect(safe_next(request, destination, reverse("home")))


def one_time_sign_in(request, token: str):
    """The break-glass link (`cxkeeper signin-link`): GET asks, POST signs in (a link preview or
    a mail scanner following the link does not use it up). Good once, for a few minutes."""
    if request.method != "POST":
        # Asks only, whether or not the link is good: the answer to GET tells nothing about a
        # guessed link; the POST is checked, and counted, like a password.
        return render(request, "org/one_time_sign_in.html", {})
    gate = _gate(request)
    wait, reservation = gate.reserve()
    if wait:
        return _refuse(request, wait_message(wait), 429)
    user = user_for_one_time_token(token)
    if user is None:
        return _refuse(request, "This sign-in link has been used, has expired or is not valid. "
                                "Make a new one on the server (cxkeeper signin-link).", 400)
    gate.succeeded(reservation)
    log.warning("break glass: %s signed in with a one-time sign-in link from %s", user.get_username(),
                client_address(request))
    login(request, user, backend="cxkeeper.org.sso.SingleSignOnBackend")
    return redirect("home")
