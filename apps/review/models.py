"""Review and approval: reviews (the selection a session or a client link covers), share links
and their guests, comments, annotations and approvals.

Frames are integer frame numbers in the shot's own timeline at the shot's fps (never float
seconds): frame 0 is the first frame of the shot's clip or of its first panel.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from apps.projects.models import VersionedModel
from apps.projects.permissions import LINK_SCOPES
from previs import vocabulary

from .protocol import MAX_GUEST_NAME_CHARS, MAX_SHARE_LABEL_CHARS


class Review(models.Model):
    """An ordered selection of shots to review together: a scene's boards (the scene's shots as
    they are now) or chosen shots in a chosen order. A live review session runs over it, and a
    client share link points at it."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="reviews")
    title = models.CharField(max_length=200)
    scene = models.ForeignKey(
        "boards.Scene",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Review this scene's shots, in board order (kept up to date).",
    )
    shot_ids = models.JSONField(default=list, blank=True, help_text="Or these shots, in this order.")
    # The session's shared state: what the presenter shows and where playback is (see
    # apps.review.protocol.Playback). Stored so a late joiner or a reconnecting viewer, on any
    # web process, lands on the presenter's current frame at once.
    playback = models.JSONField(default=dict, blank=True)
    view = models.JSONField(default=dict, blank=True)
    presenter = models.CharField(max_length=200, blank=True, help_text="The socket that has control.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Participant(models.Model):
    """One socket in a live review session (kept in the database so every web process agrees
    on who is there and who takes control when the presenter leaves)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    channel = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    guest = models.ForeignKey("review.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    colour = models.CharField(max_length=7)
    can_present = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Refreshed by the socket's clock pings (every few seconds from a page): a row whose
    # process died without saying goodbye stops counting after PARTICIPANT_TIMEOUT_S.
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]


class ShareLink(models.Model):
    """A client link to a review. The token is shown once, when the link is made; only its
    sha256 is stored (the token carries 256 random bits, so a fast hash is safe)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="share_links")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(max_length=MAX_SHARE_LABEL_CHARS, blank=True, help_text="Who it was sent to, for the owner's list.")
    scope = models.CharField(max_length=8, choices=LINK_SCOPES, default="view")
    token_hash = models.CharField(max_length=64, unique=True)
    passphrase = models.CharField(max_length=200, blank=True, help_text="Django password hash, or empty.")
    watermark = models.BooleanField(default=True, help_text="Stamp the guest's name and the time on frames they are served.")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    opens = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The token itself, on a link just made (services.create_link), for the answer to the create
    # only; not a column.
    plain_token: str

    class Meta:
        ordering = ["-created_at", "-id"]


class Guest(models.Model):
    """Someone who opened a share link and gave a name; recorded with everything they do."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=MAX_GUEST_NAME_CHARS)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]


class Authored(models.Model):
    """Written by a member or by a share-link guest; the name is kept as it was then."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=120)

    class Meta:
        abstract = True


class Annotation(Authored, VersionedModel):
    """A drawing on one frame of a shot's picture: vector shapes in normalised image
    coordinates (0..1 of the picture's width and height), keyed by the picture's asset (the
    version drawn on) and the integer frame."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="annotations")
    shot = models.ForeignKey("boards.Shot", on_delete=models.CASCADE, related_name="annotations")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="annotations")
    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The panel image or clip drawn on.")
    asset_sha256 = models.CharField(max_length=64, blank=True, help_text="The exact version drawn on.")
    frame = models.PositiveIntegerField(validators=[MaxValueValidator(1_000_000)])
    shapes = models.JSONField(default=list)

    class Meta:
        ordering = ["shot_id", "frame", "id"]
        indexes = [models.Index(fields=["shot", "frame"])]


class Comment(Authored, VersionedModel):
    """A note on a shot, in a thread (replies point at the first comment), optionally pinned
    to a frame or a frame range and to an annotation."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="comments")
    shot = models.ForeignKey("boards.Shot", on_delete=models.CASCADE, related_name="comments")
    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="The review session it was made in (for the session notes).",
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()
    frame = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(1_000_000)])
    frame_end = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(1_000_000)])
    annotation = models.ForeignKey(Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    resolved = models.BooleanField(default=False)
    resolved_by_name = models.CharField(max_length=120, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["shot", "created_at"])]


class Approval(Authored):
    """A decision on a shot, recorded once and never changed: who, when, what they decided,
    and a fingerprint of exactly what they saw (the shot's fields and its pictures' hashes).
    When the shot changes afterwards, its fingerprint no longer matches: the approval is stale."""

    APPROVED, CHANGES_REQUESTED = "approved", "changes_requested"
    DECISIONS = vocabulary.APPROVAL_DECISIONS

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="approvals")
    shot = models.ForeignKey("boards.Shot", on_delete=models.CASCADE, related_name="approvals")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="approvals")
    link = models.ForeignKey(ShareLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="approvals")
    decision = models.CharField(max_length=20, choices=DECISIONS)
    comment = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64)
    reviewed = models.JSONField(help_text="The content the fingerprint was taken of.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shot", "created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Approvals are immutable: record a new decision instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Approvals are immutable.")
