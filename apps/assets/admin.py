from django.contrib import admin

from .models import Asset


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "content_type", "width", "height", "byte_size", "project", "created_at")
    list_filter = ("kind", "project")
    search_fields = ("sha256",)
    readonly_fields = [field.name for field in Asset._meta.fields]
