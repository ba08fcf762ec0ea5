from django import forms
from django.contrib.auth import get_user_model

from cxkeeper.core.forms import VersionedForm
from cxkeeper.core.roles import Role
from cxkeeper.org.choices import Office, TeamFunction
from cxkeeper.org.models import Team


class WorkspaceForm(VersionedForm):
    name = forms.CharField(max_length=200)
    mission = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              label="CX mission statement (North Star)")
    review_interval_days = forms.IntegerField(min_value=1, label="Review interval (days)",
                                              help_text="Journeys not reviewed for this long are flagged. "
                                                        "Admins only.")
    executive_sponsor = forms.ModelChoiceField(
        get_user_model().objects.filter(is_active=True).order_by("username"), required=False,
        label="Executive sponsor",
        help_text="Breaks ties when affected teams disagree on a friction point. Admins only.")
    perspective_reminder_days = forms.IntegerField(
        min_value=1, required=False, label="Remind teams after (days)",
        help_text="An affected team that has not given its perspective after this many days is reminded.")


class GlossaryTermForm(VersionedForm):
    term = forms.CharField(max_length=100)
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class TeamForm(VersionedForm):
    name = forms.CharField(max_length=100)
    function = forms.ChoiceField(choices=TeamFunction.choices)
    office = forms.ChoiceField(choices=Office.choices)
    customer_facing = forms.BooleanField(required=False)
    lead = forms.ModelChoiceField(get_user_model().objects.none(), required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = get_user_model().objects.order_by("username")


class PersonForm(VersionedForm):
    role = forms.ChoiceField(choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(Team.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)


class NewPersonForm(PersonForm):
    username = forms.CharField(max_length=150)
    full_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 10 characters, not common.")

    field_order = ["username", "full_name", "email", "password", "role", "teams"]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “nightly export script”.")
    days = forms.IntegerField(label="Works for (days)", min_value=1, required=False,
                              help_text="Leave empty for the longest allowed (a year unless your admin set less).")
