"""Planning exports' download addresses (issue 15, item 7)."""

from django.urls import path

from cxkeeper.governance import planning_views

app_name = "planning"

urlpatterns = [
    path("initiatives/export.<str:fmt>", planning_views.initiatives_export, name="initiatives_export"),
    path("council/action-items/export.<str:fmt>", planning_views.action_items_export, name="action_items_export"),
]
