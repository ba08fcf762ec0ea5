from django.contrib.auth import views as auth_views
from django.urls import path

from cxkeeper.core import views
from cxkeeper.core.auth import RateLimitedLoginView, RateLimitedPasswordChangeView
from cxkeeper.core.sso import SignOutView

urlpatterns = [
    path("activity/", views.activity, name="activity"),
    path("history/<str:app_label>/<str:model>/<int:object_id>/", views.object_history, name="history"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", RateLimitedLoginView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),  # and at the provider (decision 0042)
    path("accounts/password/", RateLimitedPasswordChangeView.as_view(
        template_name="registration/password_change.html", success_url="/accounts/password/done/"),
        name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/password_change_done.html"), name="password_change_done"),
]
