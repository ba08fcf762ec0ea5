from django.urls import path

from cxkeeper.insights import views

app_name = "insights"

urlpatterns = [
    path("journeys/<slug:slug>/heatmap/", views.heatmap, name="heatmap"),
    path("steps/<int:pk>/insights/", views.step_insights, name="step"),
    path("feedback/", views.feedback_explorer, name="feedback"),
    path("feedback/review/", views.review_queue, name="review"),
    path("feedback/review/clusters/<int:cluster_id>/", views.review_cluster, name="review_cluster"),
    path("feedback/review/clusters/<int:cluster_id>/assign/", views.assign_cluster, name="assign_cluster"),
    path("feedback/routing/", views.routing_quality, name="routing"),
    path("feedback/friction/", views.friction, name="friction"),
    path("feedback/erase/", views.erase_customer, name="erase"),
    path("steps/<int:pk>/phrases-from-theme/", views.add_theme_phrases, name="theme_phrases"),
    path("feedback/retrain/", views.retrain_router, name="retrain"),
    path("feedback/<int:pk>/route/", views.route_feedback, name="route"),
]
