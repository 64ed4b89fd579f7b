from django.contrib import admin

from .models import Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "fps", "aspect_ratio", "sensor", "last_seq", "updated_at")
    search_fields = ("name",)
    inlines = [MembershipInline]
    readonly_fields = ("last_seq", "version")
