"""Script structure (scenes, shots, panels) and the project library (characters, locations).

Order is kept by `rank`, a fractional-index string: moving an item rewrites only its own rank
to a key between its new neighbours. Lists sort by (rank, id), so equal ranks still have one
order everyone agrees on. Shots and panels also carry their project, so every query that
scopes by project is one join-free filter.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from apps.projects.models import Project, RankField, VersionedModel
from previs import vocabulary

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #3a7bd5.")
SCENE_OR_SHOT_NUMBER = RegexValidator(r"^[0-9]{1,4}[A-Z]{0,2}$", "Use a number like 12 or 12A.")


class Character(VersionedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="characters")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="Look and wardrobe; reused in every render so the character stays the same.")
    height_m = models.FloatField(default=1.75, validators=[MinValueValidator(0.3), MaxValueValidator(3.0)])
    colour = models.CharField(max_length=7, default="#d9822b", validators=[HEX_COLOUR])

    class Meta:
        ordering = ["project_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="character_name_unique_in_project")]

    def __str__(self):
        return self.name


class Location(VersionedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    # The set a scene here is blocked in: pieces from previs/sets.py's library (validated by its
    # LocationPiece model in LocationSerializer); every shot of the location's scenes draws them.
    set_pieces = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["project_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="location_name_unique_in_project")]

    def __str__(self):
        return self.name


class Scene(VersionedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scenes")
    rank = RankField()
    number = models.CharField(max_length=8, validators=[SCENE_OR_SHOT_NUMBER])
    setting = models.CharField(max_length=8, choices=vocabulary.SCENE_SETTINGS, default="INT")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="scenes")
    time_of_day = models.CharField(max_length=16, choices=vocabulary.TIMES_OF_DAY, default="DAY")
    # The sun of the whole scene when the time of day's default will not do (a late sun raking
    # through the window): every shot's environment.key_light takes it (previs/light.py).
    sun_azimuth_deg = models.FloatField(null=True, blank=True, help_text="Bearing the sun comes from, 0-360 (0 = north); null = the time of day's.")
    sun_elevation_deg = models.FloatField(null=True, blank=True, help_text="Sun height above the horizon, -10 to 90; null = the time of day's.")
    synopsis = models.TextField(blank=True)
    # From the script's breakdown (apps.scripts): the length an AD schedules by, in eighths of a
    # page, and the props the action names in capitals.
    page_eighths = models.PositiveIntegerField(default=0, help_text="Page count in eighths of a page (19 = 2 3/8 pages); 0 when unknown.")
    props = models.TextField(blank=True)
    # A scene a later draft dropped stays, with its shots, as "12 OMITTED" on a shooting script.
    omitted = models.BooleanField(default=False)
    # A later draft changed the scene's text: its shots stay, and the director sees what changed.
    script_changed = models.BooleanField(default=False)
    script_diff = models.TextField(blank=True, help_text="What the last draft changed in the scene (a unified diff).")
    # Scratch sound for the animatic (dialogue, temp music): an uploaded WAV/MP3/M4A played from the
    # scene's first frame (previs/animatic.py).
    audio = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["project_id", "rank", "id"]
        indexes = [models.Index(fields=["project", "rank"])]

    @property
    def heading(self):
        """The slugline as a script prints it: INT. KITCHEN - NIGHT."""
        location = self.location.name.upper() if self.location_id else "UNKNOWN"
        return f"{self.get_setting_display()} {location} - {self.time_of_day}"

    def __str__(self):
        return f"{self.number} {self.heading}"


class Shot(VersionedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="shots")
    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="shots")
    rank = RankField()
    number = models.CharField(max_length=8, validators=[SCENE_OR_SHOT_NUMBER])
    description = models.TextField(blank=True, help_text="Action: what happens in the shot.")
    dialogue = models.TextField(blank=True)
    characters = models.ManyToManyField(Character, blank=True, related_name="shots")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="shots")
    shot_size = models.CharField(max_length=8, choices=vocabulary.SHOT_SIZES, default="MS")
    framing = models.CharField(max_length=16, choices=vocabulary.FRAMINGS, default="single")
    angle = models.CharField(max_length=16, choices=vocabulary.CAMERA_ANGLES, default="eye")
    movement = models.CharField(max_length=16, choices=vocabulary.CAMERA_MOVES, default="static")
    rig = models.CharField(max_length=16, choices=vocabulary.RIGS, default="sticks")
    lens_mm = models.FloatField(default=35, validators=[MinValueValidator(4), MaxValueValidator(1200)])
    sensor = models.CharField(max_length=20, choices=vocabulary.SENSOR_FORMAT_CHOICES, default="super35")
    aspect_ratio = models.CharField(max_length=8, choices=vocabulary.ASPECT_RATIO_CHOICES, default="2.39")
    fps = models.CharField(max_length=8, choices=vocabulary.FRAME_RATE_CHOICES, default="24")
    duration_s = models.FloatField(default=3.0, validators=[MinValueValidator(0.04), MaxValueValidator(600)])
    props = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=vocabulary.SHOT_STATUSES, default="draft")
    # The camera-and-blocking spec the renderers read (previs/spec.py documents its keys).
    camera_spec = models.JSONField(default=dict, blank=True)
    # True once someone adjusted the spec by hand; then shot-list edits no longer re-lay it out.
    spec_locked = models.BooleanField(default=False)
    # The shot's duration follows the sum of its panels' (apps.boards.services.follow_panels) until
    # someone fixes it: then the animatic holds or cuts its panels to fit (previs/animatic.py).
    duration_locked = models.BooleanField(default=False)
    # Scratch sound for the animatic, played from the shot's first frame.
    audio = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The editor's cut came back without this shot (apps.editorial's cut import): kept on the
    # board, never deleted, so the director decides; a later cut that uses it clears the flag.
    not_in_cut = models.BooleanField(default=False)

    class Meta:
        ordering = ["scene_id", "rank", "id"]
        indexes = [models.Index(fields=["scene", "rank"]), models.Index(fields=["project", "status"])]
        constraints = [models.UniqueConstraint(fields=["scene", "number"], name="shot_number_unique_in_scene")]

    def __str__(self):
        return f"Shot {self.number}"


class Panel(VersionedModel):
    """One storyboard frame of a shot."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="panels")
    shot = models.ForeignKey(Shot, on_delete=models.CASCADE, related_name="panels")
    rank = RankField()
    image = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    duration_s = models.FloatField(default=2.0, validators=[MinValueValidator(0.04), MaxValueValidator(600)])
    caption = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["shot_id", "rank", "id"]
        indexes = [models.Index(fields=["shot", "rank"])]
