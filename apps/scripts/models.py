"""Screenplays: each draft a Script (its file in object storage, its elements in order), the
import job that reads a draft into scenes, and who is in each scene (the breakdown's cast)."""

from django.conf import settings
from django.db import models

from previs import screenplay

REVISION_COLOUR_CHOICES = tuple((colour, colour.replace("_", " ").title()) for colour in screenplay.REVISION_COLOURS)
FORMATS = (("fountain", "Fountain"), ("fdx", "Final Draft"))
ELEMENT_KINDS = tuple((k, k.replace("_", " ")) for k in screenplay.ELEMENT_KINDS)


class Script(models.Model):
    """One draft of the screenplay, as it was imported."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="scripts")
    # RESTRICT, not PROTECT: the file is never deleted from under its draft, but a project's
    # deletion takes both (PROTECT would refuse it).
    file = models.ForeignKey("assets.Asset", on_delete=models.RESTRICT, related_name="+", help_text="The draft's file as it was uploaded.")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=8, choices=FORMATS)
    title = models.CharField(max_length=255, blank=True)
    title_page = models.JSONField(default=dict, blank=True, help_text="The title page's entries (title, credit, author, draft date…), keys in lower case.")
    draft_name = models.CharField(max_length=120, blank=True)
    revision_colour = models.CharField(max_length=16, choices=REVISION_COLOUR_CHOICES, default="white")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-created_at", "-id"]

    def __str__(self):
        return f"{self.title or self.filename} ({self.get_revision_colour_display()})"


class ScriptElement(models.Model):
    """One paragraph of a draft, in order: a heading, action, a cue, dialogue…"""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="elements")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=ELEMENT_KINDS)
    text = models.TextField(blank=True)
    scene_number = models.CharField(max_length=16, blank=True)
    character = models.CharField(max_length=120, blank=True)
    extension = models.CharField(max_length=40, blank=True)
    dual = models.BooleanField(default=False)
    # The studio's scene this paragraph belongs to (None before the first heading).
    scene = models.ForeignKey("boards.Scene", null=True, blank=True, on_delete=models.SET_NULL, related_name="script_elements")

    class Meta:
        ordering = ["script_id", "index"]
        constraints = [models.UniqueConstraint(fields=["script", "index"], name="script_element_index_unique")]


class SceneCast(models.Model):
    """A character in a scene: speaking, or named in its action (present)."""

    scene = models.ForeignKey("boards.Scene", on_delete=models.CASCADE, related_name="cast")
    character = models.ForeignKey("boards.Character", on_delete=models.CASCADE, related_name="scenes_in")
    speaking = models.BooleanField(default=False)

    class Meta:
        ordering = ["scene_id", "id"]
        constraints = [models.UniqueConstraint(fields=["scene", "character"], name="scene_cast_once")]


class ScriptImport(models.Model):
    """Reading a draft into the studio, as a job on the worker queue.

    queued → planning → planned (a revised draft waits here: its dry run, `plan`, is shown before
    anything is written) → applying → applied; or failed. A first draft goes straight on to
    applied: there is nothing of the director's for it to change."""

    QUEUED, PLANNING, PLANNED, APPLYING, APPLIED, FAILED = "queued", "planning", "planned", "applying", "applied", "failed"
    STATUSES = tuple((s, s.title()) for s in (QUEUED, PLANNING, PLANNED, APPLYING, APPLIED, FAILED))

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="script_imports")
    file = models.ForeignKey("assets.Asset", on_delete=models.RESTRICT, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    draft_name = models.CharField(max_length=120, blank=True)
    revision_colour = models.CharField(max_length=16, choices=REVISION_COLOUR_CHOICES, default="white")
    status = models.CharField(max_length=12, choices=STATUSES, default=QUEUED)
    error = models.TextField(blank=True)
    revision = models.BooleanField(default=False, help_text="True when the project already had a draft: this one is merged into it.")
    plan = models.JSONField(default=dict, blank=True, help_text="The dry run: counts and the scene list.")
    script = models.ForeignKey(Script, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ShotLines(models.Model):
    """The script lines a shot covers, as the script supervisor lines them: one unbroken run of a
    draft's elements, all in the shot's scene (apps.scripts.lining sets and checks it).

    Where the run prints (its page, its line count) is kept with it, so the shot list can say
    "p.3 · 4 lines" from the board read without paginating the draft."""

    shot = models.OneToOneField("boards.Shot", on_delete=models.CASCADE, primary_key=True, related_name="script_lines")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="shot_lines")
    first = models.ForeignKey(ScriptElement, on_delete=models.CASCADE, related_name="+")
    last = models.ForeignKey(ScriptElement, on_delete=models.CASCADE, related_name="+")
    first_index = models.PositiveIntegerField()
    last_index = models.PositiveIntegerField()
    page = models.PositiveIntegerField(help_text="The page the first covered line is printed on.")
    lines = models.PositiveIntegerField(help_text="Printed lines of text covered.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["script", "first_index"])]


class CoverageProposal(models.Model):
    """A shot the coverage planner (previs.coverage), or the assistant, proposes for a scene: a
    draft the director accepts (it becomes a shot), rejects, or leaves. Stored, so decisions
    persist and everyone reading the scene sees the same proposals; planned again only when the
    scene's lines or cast change (`basis`), and then only the undecided ones are replaced."""

    PROPOSED, ACCEPTED, REJECTED = "proposed", "accepted", "rejected"
    STATUSES = ((PROPOSED, "Proposed"), (ACCEPTED, "Accepted"), (REJECTED, "Rejected"))
    PLANNER, ASSISTANT = "planner", "assistant"
    SOURCES = ((PLANNER, "Planner"), (ASSISTANT, "Assistant"))

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    scene = models.ForeignKey("boards.Scene", on_delete=models.CASCADE, related_name="coverage_proposals")
    key = models.CharField(max_length=80, help_text="The coverage it is (master, ots:anna…): the same in every planning of the scene.")
    order = models.PositiveIntegerField(default=0)
    basis = models.CharField(max_length=64, help_text="sha256 of what it was planned from (the scene's lines, cast, setting, camera).")
    source = models.CharField(max_length=12, choices=SOURCES, default=PLANNER)
    status = models.CharField(max_length=12, choices=STATUSES, default=PROPOSED)
    proposal = models.JSONField(help_text="The shot as proposed (previs.coverage.ShotProposal).")
    camera_spec = models.JSONField(help_text="Its camera and blocking, laid out by previs.spec.")
    shot = models.ForeignKey("boards.Shot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The shot made when it was accepted.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scene_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scene", "key"], name="coverage_key_once_per_scene")]
