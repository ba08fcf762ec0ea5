from django.urls import path

from cxkeeper.org import views

app_name = "org"

# The team page, /teams/<slug>/ (org:team), lists every step the team impacts — a journeys
# read — so it is journeys.views.team_detail, added to this namespace by cxkeeper/urls.py.

urlpatterns = [
    path("workspace/", views.workspace_edit, name="workspace"),
    path("glossary/", views.glossary, name="glossary"),
    path("glossary/new/", views.glossary_create, name="glossary_create"),
    path("glossary/<int:pk>/edit/", views.glossary_edit, name="glossary_edit"),
    path("glossary/<int:pk>/delete/", views.glossary_delete, name="glossary_delete"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<slug:slug>/edit/", views.team_edit, name="team_edit"),
    path("teams/<slug:slug>/delete/", views.team_delete, name="team_delete"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
