from django.contrib import admin
from django.http import HttpRequest

from motcua.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "action", "target_type", "target_id", "actor", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "summary"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
