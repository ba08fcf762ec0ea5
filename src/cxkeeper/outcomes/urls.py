"""Pages of shared outcomes: the CX language, outcomes, metrics, targets, team KPIs,
tensions, the alignment map, scorecards and their exports."""

from django.urls import path

from cxkeeper.outcomes import report_views, views

app_name = "outcomes"

urlpatterns = [
    path("language/", views.language, name="language"),
    path("outcomes/", views.outcome_list, name="list"),
    path("outcomes/new/", views.outcome_create, name="outcome_create"),
    path("outcomes/<int:pk>/", views.outcome_detail, name="outcome"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("outcomes/<int:pk>/delete/", views.outcome_delete, name="outcome_delete"),
    path("outcomes/<int:outcome_pk>/statements/new/", views.statement_create, name="statement_create"),
    path("statements/<int:pk>/edit/", views.statement_edit, name="statement_edit"),
    path("statements/<int:pk>/delete/", views.statement_delete, name="statement_delete"),
    path("metrics/definitions/", views.metric_list, name="metrics"),
    path("metrics/definitions/new/", views.metric_create, name="metric_create"),
    path("metrics/definitions/<int:pk>/", views.metric_detail, name="metric"),
    path("metrics/definitions/<int:pk>/edit/", views.metric_edit, name="metric_edit"),
    path("metrics/definitions/<int:pk>/delete/", views.metric_delete, name="metric_delete"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("kpis/", views.kpi_list, name="kpis"),
    path("teams/<slug:slug>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("kpis/<int:pk>/", views.kpi_detail, name="kpi"),
    path("kpis/<int:pk>/edit/", views.kpi_edit, name="kpi_edit"),
    path("kpis/<int:pk>/delete/", views.kpi_delete, name="kpi_delete"),
    path("kpis/<int:pk>/values/", views.kpi_values, name="kpi_values"),
    path("kpis/<int:pk>/values/import/", views.kpi_values_import, name="kpi_values_import"),
    path("kpis/<int:pk>/links/", views.kpi_link, name="kpi_link"),
    path("kpi-links/<int:pk>/delete/", views.kpi_unlink, name="kpi_unlink"),
    path("tensions/", views.tension_list, name="tensions"),
    path("alignment/", views.alignment_map, name="alignment"),
    path("scorecards/", views.scorecard_index, name="scorecards"),
    path("scorecards/organization/", views.org_scorecard, name="org"),
    path("scorecards/organization/export.<str:fmt>", report_views.org_export, name="org_export"),
    path("scorecards/<slug:slug>/", views.team_scorecard, name="scorecard"),
    path("scorecards/<slug:slug>/export.<str:fmt>", report_views.scorecard_export, name="scorecard_export"),
]
