"""Pages of friction points, initiatives and the priority board."""

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
]
