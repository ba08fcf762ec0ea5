"""Forms of the friction point pages: they parse what a person typed; the actions check
permissions and write."""

from __future__ import annotations

import datetime as dt

from django import forms

from cxkeeper.core.forms import LinesField, VersionedForm
from cxkeeper.initiatives.choices import FrictionStatus, InitiativeStatus
from cxkeeper.initiatives.models import FrictionPoint, Initiative
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes.models import MetricDefinition


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


# --- initiatives ---


class MilestonesField(LinesField):
    """One milestone a line: `YYYY-MM-DD | title`, with `| done` at the end once it is done
    (the date may be left out: `| title`)."""

    def to_python(self, value):
        milestones = []
        for i, line in enumerate(super().to_python(value), start=1):
            parts = [p.strip() for p in line.split("|")]
            done = len(parts) > 1 and parts[-1].lower() == "done"
            if done:
                parts = parts[:-1]
            if len(parts) == 1:
                due, title = "", parts[0]
            else:
                due, title = parts[0], " | ".join(parts[1:])
            if due:
                try:
                    due = dt.date.fromisoformat(due).isoformat()
                except ValueError:
                    raise forms.ValidationError(f"Line {i}: “{due}” is not a date; write YYYY-MM-DD | title.") from None
            if not title:
                raise forms.ValidationError(f"Line {i} needs a title.")
            milestones.append({"title": title, "due": due or None, "done": done})
        return milestones

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{m.get('due') or ''} | {m.get('title', '')}{' | done' if m.get('done') else ''}"
                             for m in value)
        return value


class InitiativeForm(VersionedForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    friction_point = forms.ModelChoiceField(FrictionPoint.objects.all(), required=False,
                                            help_text="The friction point it answers, if any.")
    lead = forms.ModelChoiceField(Team.objects.all(), label="Lead team", help_text="Exactly one team leads.")
    contributors = forms.ModelMultipleChoiceField(Team.objects.all(), required=False, label="Contributing teams")
    consulted = forms.ModelMultipleChoiceField(Team.objects.all(), required=False, label="Consulted teams")
    steps = forms.ModelMultipleChoiceField(Step.objects.select_related("stage__journey"), required=False,
                                           help_text="The steps it changes.")
    metrics_up = forms.ModelMultipleChoiceField(MetricDefinition.objects.all(), required=False,
                                                label="Metrics it should move up")
    metrics_down = forms.ModelMultipleChoiceField(MetricDefinition.objects.all(), required=False,
                                                  label="Metrics it should move down")
    milestones = MilestonesField(required=False, help_text="One a line: YYYY-MM-DD | title, and | done once done.")
    depends_on = forms.ModelMultipleChoiceField(Initiative.objects.all(), required=False,
                                                help_text="Initiatives that must ship first.")

    def __init__(self, *args, initiative=None, **kwargs):
        super().__init__(*args, **kwargs)
        if initiative is not None:
            self.fields["depends_on"].queryset = Initiative.objects.exclude(pk=initiative.pk)

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead")
        named = [lead] if lead else []
        named += list(cleaned.get("contributors") or []) + list(cleaned.get("consulted") or [])
        twice = sorted({t.name for t in named if named.count(t) > 1})
        if twice:
            self.add_error("contributors", f"Give each team one role: {', '.join(twice)} named twice.")
        both = set(cleaned.get("metrics_up") or []) & set(cleaned.get("metrics_down") or [])
        if both:
            self.add_error("metrics_down", "A metric cannot move both up and down: "
                                           + ", ".join(sorted(m.name for m in both)) + ".")
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        teams = [(data["lead"], "lead")] + [(t, "contributes") for t in data.get("contributors") or []] \
            + [(t, "consulted") for t in data.get("consulted") or []]
        metrics = [(m, "up") for m in data.get("metrics_up") or []] + [(m, "down") for m in data.get("metrics_down")
                                                                       or []]
        return {"title": data["title"], "description": data["description"], "friction_point": data["friction_point"],
                "steps": list(data["steps"]), "milestones": data["milestones"],
                "depends_on": list(data["depends_on"]), "teams": teams, "metrics": metrics}

    @staticmethod
    def initial_of(initiative) -> dict:
        roles = list(initiative.team_roles.all())
        moves = list(initiative.metric_moves.all())
        return {"title": initiative.title, "description": initiative.description,
                "friction_point": initiative.friction_point_id,
                "lead": next((r.team_id for r in roles if r.role == "lead"), None),
                "contributors": [r.team_id for r in roles if r.role == "contributes"],
                "consulted": [r.team_id for r in roles if r.role == "consulted"],
                "steps": [s.pk for s in initiative.steps.all()],
                "metrics_up": [m.metric_id for m in moves if m.direction == "up"],
                "metrics_down": [m.metric_id for m in moves if m.direction == "down"],
                "milestones": initiative.milestones, "depends_on": [d.pk for d in initiative.depends_on.all()],
                "version": initiative.version}


class InitiativeStatusForm(VersionedForm):
    requires_version = True
    status = forms.ChoiceField(choices=InitiativeStatus.choices)
    ship_date = forms.DateField(required=False, help_text="The date from which its effect will be measured.")


class WeightsForm(VersionedForm):
    impact = forms.FloatField(min_value=0, max_value=10, help_text="Customer impact from the rollups.")
    fit = forms.FloatField(min_value=0, max_value=10, label="Strategic fit",
                           help_text="The targets of shared outcomes it bears on, by how far off track they are.")
    effort = forms.FloatField(min_value=0, max_value=10, help_text="Subtracted: the teams' effort estimates.")
    confidence = forms.FloatField(min_value=0, max_value=10,
                                  help_text="Evidence n and the share of affected teams heard.")
    period_days = forms.IntegerField(min_value=28, max_value=366, label="Period (days)",
                                     help_text="The days, ending on the last day of data, every figure covers.")

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}
