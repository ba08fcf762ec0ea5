"""Forms of the friction point pages: they parse what a person typed; the actions check
permissions and write."""

from __future__ import annotations

import datetime as dt

from django import forms

from cxkeeper.core.forms import VersionedForm
from cxkeeper.initiatives.choices import (
    ChangeKind,
    ConstraintKind,
    Effort,
    FrictionStatus,
    Importance,
    OptionStanceValue,
    Stance,
)
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import Team


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


# --- co-creation ---

CONSTRAINT_ROWS = 3


class ChallengeForm(VersionedForm):
    requires_version = True
    owner_team = forms.ModelChoiceField(Team.objects.all(), required=False, label="Owner team",
                                        help_text="The team that carries the challenge.")
    steps = forms.ModelMultipleChoiceField(Step.objects.select_related("stage__journey"), required=False,
                                           help_text="The steps it concerns (several). None: its own step. The "
                                                     "affected teams follow from the map.")


class AffectedTeamForm(forms.Form):
    team = forms.ModelChoiceField(Team.objects.all())
    change = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])
    reason = forms.CharField(max_length=300, required=False)


class PerspectiveForm(VersionedForm):
    stance = forms.ChoiceField(choices=Stance.choices, widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="Required with concerns and objections.")
    importance = forms.TypedChoiceField(choices=Importance.choices, coerce=int, initial=Importance.MATTERS,
                                        label="How much it matters to your team")
    contribution = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                   label="What your team could contribute")
    effort = forms.ChoiceField(choices=Effort.choices, required=False, label="Effort estimate for your team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, CONSTRAINT_ROWS + 1):
            self.fields[f"constraint_{i}_kind"] = forms.ChoiceField(
                choices=[("", "—"), *ConstraintKind.choices], required=False, label=f"Constraint {i}: kind")
            self.fields[f"constraint_{i}_text"] = forms.CharField(max_length=1000, required=False,
                                                                  label=f"Constraint {i}: what it is")

    def values(self) -> dict:
        data = self.cleaned_data
        constraints = [{"kind": data[f"constraint_{i}_kind"] or "other", "text": data[f"constraint_{i}_text"]}
                       for i in range(1, CONSTRAINT_ROWS + 1) if data.get(f"constraint_{i}_text")]
        return {"stance": data["stance"], "reason": data["reason"], "importance": data["importance"],
                "contribution": data["contribution"], "effort": data.get("effort") or "", "constraints": constraints}

    @staticmethod
    def initial_of(perspective) -> dict:
        if perspective is None:
            return {}
        initial = {"stance": perspective.stance, "reason": perspective.reason, "importance": perspective.importance,
                   "contribution": perspective.contribution, "effort": perspective.effort,
                   "version": perspective.version}
        for i, c in enumerate(perspective.constraints[:CONSTRAINT_ROWS], 1):
            initial[f"constraint_{i}_kind"], initial[f"constraint_{i}_text"] = c.get("kind"), c.get("text")
        return initial


class OptionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OptionStanceForm(forms.Form):
    team = forms.ModelChoiceField(Team.objects.all())
    stance = forms.ChoiceField(choices=OptionStanceValue.choices)
    reason = forms.CharField(max_length=5000, required=False)
    version = forms.IntegerField(required=False)


class DecideForm(forms.Form):
    rationale = forms.CharField(max_length=5000, required=False)
    review_on = forms.DateField(required=False)


class EscalateForm(forms.Form):
    note = forms.CharField(max_length=5000, required=False)


class PlannedChangeForm(VersionedForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(choices=ChangeKind.choices)
    go_live = forms.DateField(required=False, label="Go-live date",
                              help_text="YYYY-MM-DD: the day it reaches customers.")
    steps = forms.ModelMultipleChoiceField(Step.objects.select_related("stage__journey"), required=False,
                                           help_text="The steps it touches (at least one).")
    team = forms.ModelChoiceField(Team.objects.all(), required=False, help_text="The team planning it (yours).")

    def values(self) -> dict:
        return {k: (list(v) if k == "steps" else v) for k, v in self.cleaned_data.items() if k != "version"}
