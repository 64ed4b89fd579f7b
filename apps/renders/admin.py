from django.contrib import admin

from .models import RenderJob


@admin.register(RenderJob)
class RenderJobAdmin(admin.ModelAdmin):
    list_display = ("id", "shot", "kind", "backend", "status", "progress", "attempts", "worker", "created_at")
    list_filter = ("status", "backend", "kind", "project")
    readonly_fields = ("spec_hash", "spec", "attempts", "worker", "started_at", "finished_at", "heartbeat_at")
