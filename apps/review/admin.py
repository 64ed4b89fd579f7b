from django.contrib import admin

from .models import Annotation, Approval, Comment, Guest, Review, ShareLink


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "scene", "created_by", "created_at")
    list_filter = ("project",)


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Links can be revoked here (set revoked_at); the token itself is never stored."""

    list_display = ("label", "project", "review", "scope", "expires_at", "revoked_at", "opens", "created_by")
    list_filter = ("project", "scope")
    readonly_fields = ("token_hash", "passphrase", "opens", "created_by", "created_at")


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "link", "created_at", "last_seen_at")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("shot", "author_name", "frame", "resolved", "created_at")
    list_filter = ("project", "resolved")


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ("shot", "author_name", "frame", "asset_sha256", "created_at")
    list_filter = ("project",)


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    """A record: read-only."""

    list_display = ("shot", "decision", "author_name", "link", "created_at")
    list_filter = ("project", "decision")
    readonly_fields = [field.name for field in Approval._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
