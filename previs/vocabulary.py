"""Shot-list vocabularies, defined once (see shared/previs-domain.md).

Each vocabulary is a tuple of (value, label) pairs; the value is what is stored and sent over the
API, the label is what a 1st AD reads on a shot list. Where a narrow cell needs fewer letters,
SHORT_LABELS gives the short form. Django models use these as `choices`, the OpenAPI schema
exposes them as enums, and the browser gets the rest (labels, short labels, lenses, sensor sizes,
aspect values, move parameters) from previs/published.py, served once with the app's page.
"""

from collections.abc import Iterable

# The longest a long-text field (a shot's description, dialogue, props and notes; a scene's
# synopsis; a panel's caption and notes; a character's or location's description; a project's
# description and style prompt) may be, in characters: pages of notes, not a megabyte.
LONG_TEXT_MAX_CHARS = 20_000

# The long-text fields people type into together, by the entity they belong to: each is merged
# character by character (a CRDT text document), not replaced whole. The room protocol accepts
# text ops for these fields only, the write path keeps their documents in step with plain writes,
# and the browser opens a live text editor for them (published as `text_fields`).
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "scene": ("synopsis",),
    "shot": ("description", "dialogue", "props", "notes"),
    "panel": ("caption", "notes"),
    "character": ("description",),
    "location": ("description",),
}

SHOT_SIZES = (
    ("EWS", "Extreme Wide"),
    ("WS", "Wide"),
    ("FS", "Full"),
    ("MFS", "Medium Full (cowboy)"),
    ("MS", "Medium"),
    ("MCU", "Medium Close-Up"),
    ("CU", "Close-Up"),
    ("ECU", "Extreme Close-Up"),
    ("INSERT", "Insert"),
)

FRAMINGS = (
    ("single", "Single"),
    ("clean_single", "Clean single"),
    ("dirty_single", "Dirty single"),
    ("two_shot", "Two-shot"),
    ("three_shot", "Three-shot"),
    ("group", "Group"),
    ("ots", "Over-the-shoulder"),
    ("pov", "Point of view"),
)

CAMERA_ANGLES = (
    ("eye", "Eye level"),
    ("high", "High"),
    ("low", "Low"),
    ("overhead", "Overhead / Bird's eye"),
    ("worms_eye", "Worm's eye / Ground level"),
    ("dutch", "Dutch"),
    ("shoulder", "Shoulder level"),
    ("hip", "Hip level"),
    ("knee", "Knee level"),
)

CAMERA_MOVES = (
    ("static", "Static"),
    ("pan", "Pan"),
    ("tilt", "Tilt"),
    ("pedestal", "Pedestal"),
    ("dolly_in", "Dolly in"),
    ("dolly_out", "Dolly out"),
    ("truck", "Truck"),
    ("arc", "Arc / Orbit"),
    ("crane", "Crane / Boom"),
    ("zoom", "Zoom"),
    ("dolly_zoom", "Dolly zoom"),
    ("handheld", "Handheld"),
    ("steadicam", "Steadicam"),
    ("rack_focus", "Rack focus"),
)

RIGS = (
    ("sticks", "Sticks / Tripod"),
    ("slider", "Slider"),
    ("dolly", "Dolly"),
    ("handheld", "Handheld"),
    ("steadicam", "Steadicam"),
    ("gimbal", "Gimbal"),
    ("crane", "Crane"),
    ("jib", "Jib"),
    ("drone", "Drone"),
)

# Common prime focal lengths (mm); any focal length in LENS_MM_RANGE is accepted (zooms
# included), these are offered first.
PRIME_LENSES_MM = (12, 14, 16, 18, 21, 24, 27, 32, 35, 40, 50, 65, 75, 85, 100, 135, 150, 200)
LENS_MM_RANGE = (4.0, 1200.0)

# The focal lengths a camera department reaches for at each shot size, on Super 35 (low, high mm):
# wide 18–28, medium 32–50, close-up 50–85, extreme close-up 100 and up. On another sensor the
# same picture takes the lens scaled by the frame's width (previs.coverage.lens_range does it
# with previs.camera's frame extraction).
SIZE_LENSES_S35_MM: dict[str, tuple[float, float]] = {
    "EWS": (14, 24),
    "WS": (18, 28),
    "FS": (24, 35),
    "MFS": (27, 40),
    "MS": (32, 50),
    "MCU": (40, 65),
    "CU": (50, 85),
    "ECU": (100, 150),
    "INSERT": (65, 100),
}

# Sensor / capture formats: value -> (label, width mm, height mm).
SENSOR_FORMATS = {
    "full_frame": ("Full frame", 36.0, 24.0),
    "super35": ("Super 35", 24.89, 18.66),
    "alexa_lf_og": ("Alexa LF open gate", 36.70, 25.54),
    "mft": ("Micro 4/3", 17.3, 13.0),
    "super16": ("Super 16", 12.52, 7.41),
}
SENSOR_FORMAT_CHOICES = tuple((key, value[0]) for key, value in SENSOR_FORMATS.items())

# Delivery aspect ratios: value -> width / height.
ASPECT_RATIOS = {
    "2.39": 2.39,
    "2.00": 2.00,
    "1.85": 1.85,
    "1.78": 16 / 9,
    "1.33": 4 / 3,
    "1.00": 1.0,
    "0.56": 9 / 16,
}
ASPECT_RATIO_CHOICES = (
    ("2.39", "2.39:1"),
    ("2.00", "2.00:1"),
    ("1.85", "1.85:1"),
    ("1.78", "16:9 (1.78)"),
    ("1.33", "4:3 (1.33)"),
    ("1.00", "1:1"),
    ("0.56", "9:16"),
)

FRAME_RATES = ("23.976", "24", "25", "29.97", "30", "48", "50", "60")
FRAME_RATE_CHOICES = tuple((rate, rate) for rate in FRAME_RATES)

SCENE_SETTINGS = (
    ("INT", "INT."),
    ("EXT", "EXT."),
    ("INT/EXT", "INT./EXT."),
)

TIMES_OF_DAY = (
    ("DAY", "DAY"),
    ("NIGHT", "NIGHT"),
    ("DAWN", "DAWN"),
    ("DUSK", "DUSK"),
    ("MAGIC HOUR", "MAGIC HOUR"),
    ("CONTINUOUS", "CONTINUOUS"),
    ("LATER", "LATER"),
    ("MOMENTS LATER", "MOMENTS LATER"),
)

SHOT_STATUSES = (
    ("draft", "Draft"),
    ("ready", "Ready"),
    ("in_review", "In review"),
    ("changes_requested", "Changes requested"),
    ("approved", "Approved"),
)


# The forms a narrow cell shows, where they differ from the label (shot sizes show their code).
SHORT_LABELS = {
    "shot_sizes": {**{value: value for value, _ in SHOT_SIZES}, "INSERT": "INS"},
    "framings": {"two_shot": "2-shot", "three_shot": "3-shot", "ots": "OTS", "pov": "POV"},
    "camera_angles": {"overhead": "Overhead", "worms_eye": "Worm's eye", "shoulder": "Shoulder", "hip": "Hip", "knee": "Knee"},
    "camera_moves": {"arc": "Arc", "crane": "Crane"},
    "rigs": {"sticks": "Sticks"},
    "shot_statuses": {"changes_requested": "Changes req."},
    "sensors": {"full_frame": "FF", "super35": "S35", "alexa_lf_og": "LF OG", "mft": "M4/3", "super16": "S16"},
    "aspect_ratios": {"1.78": "16:9", "1.33": "4:3", "1.00": "1:1", "0.56": "9:16"},
}


def values(vocabulary: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The stored values of a (value, label) vocabulary."""
    return tuple(value for value, _label in vocabulary)


# A review decision on a shot (apps.review's Approval, the shot list's approval badge).
APPROVAL_DECISIONS = (("approved", "Approved"), ("changes_requested", "Changes requested"))
