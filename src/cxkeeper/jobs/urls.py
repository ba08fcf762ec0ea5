"""The Background work page."""

from django.urls import path

from cxkeeper.jobs import views

app_name = "jobs"

urlpatterns = [
    path("background-work/", views.background_work, name="list"),
    path("background-work/<int:pk>/retry/", views.retry, name="retry"),
]
