"""Pages of team channels and the Integrations area."""

from django.urls import path

from cxkeeper.channels import views

app_name = "channels"

urlpatterns = [
    path("teams/<slug:slug>/channels/", views.team_channels, name="team_channels"),
    path("teams/<slug:slug>/channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("teams/<slug:slug>/channels/<int:pk>/switch/", views.channel_switch, name="channel_switch"),
    path("teams/<slug:slug>/channels/<int:pk>/remove/", views.channel_remove, name="channel_remove"),
    path("integrations/", views.integrations, name="integrations"),
    path("integrations/webhooks/new/", views.webhook_new, name="webhook_new"),
    path("integrations/webhooks/<int:pk>/", views.webhook, name="webhook"),
    path("integrations/webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook_rotate"),
    path("integrations/webhooks/<int:pk>/remove/", views.webhook_remove, name="webhook_remove"),
    path("integrations/deliveries/<int:pk>/", views.delivery, name="delivery"),
    path("integrations/deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery_replay"),
]
