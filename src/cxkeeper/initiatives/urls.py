"""Pages of friction points, their co-creation, planned changes, initiatives and the priority board."""

from django.urls import path

from cxkeeper.initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("friction-points/", views.friction_point_list, name="friction_points"),
    path("friction-points/new/", views.friction_point_create, name="friction_point_create"),
    path("friction-points/from-theme/", views.friction_point_from_theme, name="friction_point_from_theme"),
    path("friction-points/from-signal/", views.friction_point_from_signal, name="friction_point_from_signal"),
    path("friction-points/<int:pk>/", views.friction_point_detail, name="friction_point"),
    path("friction-points/<int:pk>/edit/", views.friction_point_edit, name="friction_point_edit"),
    path("friction-points/<int:pk>/status/", views.friction_point_status, name="friction_point_status"),
    path("friction-points/<int:pk>/delete/", views.friction_point_delete, name="friction_point_delete"),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/new/", views.initiative_create, name="initiative_create"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative_edit"),
    path("initiatives/<int:pk>/status/", views.initiative_status, name="initiative_status"),
    path("initiatives/<int:pk>/delete/", views.initiative_delete, name="initiative_delete"),
    path("priorities/", views.priority_board, name="priorities"),
    path("priorities/weights/", views.priority_weights, name="priority_weights"),
    path("friction-points/<int:pk>/challenge/", views.friction_point_challenge, name="friction_point_challenge"),
    path("friction-points/<int:pk>/affected/", views.friction_point_affected, name="friction_point_affected"),
    path("friction-points/<int:pk>/perspective/", views.friction_point_perspective,
         name="friction_point_perspective"),
    path("friction-points/<int:pk>/options/new/", views.friction_point_option_new, name="friction_point_option_new"),
    path("friction-points/<int:pk>/options/<int:option_pk>/stance/", views.friction_point_option_stance,
         name="friction_point_option_stance"),
    path("friction-points/<int:pk>/options/<int:option_pk>/decide/", views.friction_point_option_decide,
         name="friction_point_option_decide"),
    path("friction-points/<int:pk>/escalate/", views.friction_point_escalate, name="friction_point_escalate"),
    path("friction-points/<int:pk>/initiative/", views.friction_point_initiative, name="friction_point_initiative"),
    path("planned-changes/", views.planned_change_list, name="planned_changes"),
    path("planned-changes/new/", views.planned_change_create, name="planned_change_create"),
    path("planned-changes/<int:pk>/", views.planned_change_detail, name="planned_change"),
    path("planned-changes/<int:pk>/edit/", views.planned_change_edit, name="planned_change_edit"),
    path("planned-changes/<int:pk>/perspective/", views.planned_change_perspective,
         name="planned_change_perspective"),
]
