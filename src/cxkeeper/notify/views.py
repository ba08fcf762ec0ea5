"""Pages: each person's notification preferences, a team's digest as it would be sent now
(keepers and admins), and the unsubscribe link of the digest (no sign-in: the link is signed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.roles import Role, role_of
from cxkeeper.notify import actions, digest, mail, preferences, queries


@require_http_methods(["GET", "POST"])
def preferences_page(request):
    errors = []
    if request.method == "POST":
        changes = {kind: request.POST[kind] for kind in [preferences.WEEKLY_DIGEST, *preferences.kinds()]
                   if kind in request.POST}
        try:
            actions.set_preferences(request.user, changes, acting_user=request.user)
        except InvalidInput as exc:
            errors = [(preferences.label_of(k), " ".join(v)) for k, v in exc.errors.items()]
        else:
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notify:preferences")
    may_preview = role_of(request.user) in (Role.ADMIN, Role.KEEPER)
    return render(request, "notify/preferences.html", {
        "prefs": queries.preferences_of(request.user), "errors": errors, "email_ready": mail.configured(),
        "has_email": bool(request.user.email), "preview_teams": list(queries.teams()) if may_preview else [],
    }, status=422 if errors else 200)


def digest_preview(request, slug: str):
    if role_of(request.user) not in (Role.ADMIN, Role.KEEPER):
        raise Forbidden("Only keepers and admins preview the teams' weekly digests.")
    team = queries.team_by_slug(slug)
    built = digest.team_digest_preview(team)
    recipients = queries.digest_recipients(team)
    sent_ids = {u.pk for u in recipients if queries.sent(team.pk, built.week, u.pk)}
    return render(request, "notify/digest_preview.html", {"digest": built, "recipients": recipients,
                                                          "sent_ids": sent_ids})


@csrf_exempt  # the signed token is the proof, no session is used; mail clients post here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    user_id = mail.user_id_of_token(token)
    person = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    context = {"person": person, "done": False, "changed": False}
    if person is not None and request.method == "POST":
        context.update(done=True, changed=actions.unsubscribe_from_digest(person))
    return render(request, "notify/unsubscribe.html", context, status=200 if person is not None else 404)
