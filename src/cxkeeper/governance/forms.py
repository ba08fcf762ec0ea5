"""Forms of the council pages: they parse what a person typed; the actions check permissions
and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from cxkeeper.core.forms import LinesField, VersionedForm
from cxkeeper.governance.choices import ActionStatus, DecidedBy, LinkKind
from cxkeeper.journeys.models import Journey
from cxkeeper.org.models import Team


def people():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        return value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value


class CouncilForm(VersionedForm):
    name = forms.CharField(max_length=120)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    all_journeys = forms.BooleanField(required=False, initial=True, label="Scope: every journey")
    journeys = forms.ModelMultipleChoiceField(Journey.objects.all(), required=False,
                                              help_text="When not every journey: the journeys in scope.")
    sponsor = PersonChoice(people(), required=False, label="Executive sponsor")
    facilitator = PersonChoice(people(), required=False)
    council_decides = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      label="The council decides")
    sponsor_decides = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      label="The sponsor decides")
    teams_decide = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                   label="Teams decide alone")
    quorum = forms.IntegerField(min_value=1, initial=3, help_text="Member teams present to decide.")
    cadence_days = forms.IntegerField(min_value=1, max_value=366, initial=28, label="Cadence (days)")
    meeting_minutes = forms.IntegerField(min_value=5, max_value=600, initial=60, label="Meeting length (minutes)")
    escalation_path = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = people()
        self.fields["facilitator"].queryset = people()

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class MemberForm(forms.Form):
    team = forms.ModelChoiceField(Team.objects.all())
    representative = PersonChoice(people(), required=False)
    deputy = PersonChoice(people(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = people()
        self.fields["deputy"].queryset = people()


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(widget=DateTimeInput, required=False, label="Starts (UTC)",
                                    help_text="Empty: on the charter's cadence after the last meeting.")
    duration_minutes = forms.IntegerField(min_value=5, max_value=600, required=False)
    location = forms.CharField(max_length=200, required=False)


class MinutesForm(VersionedForm):
    requires_version = True
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Summary (minutes)")
    location = forms.CharField(max_length=200, required=False)


class AttendanceForm(VersionedForm):
    requires_version = True
    attendees = forms.ModelMultipleChoiceField(people(), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = choices if choices is not None else people()


class AgendaItemForm(VersionedForm):
    title = forms.CharField(max_length=300)
    detail = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence_url = forms.CharField(max_length=500, required=False, label="Evidence link")
    teams = forms.ModelMultipleChoiceField(Team.objects.all(), required=False)
    time_box_minutes = forms.IntegerField(min_value=1, max_value=240, initial=10, label="Time box (minutes)")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_evidence_url(self):
        url = self.cleaned_data["evidence_url"].strip()
        if url and not url.startswith("/") and not url.startswith(("https://", "http://")):
            raise forms.ValidationError("A link on this site (starting with /) or a web address.")
        return url

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class NotesForm(VersionedForm):
    requires_version = True
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class DecisionForm(forms.Form):
    statement = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    options = LinesField(required=False, label="Options considered", help_text="One per line.")
    decided_by = forms.ChoiceField(choices=DecidedBy.choices, initial=DecidedBy.CONSENSUS)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    review_on = forms.DateField(widget=DateInput, required=False, label="Review on",
                                help_text="The decision returns to the agenda on this day.")
    agenda_item = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EscalateForm(forms.Form):
    statement = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Question")
    options = LinesField(required=False, label="Options considered", help_text="One per line.")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                label="Where the teams stand")


class DecideForm(VersionedForm):
    requires_version = True
    statement = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Decision")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    review_on = forms.DateField(widget=DateInput, required=False)


class ReviewForm(VersionedForm):
    requires_version = True
    review_on = forms.DateField(widget=DateInput, required=False, label="Next review",
                                help_text="Empty: no further review.")


class ActionItemForm(VersionedForm):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner_team = forms.ModelChoiceField(Team.objects.all(), required=False, label="Owner team")
    owner = PersonChoice(people(), required=False, label="Owner")
    due = forms.DateField(widget=DateInput, required=False)
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.OPEN)
    decision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    link_kind = forms.ChoiceField(choices=LinkKind.choices, required=False, label="Also serves")
    link_id = forms.IntegerField(required=False, min_value=1, label="Its id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()


class ActionProgressForm(VersionedForm):
    """What a member of the owner team changes: progress, owner, due date."""

    status = forms.ChoiceField(choices=ActionStatus.choices)
    owner = PersonChoice(people(), required=False)
    due = forms.DateField(widget=DateInput, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()


class StatusForm(VersionedForm):
    requires_version = True
    status = forms.ChoiceField(choices=ActionStatus.choices)
