from django.conf import settings
from django.db import models


class Asset(models.Model):
    """A stored object: an uploaded board image, a rendered frame, depth map, clip or export.

    Bytes live in object storage under a key derived from their sha256, so the same bytes are
    stored once however often they are uploaded or rendered; the row says which project may see
    them and where they came from.
    """

    UPLOAD, FRAME, DEPTH, PLAN, CLIP, POSTER, THUMBNAIL, EXPORT = "upload", "frame", "depth", "plan", "clip", "poster", "thumbnail", "export"
    KINDS = (
        (UPLOAD, "Upload"),
        (FRAME, "Frame"),
        (DEPTH, "Depth map"),
        (PLAN, "Camera plan"),
        (CLIP, "Clip"),
        (POSTER, "Poster frame"),
        (THUMBNAIL, "Thumbnail"),
        (EXPORT, "Export"),
    )

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=16, choices=KINDS)
    key = models.CharField(max_length=255, help_text="Object storage key (content-addressed).")
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    byte_size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    render_job = models.ForeignKey("renders.RenderJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="outputs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "sha256", "kind"], name="asset_once_per_project")]

    def __str__(self):
        return f"{self.kind} {self.sha256[:12]}"
