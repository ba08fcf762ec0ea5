from django.contrib import admin
from django.db import transaction

from cxkeeper.core.history import record_change, snapshot
from cxkeeper.core.models import ChangeAction, ChangeRecord, Notification


class AuditedAdmin(admin.ModelAdmin):
    """Django admin edits go into the same history and versioning as every other write."""

    exclude = ("version",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            if change:
                obj.version += 1
            super().save_model(request, obj, form, change)
            record_change(obj, ChangeAction.UPDATE if change else ChangeAction.CREATE, before, snapshot(obj),
                          request.user)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_change(obj, ChangeAction.DELETE, snapshot(obj), None, request.user)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor_label")

    def has_change_permission(self, request, obj=None):
        return False  # history is append-only

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "message", "read_at")
