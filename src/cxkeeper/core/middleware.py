"""Security middleware: a strict Content-Security-Policy and sign-in required everywhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

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
PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/healthz")


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


class LoginRequiredMiddleware:
    """Every page needs a signed-in user; the role checks come on top, in queries and actions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES) \
                and not request.path.startswith("/admin/"):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
