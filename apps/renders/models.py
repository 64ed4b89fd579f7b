from django.conf import settings
from django.db import models


class RenderJob(models.Model):
    """One render of a shot (or a panel): a frame or a clip, by one backend, with one seed.

    The row is the job's truth: workers move it through its statuses and report progress on
    it; Celery only carries the job id. `spec_hash` + backend + kind + seed identify the
    output, so an unchanged spec re-rendered with the same seed reuses the stored result.
    """

    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"
    STATUSES = ((QUEUED, "Queued"), (RUNNING, "Running"), (SUCCEEDED, "Succeeded"), (FAILED, "Failed"), (CANCELLED, "Cancelled"))
    FINISHED = (SUCCEEDED, FAILED, CANCELLED)

    BLOCKING, DIFFUSION = "blocking", "diffusion"
    BACKENDS = ((BLOCKING, "Blocking (grey-box, CPU)"), (DIFFUSION, "Diffusion (GPU)"))

    FRAME, CLIP = "frame", "clip"
    KINDS = ((FRAME, "Frame"), (CLIP, "Clip"))

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="render_jobs")
    shot = models.ForeignKey("boards.Shot", null=True, blank=True, on_delete=models.CASCADE, related_name="render_jobs")
    panel = models.ForeignKey("boards.Panel", null=True, blank=True, on_delete=models.SET_NULL, related_name="render_jobs")
    kind = models.CharField(max_length=8, choices=KINDS, default=FRAME)
    backend = models.CharField(max_length=16, choices=BACKENDS, default=BLOCKING)
    parameters = models.JSONField(default=dict, blank=True, help_text="Width, height and backend options.")
    spec = models.JSONField(default=dict, help_text="The camera-and-blocking spec as it was when the job was made.")
    spec_hash = models.CharField(max_length=64)
    seed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=STATUSES, default=QUEUED)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last progress report from the worker.")
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "status"]), models.Index(fields=["spec_hash", "backend", "kind", "seed"])]

    @property
    def task_name(self):
        return "apps.renders.tasks.render_diffusion" if self.backend == self.DIFFUSION else "apps.renders.tasks.render_blocking"

    def __str__(self):
        return f"{self.backend} {self.kind} #{self.pk} ({self.status})"
