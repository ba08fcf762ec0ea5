from django import forms

from cxkeeper.wins.models import KUDOS_MAX


class KudosForm(forms.Form):
    text = forms.CharField(label="Your note of thanks", max_length=KUDOS_MAX,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": KUDOS_MAX}),
                           help_text=f"Who made a difference and how; at most {KUDOS_MAX} characters.")
