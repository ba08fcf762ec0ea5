"""Pages: a team's Slack and Teams channels (/teams/<slug>/channels/), and the admins'
Integrations area (/integrations/): outgoing webhooks, their deliveries and every team channel.
Views parse and render; `queries` read (with the role check), `actions` write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cxkeeper.channels import actions, queries
from cxkeeper.channels.choices import DeliveryStatus
from cxkeeper.channels.forms import TeamChannelForm, VersionOnly, WebhookEditForm, WebhookForm
from cxkeeper.channels.permissions import require_manage_channels, require_webhooks
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.forms import run_form
from cxkeeper.org.permissions import can


def _problem_text(exc: Exception) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(p for problems in exc.errors.values() for p in problems)
    return str(exc)


# ---------------------------------------------------------------- a team's channels


def team_channels(request, slug):
    team = queries.team_by_slug(slug)
    channels = queries.team_channels(team, user=request.user)
    may_manage = can(require_manage_channels, request.user, team)
    form = TeamChannelForm(request.POST or None)
    context = {"team": team, "channels": channels, "may_manage": may_manage,
               "deliveries": queries.channel_deliveries(team) if may_manage else []}
    if request.method == "POST":
        require_manage_channels(request.user, team)
    return run_form(request, form, lambda data: actions.connect_team_channel(team, data, acting_user=request.user),
                    template="channels/team_channels.html", context=context,
                    success_url=lambda c: c.get_absolute_url(),
                    success_message="Channel connected. Send it a test message to check it arrives.")


@require_POST
def channel_test(request, slug, pk):
    team = queries.team_by_slug(slug)
    channel = queries.channel_of(team, pk)
    outcome = actions.send_test_message(channel, acting_user=request.user)
    if outcome.ok:
        messages.success(request, f"Test message sent to {channel.name}: {outcome.in_words}.")
    else:
        messages.error(request, f"The test message to {channel.name} was {outcome.in_words}. "
                                "Check the webhook address in Slack or Teams.")
    return redirect(channel.get_absolute_url())


def _versioned_post(request, perform, done: str):
    form = VersionOnly(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return
    try:
        perform(form.cleaned_data["version"])
    except (Conflict, InvalidInput) as exc:
        messages.error(request, _problem_text(exc))
    else:
        messages.success(request, done)


@require_POST
def channel_switch(request, slug, pk):
    team = queries.team_by_slug(slug)
    channel = queries.channel_of(team, pk)
    on = request.POST.get("active") == "1"
    _versioned_post(request, lambda version: actions.change_team_channel(
        channel, {"active": on}, expected_version=version, acting_user=request.user),
        f"{channel.name} is {'on' if on else 'off'}.")
    return redirect(channel.get_absolute_url())


@require_POST
def channel_remove(request, slug, pk):
    team = queries.team_by_slug(slug)
    channel = queries.channel_of(team, pk)
    _versioned_post(request, lambda version: actions.remove_team_channel(
        channel, expected_version=version, acting_user=request.user), f"{channel.name} removed.")
    return redirect("channels:team_channels", team.slug)


# ---------------------------------------------------------------- integrations (admins)


def integrations(request):
    webhooks = queries.webhooks(user=request.user)
    return render(request, "channels/integrations.html", {
        "webhooks": webhooks, "channels": queries.all_team_channels(user=request.user)})


def webhook_new(request):
    require_webhooks(request.user, "add outgoing webhooks")
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook, secret = actions.create_webhook(form.cleaned_data, acting_user=request.user)
        except InvalidInput as exc:
            for field, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"Webhook “{webhook.name}” added.")
            return _webhook_page(request, webhook, secret=secret)
    return render(request, "channels/webhook_new.html", {"form": form}, status=422 if form.errors else 200)


def _webhook_page(request, webhook, *, secret: str = "", form=None, status: int = 200):
    form = form or WebhookEditForm(initial={"name": webhook.name, "event_kinds": webhook.event_kinds,
                                            "active": webhook.active, "version": webhook.version})
    return render(request, "channels/webhook.html", {
        "webhook": webhook, "secret": secret, "form": form,
        "deliveries": queries.deliveries_of(webhook)[:queries.RECENT],
        "secrets_in_force": 2 if webhook.previous_secret and webhook.previous_secret_until else 1,
    }, status=status)


def webhook(request, pk):
    found = queries.webhook(pk, user=request.user)
    if request.method != "POST":
        return _webhook_page(request, found)
    form = WebhookEditForm(request.POST, initial={"version": found.version})
    if form.is_valid():
        data = dict(form.cleaned_data)
        changes = {"name": data["name"], "event_kinds": data["event_kinds"], "active": data["active"]}
        if data["url"].strip():
            changes["url"] = data["url"]
        try:
            actions.change_webhook(found, changes, expected_version=data["version"], acting_user=request.user)
        except (Conflict, InvalidInput) as exc:
            form.add_error(None, _problem_text(exc))
        else:
            messages.success(request, "Webhook saved.")
            return redirect(found.get_absolute_url())
    return _webhook_page(request, found, form=form, status=422)


@require_POST
def webhook_rotate(request, pk):
    found = queries.webhook(pk, user=request.user)
    rotated, secret = actions.rotate_webhook_secret(found, acting_user=request.user)
    messages.success(request, "New signing secret made. The previous one signs beside it until "
                              f"{rotated.previous_secret_until:%-d %b %Y %H:%M} UTC.")
    return _webhook_page(request, rotated, secret=secret)


@require_POST
def webhook_remove(request, pk):
    found = queries.webhook(pk, user=request.user)
    _versioned_post(request, lambda version: actions.remove_webhook(
        found, expected_version=version, acting_user=request.user), f"Webhook “{found.name}” removed.")
    return redirect("channels:integrations")


def delivery(request, pk):
    found = queries.delivery(pk, user=request.user)
    return render(request, "channels/delivery.html", {
        "delivery": found, "attempts": found.attempt_log.all(), "replays": found.replays.all()})


@require_POST
def delivery_replay(request, pk):
    found = queries.delivery(pk, user=request.user)
    if found.webhook_id is None:
        raise PermissionDenied("Only webhook deliveries can be replayed.")
    try:
        again = actions.replay_delivery(found, acting_user=request.user)
    except InvalidInput as exc:
        messages.error(request, _problem_text(exc))
        return redirect(found.get_absolute_url())
    again.refresh_from_db()
    if again.status == DeliveryStatus.PENDING:  # the background worker sends it in a moment
        messages.success(request, "Queued to be sent again; this page shows the receiver's answer once it is sent.")
    else:
        messages.success(request, f"Sent again: {again.get_status_display()}.")
    return redirect(again.get_absolute_url())
