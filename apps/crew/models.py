import hashlib

from django.conf import settings
from django.db import models

from apps.projects.models import Project
from apps.projects.permissions import ROLES


def token_digest(token):
    """What an invite row keeps of its token: the SHA-256 of it. The token itself (256 random
    bits) is shown once, to the person who made the invite and in the email, so a copy of the
    database invites nobody; with that much randomness a plain hash is enough (no salt or slow
    hash: there is nothing to brute-force)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invite(models.Model):
    """An invitation into a project with a role, by email or by a link the inviter hands on."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invites")
    role = models.CharField(max_length=16, choices=ROLES)
    email = models.EmailField(blank=True, help_text="Who it was sent to; empty for an invite by link.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.email or 'link'} as {self.role} on {self.project}"

    def status_at(self, now):
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"
