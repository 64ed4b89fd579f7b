from django.contrib import admin

from .models import Script, ScriptImport


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "title", "draft_name", "revision_colour", "format", "created_at")


@admin.register(ScriptImport)
class ScriptImportAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "filename", "status", "revision", "created_at")
