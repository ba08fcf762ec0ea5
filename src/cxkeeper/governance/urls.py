"""Pages of the CX council: councils and charters, meetings and their agenda, the decision log,
the action boards and the sponsor's escalations."""

from django.urls import path

from cxkeeper.governance import views

app_name = "governance"

urlpatterns = [
    path("councils/", views.council_list, name="councils"),
    path("councils/new/", views.council_create, name="council_create"),
    path("councils/<slug:slug>/", views.council_detail, name="council"),
    path("councils/<slug:slug>/edit/", views.council_edit, name="council_edit"),
    path("councils/<slug:slug>/delete/", views.council_delete, name="council_delete"),
    path("councils/<slug:slug>/members/new/", views.member_add, name="member_add"),
    path("councils/<slug:slug>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("councils/<slug:slug>/calendar.ics", views.council_calendar, name="council_calendar"),
    path("council/members/<int:pk>/delete/", views.member_delete, name="member_delete"),
    path("council/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("council/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("council/meetings/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("council/meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("council/meetings/<int:pk>/agenda/generate/", views.agenda_generate, name="agenda_generate"),
    path("council/meetings/<int:pk>/agenda/new/", views.agenda_item_add, name="agenda_item_add"),
    path("council/meetings/<int:pk>/send/", views.meeting_send, name="meeting_send"),
    path("council/meetings/<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("council/meetings/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("council/meetings/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("council/meetings/<int:pk>/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("council/meetings/<int:pk>/<str:kind>.<str:fmt>", views.meeting_export, name="meeting_export"),
    path("council/agenda-items/<int:pk>/edit/", views.agenda_item_edit, name="agenda_item_edit"),
    path("council/agenda-items/<int:pk>/move/", views.agenda_item_move, name="agenda_item_move"),
    path("council/agenda-items/<int:pk>/delete/", views.agenda_item_delete, name="agenda_item_delete"),
    path("council/decisions/", views.decision_list, name="decisions"),
    path("council/decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("council/decisions/<int:pk>/decide/", views.decision_decide, name="decision_decide"),
    path("council/decisions/<int:pk>/review/", views.decision_review, name="decision_review"),
    path("council/escalations/", views.escalations, name="escalations"),
    path("council/actions/", views.action_board, name="actions"),
    path("council/action-items/<int:pk>/", views.action_detail, name="action_item"),
    path("council/action-items/<int:pk>/edit/", views.action_edit, name="action_item_edit"),
    path("council/action-items/<int:pk>/status/", views.action_status, name="action_item_status"),
    path("council/action-items/<int:pk>/delete/", views.action_delete, name="action_item_delete"),
]
