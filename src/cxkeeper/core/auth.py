"""Sign-in with a rate limit on failures, per username and per client address.

Failures live in the database (not process memory) so the limit holds across every web
worker of a team deployment.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import timezone

from cxkeeper.core.models import LoginFailure


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


def login_blocked_for(username: str, address: str) -> int:
    """Seconds until another attempt is allowed, or 0 when it is allowed now."""
    window = timedelta(seconds=settings.CXKEEPER_LOGIN_WINDOW_SECONDS)
    since = timezone.now() - window
    limit = settings.CXKEEPER_LOGIN_MAX_FAILURES
    for field, value in (("username", username.lower()), ("address", address)):
        failures = LoginFailure.objects.filter(**{field: value}, at__gte=since).order_by("-at")
        # Per address allow more, so one office behind a NAT is not locked out by one person.
        allowed = limit if field == "username" else limit * 4
        if value and failures.count() >= allowed:
            oldest_counted = failures[allowed - 1].at
            return max(1, int((oldest_counted + window - timezone.now()).total_seconds()))
    return 0


class RateLimitedLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150]
        wait = login_blocked_for(username, client_address(request))
        if wait:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, f"Too many failed sign-ins. Try again in {max(1, wait // 60)} minute(s).")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        LoginFailure.objects.create(
            username=self.request.POST.get("username", "")[:150].lower(), address=client_address(self.request)
        )
        return super().form_invalid(form)

    def form_valid(self, form):
        LoginFailure.objects.filter(username=form.get_user().get_username().lower()).delete()
        return super().form_valid(form)
