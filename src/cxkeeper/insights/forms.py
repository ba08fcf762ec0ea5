"""Forms of the insight pages: filters (GET) and the one-click routing correction (POST)."""

from __future__ import annotations

import datetime as dt

from django import forms

from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N
from cxkeeper.insights.queries import METRICS, PERIODS, ROUTED_FILTERS
from cxkeeper.journeys.models import Journey, Step

METRIC_CHOICES = [(key, label) for key, (label, _unit, _better) in METRICS.items()]
PERIOD_CHOICES = [(str(days), f"last {days} days") for days in PERIODS]
NONE_OF_THESE = "none"
OFF_TOPIC = "off_topic"  # the review answer "not customer feedback about the journey"


class MetricPeriodForm(forms.Form):
    """`?metric=nps&period=90` of the heatmap and the step-insights page."""

    metric = forms.ChoiceField(choices=METRIC_CHOICES, required=False)
    period = forms.TypedChoiceField(choices=PERIOD_CHOICES, coerce=int, required=False)
    min_n = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def values(self) -> tuple[str, int, int]:
        data = self.cleaned_data if self.is_valid() else {}
        from cxkeeper.insights import clock

        # the one default period of every figure (insights/clock.py), not a number of its own
        return (data.get("metric") or "nps", data.get("period") or clock.DEFAULT_PERIOD_DAYS,
                data.get("min_n") or DEFAULT_MIN_N)

    @staticmethod
    def window(period: int, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The `period` days ending on `end`, by default the clock's data-through day."""
        from cxkeeper.insights import clock

        end = end or clock.as_of()
        return end - dt.timedelta(days=period - 1), end


class FeedbackFilterForm(forms.Form):
    """The explorer's filters; the same names as the API's query parameters."""

    q = forms.CharField(required=False, label="Text contains", max_length=200)
    journey = forms.ModelChoiceField(Journey.objects.order_by("name"), required=False, to_field_name="slug",
                                     empty_label="any journey")
    step = forms.ModelChoiceField(Step.objects.select_related("stage__journey").order_by(
        "stage__journey__name", "stage__position", "position"), required=False, empty_label="any step")
    channel = forms.CharField(required=False, max_length=60)
    segment = forms.CharField(required=False, max_length=100)
    source = forms.CharField(required=False, max_length=120)
    routed = forms.ChoiceField(choices=[("", "routed or not"), *ROUTED_FILTERS.items()], required=False,
                               label="Routing")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].label_from_instance = lambda s: f"{s.stage.journey.name} › {s.name}"
        if choices is not None:
            self.fields["channel"].widget = forms.Select(choices=[("", "any channel")] +
                                                         [(c, c) for c in choices["channels"]])
            self.fields["segment"].widget = forms.Select(choices=[("", "any segment")] +
                                                         [(s, s) for s in choices["segments"]])
            self.fields["source"].widget = forms.Select(choices=[("", "any source")] +
                                                        [(s.name, s.name) for s in choices["sources"]])

    def filters(self) -> dict:
        """Keyword arguments for `queries.feedback_list` (invalid fields are ignored)."""
        from cxkeeper.insights.models import FeedbackSource

        data = self.cleaned_data if self.is_valid() else {
            k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        source = None
        if data.get("source"):
            source = FeedbackSource.objects.filter(name=data["source"]).first() or FeedbackSource(pk=0)
        return {"q": data.get("q") or "", "journey": data.get("journey"), "step": data.get("step"),
                "channel": data.get("channel") or "", "segment": data.get("segment") or None, "source": source,
                "routed": data.get("routed") or "", "start": data.get("start"), "end": data.get("end")}


class RouteForm(forms.Form):
    """One-click correction: a step id, "none" for feedback about no step of the map, or
    "off_topic" for spam and chatter (cleaned to `OFF_TOPIC`, which equals `RoutedBy.OFF_TOPIC`)."""

    step = forms.CharField(max_length=20)

    def clean_step(self):
        value = self.cleaned_data["step"].strip()
        if value == NONE_OF_THESE:
            return None
        if value == OFF_TOPIC:
            return OFF_TOPIC
        if not value.isdigit() or not Step.objects.filter(pk=int(value)).exists():
            raise forms.ValidationError("Choose a step of the journey map (or “none of these steps”, "
                                        "or “off-topic”).")
        return Step.objects.get(pk=int(value))
