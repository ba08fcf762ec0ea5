from django import forms
from django.contrib.auth import get_user_model

from cxkeeper.core.forms import LinesField, VersionedForm
from cxkeeper.core.roles import Role
from cxkeeper.journeys.choices import JourneyStatus, Lane, ResponsibilityRole
from cxkeeper.journeys.models import Persona, Step
from cxkeeper.org.models import Team


def keeper_choices():
    return get_user_model().objects.filter(person__role__in=[Role.ADMIN, Role.KEEPER]).order_by("username")


class PersonaForm(VersionedForm):
    name = forms.CharField(max_length=100)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class JourneyForm(VersionedForm):
    name = forms.CharField(max_length=150)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    persona = forms.ModelChoiceField(Persona.objects.all(), required=False)
    keeper = forms.ModelChoiceField(get_user_model().objects.none(), required=False,
                                    help_text="The caretaker who keeps this map current.")
    status = forms.ChoiceField(choices=JourneyStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keeper"].queryset = keeper_choices()


class StageForm(VersionedForm):
    name = forms.CharField(max_length=150)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class StepForm(VersionedForm):
    name = forms.CharField(max_length=150)
    lane = forms.ChoiceField(choices=Lane.choices)
    channel = forms.CharField(max_length=60, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    phrases = LinesField(required=False, label="Example customer phrases",
                         help_text="One per line: things customers say about this step.")

    def __init__(self, *args, editable=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editable is not None:
            # A team member sees the structural fields but cannot change them.
            for name in ("name", "lane"):
                if name not in editable:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Only a keeper can change this."

    def changes(self, editable) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and k in editable}


class ResponsibilityForm(VersionedForm):
    team = forms.ModelChoiceField(Team.objects.all())
    role = forms.ChoiceField(choices=ResponsibilityRole.choices)
    is_lead = forms.BooleanField(required=False, label="Lead owner",
                                 help_text="When several teams own the step, one leads.")
    note = forms.CharField(max_length=300, required=False, help_text="What exactly this team impacts here.")


class HandoffForm(VersionedForm):
    from_team = forms.ModelChoiceField(Team.objects.all(), label="From team (at this step)")
    to_step = forms.ModelChoiceField(Step.objects.none(), label="To step")
    to_team = forms.ModelChoiceField(Team.objects.all())
    description = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, journey=None, **kwargs):
        super().__init__(*args, **kwargs)
        steps = Step.objects.select_related("stage").order_by("stage__position", "position")
        self.fields["to_step"].queryset = steps.filter(stage__journey=journey) if journey else steps
        self.fields["to_step"].label_from_instance = lambda s: f"{s.stage.name} › {s.name}"


class ConfirmForm(VersionedForm):
    """Delete/move/publish buttons: only the version travels, so a stale page is refused."""

    requires_version = True


class SuggestionForm(VersionedForm):
    what = forms.CharField(max_length=500, label="What should change",
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
                           help_text="One or two sentences, up to 500 characters.")
    why = forms.CharField(max_length=2000, required=False, label="Why",
                          widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
                          help_text="What you saw or heard that makes you suggest it (up to 2,000 characters).")


class SuggestionDecisionForm(VersionedForm):
    requires_version = True
    decision = forms.ChoiceField(choices=[("accepted", "Accept"), ("declined", "Decline")],
                                 widget=forms.RadioSelect, label="Your answer")
    reply = forms.CharField(max_length=500, label="Reply", widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
                            help_text="A short reply; the person who suggested it reads it (up to 500 characters).")


class ChangesSinceForm(forms.Form):
    since = forms.DateField(label="Changes since", widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "Give a date as YYYY-MM-DD, e.g. 2026-11-27."})
