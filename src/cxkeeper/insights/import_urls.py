from django.urls import path

from cxkeeper.insights import import_views as views

app_name = "imports"

urlpatterns = [
    path("feedback/import/", views.import_home, name="home"),
    path("feedback/import/<int:pk>/", views.import_job, name="job"),
    path("feedback/import/<int:pk>/progress/", views.import_progress, name="progress"),
    path("feedback/import/<int:pk>/start/", views.import_start, name="start"),
    path("feedback/import/<int:pk>/resume/", views.import_resume, name="resume"),
    path("feedback/import/<int:pk>/errors.csv", views.import_errors, name="errors"),
]
