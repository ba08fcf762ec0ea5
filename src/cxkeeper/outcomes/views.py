"""Outcome pages: the CX language, shared outcomes, metrics, targets, team KPIs, tensions,
the alignment map and the scorecards. Views parse and authorize (a refusal raises
`Forbidden`, rendered as a 403 with its reason); reads come from `queries`, writes from
`actions`, chart specs from `charts`. The exports live in `report_views`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from cxkeeper.core.forms import run_form
from cxkeeper.core.params import parse_id
from cxkeeper.core.queries import recent_changes_of
from cxkeeper.core.views import confirm_delete
from cxkeeper.insights import clock
from cxkeeper.org.models import GlossaryTerm, Team
from cxkeeper.org.permissions import can, require_keeper
from cxkeeper.outcomes import actions, charts, commitments, queries, recognitions
from cxkeeper.outcomes.alignment_layout import layout as alignment_layout
from cxkeeper.outcomes.choices import LinkKind, Status
from cxkeeper.outcomes.forms import (
    PERIODS,
    KpiForm,
    KpiImportForm,
    KpiLinkForm,
    KpiValuesForm,
    MetricForm,
    OutcomeForm,
    PeriodForm,
    StatementForm,
    TargetForm,
)
from cxkeeper.outcomes.models import KpiLink, MetricDefinition, SharedOutcome, SuccessStatement, Target, TeamKpi
from cxkeeper.outcomes.permissions import require_define, require_team_kpis
from cxkeeper.outcomes.summary import sponsor_summary

FORM = "core/form.html"


def _can_define(user) -> bool:
    return can(require_define, user)


def _target_card(view: queries.TargetView, index: int) -> dict:
    return {"view": view, "chart_id": f"chart-target-{view.target.pk}-{index}", "chart": charts.target_trend(view)}


# ---------------------------------------------------------------- the universal CX language


def language(request):
    statements = queries.success_statements()
    status = {}
    for statement in statements:
        if statement.target_id and statement.target_id not in status:
            status[statement.target_id] = queries.assess(statement.target)
    return render(request, "outcomes/language.html", {
        "history": queries.mission_history(),
        "statements": [(s, status.get(s.target_id)) for s in statements],
        "terms": GlossaryTerm.objects.all(),
        "outcomes": SharedOutcome.objects.all(),
        "can_edit_mission": can(require_keeper, request.user, "change the mission statement"),
        "can_define": _can_define(request.user),
    })


# ---------------------------------------------------------------- shared outcomes


def _clock() -> tuple:
    """(data-through day or None, the as-of day of the page's figures): read once per page."""
    through = clock.data_through()
    return through, through or queries.default_as_of()


def outcome_list(request):
    through, as_of = _clock()
    return render(request, "outcomes/outcome_list.html", {
        "outcomes": queries.outcome_views(as_of=as_of), "data_through": through,
        "can_define": _can_define(request.user),
    })


def outcome_detail(request, pk):
    outcome = queries.outcome_by_id(pk)
    through, as_of = _clock()
    memo: dict = {}
    views = [queries.assess(t, as_of=as_of, memo=memo) for t in queries.targets_in_scope(outcome=outcome)]
    metric_ids = set(outcome.metrics.values_list("pk", flat=True))
    findings = [f for f in queries.tension_findings(as_of=as_of, memo=memo) if f.metric.pk in metric_ids and f.found]
    return render(request, "outcomes/outcome_detail.html", {
        "outcome": outcome,
        "metrics": outcome.metrics.all(),
        "targets": [_target_card(v, i) for i, v in enumerate(views)],
        "statements": outcome.statements.select_related("target", "target__metric"),
        "links": outcome.kpi_links.select_related("kpi", "kpi__team"),
        "findings": findings,
        "history": recent_changes_of(outcome),
        "can_define": _can_define(request.user),
        "statuses": {v.target.pk: v for v in views}, "data_through": through,
    })


def outcome_create(request):
    require_define(request.user)
    form = OutcomeForm(request.POST or None)
    return run_form(
        request, form, lambda data: actions.define_outcome(form.values(), acting_user=request.user),
        template=FORM, context={"title": "New shared outcome", "cancel_url": reverse("outcomes:list")},
        success_url=lambda o: o.get_absolute_url(), success_message="Shared outcome defined.",
    )


def outcome_edit(request, pk):
    outcome = queries.outcome_by_id(pk)
    require_define(request.user)
    initial = {"name": outcome.name, "description": outcome.description, "position": outcome.position,
               "metrics": list(outcome.metrics.values_list("pk", flat=True)), "version": outcome.version}
    form = OutcomeForm(request.POST or None, initial=initial)
    return run_form(
        request, form,
        lambda data: actions.update_outcome(outcome, form.values(), expected_version=data["version"],
                                            acting_user=request.user),
        template=FORM, context={"title": f"Edit shared outcome “{outcome.name}”",
                                "cancel_url": outcome.get_absolute_url()},
        success_url=lambda o: o.get_absolute_url(), success_message="Shared outcome saved.",
    )


def outcome_delete(request, pk):
    outcome = queries.outcome_by_id(pk)
    require_define(request.user)
    n_targets = outcome.targets.count()
    warning = (f"It still has {n_targets} target(s): deleting is refused until they are deleted or moved."
               if n_targets else "Its success statements and KPI links are deleted too (recorded in history).")
    return confirm_delete(
        request, outcome,
        lambda version: actions.delete_outcome(outcome, expected_version=version, acting_user=request.user),
        title=f"Delete shared outcome “{outcome.name}”?", warning=warning, cancel_url=outcome.get_absolute_url(),
        success_url=reverse("outcomes:list"), success_message="Shared outcome deleted.",
    )


# ---------------------------------------------------------------- success statements


def statement_create(request, outcome_pk):
    outcome = queries.outcome_by_id(outcome_pk)
    require_define(request.user, "write success statements")
    form = StatementForm(request.POST or None, outcome=outcome,
                         initial={"position": outcome.statements.count() + 1})
    return run_form(
        request, form,
        lambda data: actions.add_success_statement({"outcome": outcome, **form.values()}, acting_user=request.user),
        template=FORM, context={"title": f"New success statement for “{outcome.name}”",
                                "cancel_url": outcome.get_absolute_url()},
        success_url=outcome.get_absolute_url(), success_message="Success statement added.",
    )


def _statement(pk) -> SuccessStatement:
    return get_object_or_404(SuccessStatement.objects.select_related("outcome", "target"), pk=pk)


def statement_edit(request, pk):
    statement = _statement(pk)
    require_define(request.user, "edit success statements")
    initial = {"customer_goal": statement.customer_goal, "business_outcome": statement.business_outcome,
               "target": statement.target_id, "position": statement.position, "version": statement.version}
    form = StatementForm(request.POST or None, outcome=statement.outcome, initial=initial)
    return run_form(
        request, form,
        lambda data: actions.update_success_statement(statement, form.values(), expected_version=data["version"],
                                                      acting_user=request.user),
        template=FORM, context={"title": "Edit success statement", "cancel_url": statement.outcome.get_absolute_url()},
        success_url=statement.outcome.get_absolute_url(), success_message="Success statement saved.",
    )


def statement_delete(request, pk):
    statement = _statement(pk)
    require_define(request.user, "delete success statements")
    return confirm_delete(
        request, statement,
        lambda version: actions.delete_success_statement(statement, expected_version=version,
                                                         acting_user=request.user),
        title=f"Delete the success statement “{statement.customer_goal}”?", warning="",
        cancel_url=statement.outcome.get_absolute_url(), success_url=statement.outcome.get_absolute_url(),
        success_message="Success statement deleted.",
    )


# ---------------------------------------------------------------- metric definitions


def metric_list(request):
    return render(request, "outcomes/metric_list.html", {
        "metrics": MetricDefinition.objects.prefetch_related("outcomes", "targets", "kpis"),
        "can_define": _can_define(request.user),
    })


def metric_detail(request, pk):
    metric = queries.metric_by_id(pk)
    targets = metric.targets.select_related("outcome", "journey", "stage", "step", "metric")
    return render(request, "outcomes/metric_detail.html", {
        "metric": metric,
        "outcomes": metric.outcomes.all(),
        "targets": [queries.assess(t) for t in targets],
        "kpis": metric.kpis.select_related("team"),
        "history": recent_changes_of(metric),
        "can_define": _can_define(request.user),
    })


def _metric_initial(metric) -> dict:
    return {"key": metric.key, "name": metric.name, "base": metric.base, "channel": metric.channel,
            "segment": metric.segment, "direction": metric.direction, "description": metric.description,
            "version": metric.version}


def metric_create(request):
    require_define(request.user)
    form = MetricForm(request.POST or None)
    return run_form(
        request, form, lambda data: actions.define_metric(form.values(), acting_user=request.user),
        template=FORM, context={"title": "New metric definition", "cancel_url": reverse("outcomes:metrics")},
        success_url=lambda m: m.get_absolute_url(), success_message="Metric defined.",
    )


def metric_edit(request, pk):
    metric = queries.metric_by_id(pk)
    require_define(request.user)
    form = MetricForm(request.POST or None, initial=_metric_initial(metric))
    return run_form(
        request, form,
        lambda data: actions.update_metric(metric, form.values(), expected_version=data["version"],
                                           acting_user=request.user),
        template=FORM, context={"title": f"Edit metric “{metric.name}”", "cancel_url": metric.get_absolute_url()},
        success_url=lambda m: m.get_absolute_url(), success_message="Metric saved.",
    )


def metric_delete(request, pk):
    metric = queries.metric_by_id(pk)
    require_define(request.user)
    users = metric.targets.count() + metric.kpis.count()
    warning = (f"It is still used by {metric.targets.count()} target(s) and {metric.kpis.count()} KPI(s): "
               "deleting is refused until those change." if users else "")
    return confirm_delete(
        request, metric,
        lambda version: actions.delete_metric(metric, expected_version=version, acting_user=request.user),
        title=f"Delete metric “{metric.name}”?", warning=warning, cancel_url=metric.get_absolute_url(),
        success_url=reverse("outcomes:metrics"), success_message="Metric deleted.",
    )


# ---------------------------------------------------------------- targets


def target_detail(request, pk):
    target = queries.target_by_id(pk)
    through, as_of = _clock()
    view = queries.assess(target, as_of=as_of)
    return render(request, "outcomes/target_detail.html", {
        "target": target, "data_through": through, "period": view.period,
        "card": _target_card(view, 0),
        "statements": target.statements.all(),
        "history": recent_changes_of(target),
        "can_define": _can_define(request.user),
    })


def _target_initial(target) -> dict:
    return {"outcome": target.outcome_id, "metric": target.metric_id, "scope": target.scope,
            "journey": target.journey_id, "stage": target.stage_id, "step": target.step_id, "value": target.value,
            "due": target.due, "baseline": target.baseline, "baseline_date": target.baseline_date,
            "window_days": target.window_days, "note": target.note, "version": target.version}


def target_create(request):
    require_define(request.user, "set targets")
    initial = {"window_days": 90}
    outcome_id = parse_id(request.GET.get("outcome"))
    outcome = SharedOutcome.objects.filter(pk=outcome_id).first() if outcome_id is not None else None
    if outcome is not None:
        initial["outcome"] = outcome.pk
        first_metric = outcome.metrics.first()
        if first_metric is not None:
            initial["metric"] = first_metric.pk
    form = TargetForm(request.POST or None, initial=initial)
    return run_form(
        request, form, lambda data: actions.set_metric_target(form.values(), acting_user=request.user),
        template="outcomes/target_form.html",
        context={"title": "New target", "cancel_url": outcome.get_absolute_url() if outcome
                 else reverse("outcomes:list")},
        success_url=lambda t: t.get_absolute_url(), success_message="Target set.",
    )


def target_edit(request, pk):
    target = queries.target_by_id(pk)
    require_define(request.user, "change targets")
    form = TargetForm(request.POST or None, initial=_target_initial(target))
    return run_form(
        request, form,
        lambda data: actions.update_target(target, form.values(), expected_version=data["version"],
                                           acting_user=request.user),
        template="outcomes/target_form.html",
        context={"title": f"Edit target “{target}”", "cancel_url": target.get_absolute_url()},
        success_url=lambda t: t.get_absolute_url(), success_message="Target saved.",
    )


def target_delete(request, pk):
    target = queries.target_by_id(pk)
    require_define(request.user, "delete targets")
    n = target.statements.count()
    return confirm_delete(
        request, target,
        lambda version: actions.delete_target(target, expected_version=version, acting_user=request.user),
        title=f"Delete target “{target}”?",
        warning=f"{n} success statement(s) measured by it keep their words but lose the measure." if n else "",
        cancel_url=target.get_absolute_url(), success_url=target.outcome.get_absolute_url(),
        success_message="Target deleted.",
    )


# ---------------------------------------------------------------- team KPIs


def kpi_list(request):
    kpis = list(queries.all_kpis())
    found = {f.kpi.pk for f in queries.tension_findings() if f.found}
    by_team = {}
    for kpi in kpis:
        by_team.setdefault(kpi.team_id, []).append(queries.KpiView(kpi, queries.kpi_series(kpi),
                                                                    list(kpi.links.all())))
    teams = [(team, by_team.get(team.pk, []), can(require_team_kpis, request.user, team))
             for team in Team.objects.all()]
    return render(request, "outcomes/kpi_list.html", {"teams": teams, "found": found})


def kpi_detail(request, pk):
    kpi = queries.kpi_by_id(pk)
    series = queries.kpi_series(kpi)
    findings = [f for f in queries.tension_findings(team=kpi.team) if f.kpi.pk == kpi.pk]
    findings.sort(key=lambda f: (not f.found, f.metric.name))
    links = list(kpi.links.select_related("outcome"))
    can_manage = can(require_team_kpis, request.user, kpi.team)
    return render(request, "outcomes/kpi_detail.html", {
        "kpi": kpi,
        "view": queries.KpiView(kpi, series, links),
        "series": list(reversed(series)),
        "chart": charts.kpi_series(kpi.name, kpi.unit, series) if series else None,
        "links": links,
        "findings": findings,
        "declared_tension": {link.outcome_id for link in links if link.kind == LinkKind.TENSION},
        "link_form": KpiLinkForm() if can_manage else None,
        "history": recent_changes_of(kpi),
        "can_manage": can_manage,
        "min_months": queries.MIN_TENSION_MONTHS,
    })


def _team_by_slug(slug) -> Team:
    return queries.team_by_slug(slug)


def kpi_create(request, slug):
    team = _team_by_slug(slug)
    require_team_kpis(request.user, team)
    form = KpiForm(request.POST or None)
    return run_form(
        request, form, lambda data: actions.declare_team_kpi({"team": team, **form.values()},
                                                             acting_user=request.user),
        template=FORM, context={"title": f"New KPI of {team.name}", "cancel_url": reverse("outcomes:kpis")},
        success_url=lambda k: k.get_absolute_url(), success_message="KPI declared.",
    )


def kpi_edit(request, pk):
    kpi = queries.kpi_by_id(pk)
    require_team_kpis(request.user, kpi.team)
    initial = {"name": kpi.name, "unit": kpi.unit, "direction": kpi.direction, "source": kpi.source,
               "metric": kpi.metric_id, "description": kpi.description, "version": kpi.version}
    form = KpiForm(request.POST or None, initial=initial)
    return run_form(
        request, form,
        lambda data: actions.update_team_kpi(kpi, form.values(), expected_version=data["version"],
                                             acting_user=request.user),
        template=FORM, context={"title": f"Edit KPI “{kpi.name}” of {kpi.team.name}",
                                "cancel_url": kpi.get_absolute_url()},
        success_url=lambda k: k.get_absolute_url(), success_message="KPI saved.",
    )


def kpi_delete(request, pk):
    kpi = queries.kpi_by_id(pk)
    require_team_kpis(request.user, kpi.team)
    return confirm_delete(
        request, kpi,
        lambda version: actions.delete_team_kpi(kpi, expected_version=version, acting_user=request.user),
        title=f"Delete KPI “{kpi.name}” of {kpi.team.name}?",
        warning=f"Its {kpi.values.count()} value(s) and {kpi.links.count()} link(s) to outcomes are deleted too.",
        cancel_url=kpi.get_absolute_url(), success_url=reverse("outcomes:kpis"), success_message="KPI deleted.",
    )


def kpi_values(request, pk):
    kpi = queries.kpi_by_id(pk)
    require_team_kpis(request.user, kpi.team)
    form = KpiValuesForm(request.POST or None)

    def perform(data):
        count = actions.record_kpi_values(kpi, data["values"], replace=data["replace"], acting_user=request.user)
        messages.success(request, f"{count} value(s) stored{' (the others were removed)' if data['replace'] else ''}.")
        return kpi

    return run_form(
        request, form, perform, template="outcomes/kpi_values.html",
        context={"title": f"Values of “{kpi.name}” ({kpi.team.name})", "kpi": kpi,
                 "stored": list(kpi.values.order_by("-period")[:60]), "cancel_url": kpi.get_absolute_url()},
        success_url=kpi.get_absolute_url(),
    )


def kpi_values_import(request, pk):
    kpi = queries.kpi_by_id(pk)
    require_team_kpis(request.user, kpi.team)
    form = KpiImportForm(request.POST or None, request.FILES or None)

    def perform(data):
        filename, text = data["file"]
        count = actions.import_kpi_values(kpi, text, filename=filename, acting_user=request.user)
        messages.success(request, f"Imported {count} value(s) from {filename}.")
        return kpi

    return run_form(
        request, form, perform, template="outcomes/kpi_import.html",
        context={"title": f"Import values of “{kpi.name}” ({kpi.team.name})", "kpi": kpi,
                 "cancel_url": kpi.get_absolute_url()},
        success_url=kpi.get_absolute_url(),
    )


def kpi_link(request, pk):
    kpi = queries.kpi_by_id(pk)
    require_team_kpis(request.user, kpi.team)
    form = KpiLinkForm(request.POST or None)
    return run_form(
        request, form,
        lambda data: actions.link_kpi_to_outcome(kpi, data["outcome"], data["kind"], note=data["note"],
                                                 acting_user=request.user),
        template=FORM,
        context={"title": f"Link “{kpi.name}” to a shared outcome", "cancel_url": kpi.get_absolute_url()},
        success_url=kpi.get_absolute_url(), success_message="Link saved.",
    )


def kpi_unlink(request, pk):
    link = get_object_or_404(KpiLink.objects.select_related("kpi", "kpi__team", "outcome"), pk=pk)
    require_team_kpis(request.user, link.kpi.team)
    return confirm_delete(
        request, link, lambda version: actions.unlink_kpi(link, acting_user=request.user),
        title=f"Remove the link “{link}”?", warning="", cancel_url=link.kpi.get_absolute_url(),
        success_url=link.kpi.get_absolute_url(), success_message="Link removed.",
    )


# ---------------------------------------------------------------- tensions and alignment


def tension_list(request):
    findings = queries.tension_findings()
    findings.sort(key=lambda f: (not f.found, f.declared is not None, f.kpi.team.name, f.kpi.name, f.metric.name))
    return render(request, "outcomes/tensions.html", {
        "findings": findings,
        "n_found": sum(1 for f in findings if f.found),
        "n_undeclared": sum(1 for f in findings if f.found and f.declared is None),
        "min_months": queries.MIN_TENSION_MONTHS,
    })


def alignment_map(request):
    alignment = queries.alignment()
    return render(request, "outcomes/alignment.html", {
        "alignment": alignment,
        "layout": alignment_layout(alignment),
        "n_found": sum(1 for f in alignment.findings if f.found),
    })


# ---------------------------------------------------------------- scorecards


def scorecard_index(request):
    teams = Team.objects.all()
    kpi_counts = {}
    for kpi in TeamKpi.objects.values_list("team_id", flat=True):
        kpi_counts[kpi] = kpi_counts.get(kpi, 0) + 1
    return render(request, "outcomes/scorecard_index.html", {
        "teams": [(team, kpi_counts.get(team.pk, 0)) for team in teams],
        "n_targets": Target.objects.count(),
    })


def _period_query(days: int) -> str:
    """The exports cover the period the page shows (90 days unless chosen otherwise)."""
    return "" if days == 90 else f"?days={days}"


def team_scorecard(request, slug):
    team = _team_by_slug(slug)
    days = PeriodForm(request.GET).value()
    through, as_of = _clock()
    card = queries.scorecard(team, as_of=as_of, period_days=days)
    kpi_charts = [(view, f"chart-kpi-{view.kpi.pk}", charts.kpi_series(view.kpi.name, view.kpi.unit, view.series,
                                                                       height=110) if view.series else None)
                  for view in card.kpis]
    return render(request, "outcomes/scorecard.html", {
        "team": team, "card": card, "days": days, "periods": PERIODS, "kpi_charts": kpi_charts,
        "data_through": through,
        "period_query": _period_query(days),
        "headline": [(m, queries.BASE_METRICS[m][0]) for m in queries.HEADLINE_METRICS],
        "statuses": Status.choices,
        "can_manage": can(require_team_kpis, request.user, team),
        "commitments": commitments.commitments_of(team),
        "wins": recognitions.wins_of(team),  # wins (issue 13), from the wins app's provider
    })


def org_scorecard(request):
    days = PeriodForm(request.GET).value()
    through, as_of = _clock()
    view = queries.org_view(as_of=as_of, period_days=days)
    outcomes = []
    for index, outcome in enumerate(view.outcomes):
        outcomes.append((outcome, [_target_card(t, index * 100 + i) for i, t in enumerate(outcome.targets)]))
    return render(request, "outcomes/org_scorecard.html", {
        "view": view, "outcomes": outcomes, "days": days, "periods": PERIODS, "statuses": Status.choices,
        "summary": sponsor_summary(view),  # the sponsor's one screen, from the same view (decision 0038)
        "data_through": through, "period": queries.period_ending(view.as_of, days),
        "period_query": _period_query(days),
        "worst_label": queries.BASE_METRICS["ces"][0],
        "wins": recognitions.all_wins(),  # wins (issue 13), from the wins app's provider
    })
