from django.contrib import admin

from .models import Invite


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    """For staff only, like the whole admin: a production's owners and directors manage their crew
    and invites on the studio's own members screen (/projects/<id>/members)."""

    list_display = ("project", "role", "email", "created_by", "created_at", "expires_at", "accepted_by", "revoked_at")
    list_filter = ("role",)
    search_fields = ("project__name", "email")
    readonly_fields = ("token_hash", "created_by", "created_at", "accepted_by", "accepted_at")
