from django.urls import path

from cxkeeper.notify import views

app_name = "notify"

urlpatterns = [
    path("notifications/preferences/", views.preferences_page, name="preferences"),
    path("notifications/digests/<slug:slug>/", views.digest_preview, name="digest_preview"),
    # Reached from the digest e-mail without signing in (core.middleware.PUBLIC_PREFIXES).
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
