"""Forms of the friction point pages: they parse what a person typed; the actions check
permissions and write."""

from __future__ import annotations

import datetime as dt

from django import forms

from cxkeeper.core.forms import VersionedForm
from cxkeeper.initiatives.choices import FrictionStatus
from cxkeeper.journeys.models import Journey, Step


class FrictionPointForm(VersionedForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  help_text="What customers struggle with, in their words where you can.")
    journey = forms.ModelChoiceField(Journey.objects.all(), required=False)
    step = forms.ModelChoiceField(Step.objects.select_related("stage__journey"), required=False,
                                  help_text="Optional; a step places the friction point on its journey.")
    status = forms.ChoiceField(choices=FrictionStatus.choices, initial=FrictionStatus.OPEN)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class FromThemeForm(forms.Form):
    """What the "Raise as friction point" button posts: which theme of which discovery. The
    theme itself is found again on the server; nothing of its content is taken from the form."""

    journey = forms.SlugField(required=False)  # empty: the themes of all journeys
    key = forms.RegexField(regex=r"^[0-9a-f]{12}$", error_messages={"invalid": "Not a theme key."})
    since = forms.DateField(required=False)
    as_of = forms.DateField(required=False)  # the end of the growth periods the page used
    step = forms.IntegerField(required=False, min_value=1)
    next = forms.CharField(required=False, max_length=500)

    def clean_since(self) -> dt.date | None:
        return self.cleaned_data.get("since") or None


class FromSignalForm(forms.Form):
    """What a signal's "Raise as friction point" button posts: which signal of which run (journey,
    window, step, kind, metric; a theme's key for a theme signal). The signal is found again on
    the server; nothing of its figures or texts is taken from the form."""

    journey = forms.SlugField(required=False)
    window = forms.TypedChoiceField(choices=[(str(d), str(d)) for d in (14, 28, 56)], coerce=int)
    step = forms.IntegerField(required=False, min_value=1)
    kind = forms.ChoiceField(choices=[(k, k) for k in ("worse_than_journey", "worse_than_before", "volume_spike",
                                                       "negative_theme")])
    metric = forms.RegexField(regex=r"^[a-z_]{1,40}$")
    key = forms.RegexField(regex=r"^[0-9a-f]{12}$", required=False)
    next = forms.CharField(required=False, max_length=500)


class StatusForm(VersionedForm):
    requires_version = True
    status = forms.ChoiceField(choices=FrictionStatus.choices)
