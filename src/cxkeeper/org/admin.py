from django.contrib import admin

from cxkeeper.core.admin import AuditedAdmin
from cxkeeper.org.models import ApiToken, GlossaryTerm, Person, SingleSignOnIdentity, Team, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(AuditedAdmin):
    list_display = ("name", "review_interval_days")


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(AuditedAdmin):
    list_display = ("term",)
    search_fields = ("term", "definition")


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "function", "office", "customer_facing", "lead")
    list_filter = ("function", "office", "customer_facing")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("user", "role")
    list_filter = ("role", "teams")
    filter_horizontal = ("teams",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")


@admin.register(SingleSignOnIdentity)
class SingleSignOnIdentityAdmin(admin.ModelAdmin):
    """Who signs in as whom through the identity provider (decision 0042). Deleting a link lets
    the person's next single sign-on make or link their account again."""

    list_display = ("user", "issuer", "subject", "last_sign_in_at")
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "issuer", "subject", "created_at", "last_sign_in_at")

    def has_add_permission(self, request):
        return False
