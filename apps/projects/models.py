from django.conf import settings
from django.db import models

from previs import vocabulary

from .permissions import ROLES, VIEWER


class VersionedModel(models.Model):
    """Base for everything people edit together.

    `version` grows by one on every write; a write that names an older version is refused with
    409 and the current state (optimistic concurrency), so nobody silently overwrites anybody.
    """

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True


class Project(VersionedModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Defaults a new shot takes; each shot may override them.
    fps = models.CharField(max_length=8, choices=vocabulary.FRAME_RATE_CHOICES, default="24")
    aspect_ratio = models.CharField(max_length=8, choices=vocabulary.ASPECT_RATIO_CHOICES, default="2.39")
    sensor = models.CharField(max_length=20, choices=vocabulary.SENSOR_FORMAT_CHOICES, default="super35")
    # The look every diffusion render of this project shares (shot-to-shot consistency).
    style_prompt = models.TextField(blank=True)
    seed = models.PositiveIntegerField(default=1234)
    # Sequence number of the last recorded change; rooms use it to order and replay changes.
    last_seq = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=ROLES, default=VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]
        ordering = ["project_id", "user_id"]

    def __str__(self):
        return f"{self.user} as {self.role} on {self.project}"


class RankField(models.CharField):
    """A fractional-index order key, compared byte by byte.

    The keys mix digits, upper- and lower-case letters, so a locale collation (en_US on
    Postgres) would sort them wrongly; the column gets the "C" collation on Postgres. SQLite
    already compares bytes.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
