from django.contrib import admin

from .models import Change


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    """The project's history: read-only."""

    list_display = ("project", "seq", "action", "entity", "entity_id", "actor", "created_at")
    list_filter = ("project", "entity", "action")
    readonly_fields = [field.name for field in Change._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
