from django.contrib import admin

from cxkeeper.core.admin import AuditedAdmin
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step


@admin.register(Persona)
class PersonaAdmin(AuditedAdmin):
    list_display = ("name",)


@admin.register(Journey)
class JourneyAdmin(AuditedAdmin):
    list_display = ("name", "status", "keeper", "last_reviewed_at")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Stage)
class StageAdmin(AuditedAdmin):
    list_display = ("name", "journey", "position")
    list_filter = ("journey",)


@admin.register(Step)
class StepAdmin(AuditedAdmin):
    list_display = ("name", "stage", "lane", "channel", "position")
    list_filter = ("lane", "stage__journey")
    search_fields = ("name", "description")


@admin.register(Responsibility)
class ResponsibilityAdmin(AuditedAdmin):
    list_display = ("step", "team", "role", "is_lead")
    list_filter = ("role", "team")


@admin.register(Handoff)
class HandoffAdmin(AuditedAdmin):
    list_display = ("from_step", "from_team", "to_step", "to_team")
