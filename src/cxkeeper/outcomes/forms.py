"""Forms of the outcome pages. They parse and validate what a person typed; the actions
check permissions and write (with the version each edit started from)."""

from __future__ import annotations

import datetime as dt
import math
import re

from django import forms

from cxkeeper.core.forms import VersionedForm
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.outcomes.actions import KPI_DATE_FORMATS, ValueRow
from cxkeeper.outcomes.choices import Direction, KpiSource, LinkKind, Scope
from cxkeeper.outcomes.models import BASE_METRICS, MetricDefinition, SharedOutcome, Target

MAX_CSV_BYTES = 2 * 1024 * 1024
PERIODS = (30, 90, 180)


def _text(rows: int = 3, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), required=required, **kwargs)


class OutcomeForm(VersionedForm):
    name = forms.CharField(max_length=120)
    description = _text(help_text="What this outcome means for customers, in plain words.")
    position = forms.IntegerField(min_value=0, required=False, help_text="Order on the pages; smaller comes first.")
    metrics = forms.ModelMultipleChoiceField(MetricDefinition.objects.all(), required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text="The measures this outcome is judged by.")

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if data.get("position") is None:
            data.pop("position", None)
        return data


class MetricForm(VersionedForm):
    key = forms.SlugField(max_length=60, help_text="Short stable name, e.g. ces or nps-business.")
    name = forms.CharField(max_length=120)
    base = forms.ChoiceField(choices=[(k, f"{v[0]} — {v[3]}") for k, v in BASE_METRICS.items()],
                             label="Based on", help_text="The insight-engine metric this is computed from.")
    channel = forms.CharField(max_length=60, required=False, help_text="Only feedback from this channel.")
    segment = forms.CharField(max_length=100, required=False, help_text="Only feedback from this segment.")
    direction = forms.ChoiceField(choices=[("", "as the base metric")] + list(Direction.choices), required=False,
                                  help_text="Which way is better; required for a volume metric.")
    description = _text()

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ScopePicker(forms.Select):
    """A journey/stage/step select that says which scope it belongs to (app.js shows only
    the picker of the chosen scope; without JavaScript all three are visible)."""

    def __init__(self, scope: str):
        super().__init__(attrs={"data-scope-picker": scope})


class TargetForm(VersionedForm):
    outcome = forms.ModelChoiceField(SharedOutcome.objects.all())
    metric = forms.ModelChoiceField(MetricDefinition.objects.all(), help_text="Usually one of the outcome's metrics.")
    scope = forms.ChoiceField(choices=Scope.choices, widget=forms.Select(attrs={"data-scope-select": "1"}),
                              help_text="Where the metric is measured: everywhere, or one journey, stage or step.")
    journey = forms.ModelChoiceField(Journey.objects.all(), required=False, widget=ScopePicker("journey"),
                                     help_text="For journey scope.")
    stage = forms.ModelChoiceField(Stage.objects.none(), required=False, widget=ScopePicker("stage"),
                                   help_text="For stage scope.")
    step = forms.ModelChoiceField(Step.objects.none(), required=False, widget=ScopePicker("step"),
                                  help_text="For step scope.")
    value = forms.FloatField(help_text="The value to reach: at least it when higher is better, at most otherwise.")
    due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Reach it by this date.")
    baseline = forms.FloatField(required=False, help_text="Where the metric stood; left empty, today's value "
                                                          "is taken when there is enough data.")
    baseline_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    window_days = forms.IntegerField(min_value=7, max_value=730, initial=90,
                                     help_text="The current value is measured over this many days.")
    note = _text(rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.select_related("journey").order_by("journey__name", "position")
        self.fields["stage"].label_from_instance = lambda s: f"{s.journey.name} › {s.name}"
        self.fields["step"].queryset = Step.objects.select_related("stage__journey").order_by(
            "stage__journey__name", "stage__position", "position")
        self.fields["step"].label_from_instance = lambda s: f"{s.stage.journey.name} › {s.stage.name} › {s.name}"
        self.fields["journey"].label = "Journey"

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        wanted = {Scope.JOURNEY: "journey", Scope.STAGE: "stage", Scope.STEP: "step"}.get(scope)
        for name in ("journey", "stage", "step"):
            if name != wanted:
                data[name] = None  # a picker of another scope may still hold a value; it does not apply
            elif data.get(name) is None and name not in self.errors:
                self.add_error(name, f"Choose the {name} this target is for.")
        return data

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class StatementForm(VersionedForm):
    customer_goal = forms.CharField(max_length=300, help_text="What customers achieve, in their words.")
    business_outcome = forms.CharField(max_length=300, help_text="What it does for the organization.")
    target = forms.ModelChoiceField(Target.objects.none(), required=False, label="Measure and target",
                                    help_text="The target that says whether it is happening.")
    position = forms.IntegerField(min_value=0, required=False, initial=0)

    def __init__(self, *args, outcome=None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = Target.objects.select_related("metric", "journey", "stage", "step", "outcome")
        self.fields["target"].queryset = targets.filter(outcome=outcome) if outcome is not None else targets

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["position"] = data.get("position") or 0
        return data


class KpiForm(VersionedForm):
    name = forms.CharField(max_length=120)
    unit = forms.CharField(max_length=40, help_text="e.g. minutes, %, € per contact")
    direction = forms.ChoiceField(choices=Direction.choices)
    source = forms.ChoiceField(choices=KpiSource.choices, initial=KpiSource.MANUAL)
    metric = forms.ModelChoiceField(MetricDefinition.objects.all(), required=False,
                                    help_text="Only for a KPI taken from a cxkeeper metric (measured at the "
                                              "steps the team owns).")
    description = _text(help_text="What it measures and why the team tracks it.")

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


_SEPARATOR = re.compile(r"[,;\t ]+")


def parse_period(raw: str) -> dt.date | None:
    for fmt in KPI_DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


class KpiValuesForm(forms.Form):
    values = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "2026-01, 8.4\n2026-02, 8.1"}),
        label="Values", help_text="One period and value per line: YYYY-MM-DD or YYYY-MM (a month), then the value.")
    replace = forms.BooleanField(required=False, label="Replace every stored value with these",
                                 help_text="Unticked, these are added (a period already stored gets the new value).")

    def clean_values(self) -> list[ValueRow]:
        rows, problems = [], []
        for number, line in enumerate(self.cleaned_data["values"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = _SEPARATOR.split(line.strip(), maxsplit=1)
            if len(parts) != 2:
                problems.append(f"Line {number}: “{line.strip()}” needs a period and a value.")
                continue
            period = parse_period(parts[0])
            try:
                value = float(parts[1].strip().replace(",", ""))
            except ValueError:
                value = None
            if period is None:
                problems.append(f"Line {number}: “{parts[0]}” is not a date (use YYYY-MM-DD, YYYY-MM or DD/MM/YYYY).")
            if value is None or not math.isfinite(value):
                problems.append(f"Line {number}: “{parts[1].strip()}” is not a number.")
            if period is not None and value is not None and math.isfinite(value):
                rows.append(ValueRow(period, value))
        if problems:
            raise forms.ValidationError(problems)
        if not rows:
            raise forms.ValidationError("Give at least one value.")
        return rows


class KpiImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns period (or date, month), value and optionally "
                                                       "unit; dates as YYYY-MM-DD, YYYY-MM or DD/MM/YYYY.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(f"{upload.name}: the file is larger than 2 MB; a KPI has one value a "
                                        "period, so this is probably the wrong file.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(f"{upload.name}: not UTF-8 text (save it as CSV UTF-8).") from exc
        return upload.name, text


class KpiLinkForm(forms.Form):
    outcome = forms.ModelChoiceField(SharedOutcome.objects.all())
    kind = forms.ChoiceField(choices=LinkKind.choices, initial=LinkKind.SUPPORTS, label="This KPI",
                             help_text="Supports: improving the KPI helps the outcome. In tension: improving it "
                                       "can hurt the outcome (say so openly, so nobody is surprised).")
    note = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(choices=[(d, f"last {d} days") for d in PERIODS], coerce=int, required=False)

    def value(self) -> int:
        if self.is_valid() and self.cleaned_data.get("days"):
            return self.cleaned_data["days"]
        return 90
