from django.conf import settings
from django.db import models


class Export(models.Model):
    """One document made from the board: a shot list, printed boards or an editor's timeline.

    Like a render job, the row is the job's truth and decides everything when it is made: the
    board as it was then (`board`, the snapshot the exporter reads) and the options. Their hash
    (`input_hash`) identifies the document, so asking again for an unchanged board reuses the
    stored file instead of spending a worker on it.
    """

    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"
    STATUSES = ((QUEUED, "Queued"), (RUNNING, "Running"), (SUCCEEDED, "Succeeded"), (FAILED, "Failed"), (CANCELLED, "Cancelled"))
    FINISHED = (SUCCEEDED, FAILED, CANCELLED)

    SHOT_LIST_CSV, SHOT_LIST_PDF, BOARDS_PDF, OTIO, EDL, FCP_XML = "shot_list_csv", "shot_list_pdf", "boards_pdf", "otio", "edl", "fcp_xml"
    ANIMATIC, MEDIA_BUNDLE = "animatic", "media_bundle"
    KINDS = (
        (SHOT_LIST_CSV, "Shot list (CSV)"),
        (SHOT_LIST_PDF, "Shot list (PDF)"),
        (BOARDS_PDF, "Storyboards (PDF)"),
        (OTIO, "Timeline (OpenTimelineIO)"),
        (EDL, "Timeline (CMX 3600 EDL)"),
        (FCP_XML, "Timeline (FCP 7 XML)"),
        (ANIMATIC, "Animatic (MP4)"),
        (MEDIA_BUNDLE, "Media bundle (zip, named by shot)"),
    )

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="exports")
    scene = models.ForeignKey(
        "boards.Scene", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The scene exported; empty for the whole film."
    )
    kind = models.CharField(max_length=16, choices=KINDS)
    parameters = models.JSONField(default=dict, blank=True, help_text="The kind's options (layout, orientation, paper), defaults filled in.")
    board = models.JSONField(default=dict, help_text="The scenes, shots and panels as they were when the export was asked for.")
    input_hash = models.CharField(max_length=64)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=STATUSES, default=QUEUED)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    output = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "input_hash"])]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"
