"""Pages of wins: the wall and each measured result."""

from django.urls import path

from cxkeeper.wins import views

app_name = "wins"

urlpatterns = [
    path("wins/", views.wall, name="wall"),
    path("wins/<int:pk>/", views.win, name="win"),
]
