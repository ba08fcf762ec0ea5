"""Pages of friction points (the first part of the initiatives app)."""

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
]
