from django.urls import path

from cxkeeper.journeys import views

app_name = "journeys"

urlpatterns = [
    path("journeys/", views.journey_list, name="list"),
    path("journeys/new/", views.journey_create, name="create"),
    path("journeys/<slug:slug>/", views.journey_map, name="map"),
    path("journeys/<slug:slug>/edit/", views.journey_edit, name="edit"),
    path("journeys/<slug:slug>/delete/", views.journey_delete, name="delete"),
    path("journeys/<slug:slug>/publish/", views.journey_publish, {"publish": True}, name="publish"),
    path("journeys/<slug:slug>/unpublish/", views.journey_publish, {"publish": False}, name="unpublish"),
    path("journeys/<slug:slug>/review/", views.journey_review, name="review"),
    path("journeys/<slug:slug>/stages/new/", views.stage_create, name="stage_create"),
    path("stages/<int:pk>/edit/", views.stage_edit, name="stage_edit"),
    path("stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
    path("stages/<int:pk>/up/", views.stage_move, {"direction": -1}, name="stage_up"),
    path("stages/<int:pk>/down/", views.stage_move, {"direction": 1}, name="stage_down"),
    path("stages/<int:stage_pk>/steps/new/", views.step_create, name="step_create"),
    path("steps/<int:pk>/", views.step_detail, name="step"),
    path("steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path("steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("steps/<int:pk>/up/", views.step_move, {"direction": -1}, name="step_up"),
    path("steps/<int:pk>/down/", views.step_move, {"direction": 1}, name="step_down"),
    path("steps/<int:step_pk>/responsibilities/new/", views.responsibility_create, name="responsibility_create"),
    path("responsibilities/<int:pk>/edit/", views.responsibility_edit, name="responsibility_edit"),
    path("responsibilities/<int:pk>/delete/", views.responsibility_delete, name="responsibility_delete"),
    path("steps/<int:step_pk>/handoffs/new/", views.handoff_create, name="handoff_create"),
    path("handoffs/<int:pk>/delete/", views.handoff_delete, name="handoff_delete"),
    path("matrix/", views.matrix, name="matrix"),
    path("coverage/", views.coverage, name="coverage"),
    path("personas/", views.persona_list, name="personas"),
    path("personas/new/", views.persona_create, name="persona_create"),
    path("personas/<int:pk>/edit/", views.persona_edit, name="persona_edit"),
    path("personas/<int:pk>/delete/", views.persona_delete, name="persona_delete"),
]

# Sharing the journey (issue 14, docs/decisions/0037): exports, share links, suggestions, changes since.
urlpatterns += [
    path("journeys/<slug:slug>/blueprint.<str:fmt>", views.blueprint_export, name="blueprint_export"),
    path("journeys/<slug:slug>/changes/", views.map_changes, name="changes"),
    path("journeys/<slug:slug>/sharing/", views.share_links, name="share_links"),
    path("journeys/<slug:slug>/sharing/new/", views.share_link_create, name="share_link_create"),
    path("share-links/<int:pk>/revoke/", views.share_link_revoke, name="share_link_revoke"),
    path("shared/<str:token>/", views.shared_blueprint, name="shared"),
    path("steps/<int:pk>/suggest/", views.suggestion_create, name="suggestion_create"),
    path("suggestions/<int:pk>/decide/", views.suggestion_decide, name="suggestion_decide"),
]
