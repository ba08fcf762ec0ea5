"""Forms of channels and webhooks. The kinds of event are read when the form is made: apps
declare them at import (core.events.event_kind)."""

from __future__ import annotations

from django import forms

from cxkeeper.channels import queries
from cxkeeper.channels.choices import ChannelKind
from cxkeeper.core.forms import VersionedForm

KINDS_HELP = "Tick none to send every kind of event, including kinds added later."


class _Kinds(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_kinds"].choices = queries.event_kind_choices()


class TeamChannelForm(_Kinds):
    kind = forms.ChoiceField(label="App", choices=ChannelKind.choices)
    name = forms.CharField(label="Channel", max_length=100, help_text="As people call it, e.g. #cx-it.")
    url = forms.CharField(label="Webhook address", max_length=2000, widget=forms.PasswordInput(render_value=False),
                          help_text="Slack: an incoming webhook. Teams: a Workflows webhook (“Post to a channel "
                                    "when a webhook request is received”). Kept secret: only its end is shown.")
    event_kinds = forms.MultipleChoiceField(label="Kinds of event", required=False,
                                            widget=forms.CheckboxSelectMultiple, help_text=KINDS_HELP)


class WebhookForm(_Kinds):
    name = forms.CharField(max_length=100, help_text="What receives it, e.g. “Service desk”.")
    url = forms.CharField(label="Address", max_length=2000, help_text="An http:// or https:// address.")
    event_kinds = forms.MultipleChoiceField(label="Kinds of event", required=False,
                                            widget=forms.CheckboxSelectMultiple, help_text=KINDS_HELP)


class WebhookEditForm(_Kinds, VersionedForm):
    requires_version = True
    name = forms.CharField(max_length=100)
    url = forms.CharField(label="New address", max_length=2000, required=False,
                          help_text="Leave empty to keep the current address.")
    event_kinds = forms.MultipleChoiceField(label="Kinds of event", required=False,
                                            widget=forms.CheckboxSelectMultiple, help_text=KINDS_HELP)
    active = forms.BooleanField(label="On (sending)", required=False)


class VersionOnly(VersionedForm):
    requires_version = True
