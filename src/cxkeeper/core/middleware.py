"""Security middleware: a strict Content-Security-Policy and sign-in required everywhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render

# Everything is served from this origin: vendored scripts and styles, no inline code, so
# injected markup in user content can never run even if an escape were missed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Reachable without signing in. The API authenticates with tokens itself.
# /unsubscribe/ is the digest's signed unsubscribe link (notify), which works without signing in.
PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/healthz", "/unsubscribe/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            # Django admin ships inline scripts/styles; keep it strict but allow them there.
            response.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
                .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
            )
        else:
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class PrivatePagesMiddleware:
    """What a signed-in person sees is theirs: never kept by a browser's or a proxy's cache
    (`Cache-Control: no-store`), and a session left idle longer than
    CXKEEPER_SESSION_IDLE_MINUTES ends (0 turns the idle timeout off)."""

    SEEN = "cxkeeper_seen"
    REFRESH_SECONDS = 60  # write the session at most once a minute, not on every request

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._idle_too_long(request):
            from django.contrib import messages
            from django.contrib.auth import logout

            logout(request)
            messages.info(request, "You were signed out after a while without activity. Sign in again.")
            if request.path.startswith("/api/"):
                return self.get_response(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated \
                and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        return response

    def _idle_too_long(self, request) -> bool:
        import time

        idle = settings.CXKEEPER_SESSION_IDLE_MINUTES * 60
        if not idle or not hasattr(request, "session"):
            return False
        now = int(time.time())
        seen = request.session.get(self.SEEN)
        if seen is not None and now - int(seen) > idle:
            return True
        if seen is None or now - int(seen) >= self.REFRESH_SECONDS:
            request.session[self.SEEN] = now
        return False


class LoginRequiredMiddleware:
    """Every page needs a signed-in user; the role checks come on top, in queries and actions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES) \
                and not request.path.startswith("/admin/"):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class OversizeFormMiddleware:
    """A web form larger than the server accepts is answered 413 with a page saying so, not
    Django's bare 400: its text fields over CXKEEPER_MAX_REQUEST_BYTES (files do not count;
    imports have their own limits), or more fields or files than Django reads. The API answers
    its own 413 (core/api.py) and reads its batch bodies itself, so it is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.path.startswith("/api/"):
            try:
                request.POST  # noqa: B018 - read here, where an oversize body can still be answered
            except RequestDataTooBig:
                return self._refuse(request, f"The form you sent is larger than this server accepts: at most "
                                             f"{_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} of text "
                                             "(CXKEEPER_MAX_REQUEST_BYTES). Shorten the text and send it again; "
                                             "nothing was saved.")
            except (TooManyFieldsSent, TooManyFilesSent):
                return self._refuse(request, "The form you sent has more fields or files than this server accepts. "
                                             "Nothing was saved.")
        return self.get_response(request)

    def _refuse(self, request, reason: str):
        return render(request, "413.html", {"reason": reason}, status=413)


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB".replace(".0 MB", " MB")
