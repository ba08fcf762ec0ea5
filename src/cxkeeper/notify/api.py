"""`/api/v1/me/notification-preferences`: how the caller hears of each kind of news (the same
action as the preferences page: each change audited)."""

from __future__ import annotations

from ninja import Field, Router, Schema

from cxkeeper.core.api import READ_ERRORS, WRITE_ERRORS, acting_user
from cxkeeper.notify import actions, mail, queries

preferences_router = Router(tags=["me"])


class NotificationPreferenceOut(Schema):
    kind: str = Field(description="The kind of news (an event kind, or “digest.weekly” for the weekly digest).")
    label: str = Field(description="The kind in words, as the preferences page shows it.")
    mode: str = Field(description="in_app, email (at once, and in the app), digest (the weekly digest) or off; "
                                  "for digest.weekly: email or off.")
    default: str = Field(description="The default of the caller's role.")
    choices: list[str] = Field(description="The modes this kind takes.")
    changed: bool = Field(description="True when the caller chose a mode other than the default.")


class NotificationPreferencesOut(Schema):
    email_configured: bool = Field(description="False while the server has no SMTP host: e-mail choices then "
                                               "arrive in the app only, and no digest is sent.")
    preferences: list[NotificationPreferenceOut]


class NotificationPreferencesIn(Schema):
    preferences: dict[str, str] = Field(description="kind → mode, for the kinds to change; kinds left out keep "
                                                    "their current mode.")


def _answer(user) -> dict:
    return {"email_configured": mail.configured(), "preferences": [
        {"kind": p.kind, "label": p.label, "mode": p.mode, "default": p.default, "choices": [c for c, _ in p.choices],
         "changed": p.mode != p.default} for p in queries.preferences_of(user)]}


@preferences_router.get("", url_name="notification_preferences",
                        response={200: NotificationPreferencesOut, **READ_ERRORS},
                        summary="How I hear of each kind of news")
def get_notification_preferences(request):
    return _answer(acting_user(request))


@preferences_router.put("", url_name="notification_preferences",
                        response={200: NotificationPreferencesOut, **WRITE_ERRORS},
                        summary="Change how I hear of some kinds of news")
def put_notification_preferences(request, payload: NotificationPreferencesIn):
    """Every kind and mode is checked before anything is saved (422 names each wrong one);
    each change is recorded in history as the caller's edit."""
    user = acting_user(request)
    actions.set_preferences(user, payload.preferences, acting_user=user)
    return _answer(user)
