import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

from apps.assets.models import Asset
from apps.assets.services import url_for
from apps.projects.api import BoundedText, FieldsBuiltOnce, field_names, narrowed
from apps.projects.ids import IdField, IdRelatedField
from apps.projects.serializers import ProjectSerializer
from previs import sets
from previs.vocabulary import APPROVAL_DECISIONS

from . import selectors
from .models import Character, Location, Panel, Scene, Shot

NOT_READ = object()


class ShotApprovalSerializer(serializers.Serializer):
    """The latest review decision on a shot, as the shot list shows it (worked out by apps.review)."""

    decision = serializers.ChoiceField(choices=APPROVAL_DECISIONS)
    stale = serializers.BooleanField(help_text="The shot changed after this decision (the same rule as an approval's stale in the review).")
    by = serializers.CharField()
    at = serializers.DateTimeField()


VERSIONED_READ_ONLY = ("id", "version", "created_at", "updated_at")

# Bad numbers answered in the crew's words, not the framework's ("Ensure this value is greater
# than or equal to 0.04"). The bounds are the models' validators.
DURATION_MESSAGES = {
    "min_value": "At least one frame (1/25 s = 0.04 s).",
    "max_value": "At most 10 minutes (600 s).",
    "invalid": "A length in seconds, like 2.5.",
    "null": "A length in seconds, like 2.5.",
}
NUMBER_MESSAGES = {
    "duration_s": {"error_messages": DURATION_MESSAGES},
    "lens_mm": {
        "error_messages": {
            "min_value": "A lens from 4 mm to 1200 mm.",
            "max_value": "A lens from 4 mm to 1200 mm.",
            "invalid": "A focal length in millimetres, like 35.",
            "null": "A focal length in millimetres, like 35.",
        }
    },
    "height_m": {
        "error_messages": {
            "min_value": "A height from 0.3 m to 3 m.",
            "max_value": "A height from 0.3 m to 3 m.",
            "invalid": "A height in metres, like 1.75.",
            "null": "A height in metres, like 1.75.",
        }
    },
}


class ProjectScopedSerializer(BoundedText, FieldsBuiltOnce, serializers.ModelSerializer):
    """Related rows named in a body (a scene's location, a shot's characters, a panel's image)
    must belong to the same project as the row; anything else is "does not exist"."""

    scoped_fields = {}

    def get_fields(self):
        fields = super().get_fields()
        project_id = self.context.get("project_id")
        for name, model in self.scoped_fields.items():
            field = fields.get(name)
            if field is None or field.read_only:
                continue
            target = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            target.queryset = model.objects.filter(project_id=project_id) if project_id else model.objects.none()
        return fields


class CharacterSerializer(BoundedText, FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Character
        fields = ("id", "project", "name", "description", "height_m", "colour") + VERSIONED_READ_ONLY[1:]
        read_only_fields = VERSIONED_READ_ONLY + ("project",)
        extra_kwargs = {"height_m": NUMBER_MESSAGES["height_m"]}


class CharacterCreateSerializer(CharacterSerializer):
    class Meta(CharacterSerializer.Meta):
        read_only_fields = VERSIONED_READ_ONLY


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/LocationPiece"}})
class SetPiecesField(serializers.JSONField):
    """A location's set: previs.sets.LocationPiece items."""


class LocationSerializer(BoundedText, FieldsBuiltOnce, serializers.ModelSerializer):
    set_pieces = SetPiecesField(required=False, help_text="The set scenes here are blocked in (previs/sets.py's library pieces).")

    class Meta:
        model = Location
        fields = ("id", "project", "name", "description", "set_pieces") + VERSIONED_READ_ONLY[1:]
        read_only_fields = VERSIONED_READ_ONLY + ("project",)

    def validate_set_pieces(self, value):
        try:
            return sets.validate_set(value)
        except sets.SetError as error:
            # One message per piece field, named by its place in the set ("2.size: …").
            raise serializers.ValidationError([f"{path}: {message}" if path else message for path, messages in error.errors.items() for message in messages])


class LocationCreateSerializer(LocationSerializer):
    class Meta(LocationSerializer.Meta):
        read_only_fields = VERSIONED_READ_ONLY


class PanelSerializer(ProjectScopedSerializer):
    scoped_fields = {"image": Asset}
    image = IdRelatedField(queryset=Asset.objects.none(), allow_null=True, required=False, help_text="Asset id of the panel's picture (an upload or a render).")
    image_url = serializers.SerializerMethodField(help_text="Where the browser fetches the picture.")

    class Meta:
        model = Panel
        fields = ("id", "shot", "rank", "image", "image_url", "duration_s", "caption", "notes") + VERSIONED_READ_ONLY[1:]
        read_only_fields = VERSIONED_READ_ONLY + ("shot", "rank")
        extra_kwargs = {"duration_s": NUMBER_MESSAGES["duration_s"]}

    def get_image_url(self, panel) -> str | None:
        return url_for(panel.image) if panel.image_id else None


class PanelCreateSerializer(PanelSerializer):
    shot = IdField(help_text="The shot this panel boards.")

    class Meta(PanelSerializer.Meta):
        read_only_fields = VERSIONED_READ_ONLY + ("rank",)


SHOT_FIELDS = (
    "id",
    "scene",
    "rank",
    "number",
    "not_in_cut",
    "description",
    "dialogue",
    "characters",
    "location",
    "shot_size",
    "framing",
    "angle",
    "movement",
    "rig",
    "lens_mm",
    "sensor",
    "aspect_ratio",
    "fps",
    "duration_s",
    "props",
    "notes",
    "status",
    "camera_spec",
    "spec_locked",
    "duration_locked",
    "audio",
    "audio_url",
    "field_of_view",
    "move_end",
    "script_lines",
    "approval",
)


class FieldOfViewSerializer(serializers.Serializer):
    horizontal_deg = serializers.FloatField()
    vertical_deg = serializers.FloatField()


class MoveEndSerializer(serializers.Serializer):
    position = serializers.ListField(child=serializers.FloatField(), min_length=3, max_length=3, help_text="[x, y, z] m")
    yaw_deg = serializers.FloatField()


class ScriptLinesSerializer(serializers.Serializer):
    """The script lines a shot covers (apps.scripts.models.ShotLines, the lined script)."""

    script = serializers.IntegerField(source="script_id", help_text="The draft the lines are in.")
    first = serializers.IntegerField(source="first_id", help_text="The first script element covered.")
    last = serializers.IntegerField(source="last_id", help_text="The last script element covered.")
    first_index = serializers.IntegerField(help_text="Its place in the draft's elements.")
    last_index = serializers.IntegerField()
    page = serializers.IntegerField(help_text="The page the covered lines start on.")
    lines = serializers.IntegerField(help_text="Printed lines of text covered.")


# Moves after which the camera stands or points elsewhere; a handheld shake ends where it began.
TRAVELLING_MOVES = {"pan", "dolly_in", "dolly_out", "truck", "arc", "crane", "pedestal", "dolly_zoom", "steadicam"}


class ShotSerializer(ProjectScopedSerializer):
    scoped_fields = {"characters": Character, "location": Location}
    field_of_view = serializers.SerializerMethodField(
        help_text="Angle of view of the spec's camera (lens, sensor, delivery aspect), from the same optics the renderer uses."
    )
    move_end = serializers.SerializerMethodField(
        help_text="Where the camera move leaves the camera, as the clip renders it (previs.move); null when the camera keeps its place."
    )
    characters = IdRelatedField(many=True, queryset=Character.objects.none(), required=False)
    location = IdRelatedField(queryset=Location.objects.none(), allow_null=True, required=False)
    number = serializers.CharField(max_length=8, required=False, help_text="Like 12A; left out, the next free letter is used.")
    script_lines = serializers.SerializerMethodField(help_text="The script lines the shot covers (set through /api/shots/{id}/script-lines/); null when none.")
    approval = serializers.SerializerMethodField(
        help_text="The latest review decision on the shot and whether it is stale (the shot changed since); null when none."
    )
    audio = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Asset id of the shot's scratch sound for the animatic (set through /api/shots/{id}/audio/); null when none."
    )
    audio_url = serializers.SerializerMethodField(help_text="Where the browser fetches the scratch sound.")

    class Meta:
        model = Shot
        fields = SHOT_FIELDS + VERSIONED_READ_ONLY[1:]
        read_only_fields = VERSIONED_READ_ONLY + ("scene", "rank")
        extra_kwargs = {"duration_s": NUMBER_MESSAGES["duration_s"], "lens_mm": NUMBER_MESSAGES["lens_mm"]}
        validators = []  # shot numbers are checked per scene in services (number may be left out)

    def validate_number(self, value):
        from .models import SCENE_OR_SHOT_NUMBER

        value = value.strip().upper()
        SCENE_OR_SHOT_NUMBER(value)
        return value

    def get_audio_url(self, shot) -> str | None:
        return url_for(shot.audio) if shot.audio_id else None

    @extend_schema_field(FieldOfViewSerializer)
    def get_field_of_view(self, shot):
        from previs.camera import field_of_view

        camera = (shot.camera_spec or {}).get("camera") or {}
        horizontal, vertical = field_of_view(
            camera.get("lens_mm") or shot.lens_mm, camera.get("sensor") or shot.sensor, camera.get("aspect") or shot.aspect_ratio
        )
        return {"horizontal_deg": round(horizontal, 3), "vertical_deg": round(vertical, 3)}

    @extend_schema_field(ScriptLinesSerializer(allow_null=True))
    def get_script_lines(self, shot):
        # The row lives in apps.scripts (above the boards): read by its reverse accessor, which
        # the board read joins (selectors.board_queryset), so no import and no query per shot.
        lines = getattr(shot, "script_lines", None) if shot.pk else None
        return ScriptLinesSerializer(lines).data if lines is not None else None

    @extend_schema_field(ShotApprovalSerializer(allow_null=True))
    def get_approval(self, shot):
        # Decided by the review app's one rule (a stale approval's fingerprint no longer matches),
        # registered with selectors.shot_facts. The board read sets it on its rows (board_for); a
        # list of shots is worked out in one go; a room change of one shot costs one query when
        # the shot has no decision.
        if not shot.pk:
            return None
        state = getattr(shot, "board_approval", NOT_READ)
        if state is NOT_READ:
            states = self.context.setdefault("approval_states", {})
            if shot.pk not in states:
                rows = self.parent.instance if isinstance(self.parent, serializers.ListSerializer) and self.parent.instance is not None else [shot]
                states.update(selectors.shot_facts("approval", [row.pk for row in rows if row.pk]))
            state = states.get(shot.pk)
        return ShotApprovalSerializer(state).data if state is not None else None

    @extend_schema_field(MoveEndSerializer(allow_null=True))
    def get_move_end(self, shot):
        from previs.move import move_end

        spec = shot.camera_spec
        if not spec or spec.get("move", {}).get("type") not in TRAVELLING_MOVES:
            return None
        camera = move_end(spec)
        return {"position": [round(v, 3) for v in camera["position"]], "yaw_deg": round(camera["yaw_deg"], 2)}

    def validate_camera_spec(self, value):
        from previs.spec import SpecError, normalize_spec

        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be an object.")
        try:
            return normalize_spec(value)
        except SpecError as error:
            raise serializers.ValidationError([f"{path}: {message}" for path, messages in error.errors.items() for message in messages])


class ShotCreateSerializer(ShotSerializer):
    scene = IdField(help_text="The scene the shot belongs to.")

    class Meta(ShotSerializer.Meta):
        read_only_fields = VERSIONED_READ_ONLY + ("rank",)


@extend_schema_field(OpenApiTypes.INT)
class CastMemberId(IdRelatedField):
    """A character of a board shot, as its id (the schema cannot see through the prefetched list)."""


class BoardShotSerializer(ShotSerializer):
    # The board's rows come as plain lists (apps.boards.selectors.board_queryset): a related manager
    # and queryset per row was most of the cost of reading a big board.
    characters = CastMemberId(many=True, read_only=True, source="board_characters")
    panels = PanelSerializer(many=True, read_only=True, source="board_panels")

    class Meta(ShotSerializer.Meta):
        fields = ShotSerializer.Meta.fields + ("panels",)


class SceneSerializer(ProjectScopedSerializer):
    scoped_fields = {"location": Location}
    location = IdRelatedField(queryset=Location.objects.none(), allow_null=True, required=False)
    heading = serializers.CharField(read_only=True, help_text="The slugline: INT. KITCHEN - NIGHT.")
    number = serializers.CharField(max_length=8, required=False, help_text="Like 12 or 12A; left out, the next number is used.")
    audio = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="Asset id of the scene's scratch sound for the animatic (set through /api/scenes/{id}/audio/); null when none.",
    )
    audio_url = serializers.SerializerMethodField(help_text="Where the browser fetches the scratch sound.")

    class Meta:
        model = Scene
        fields = (
            "id",
            "project",
            "rank",
            "number",
            "setting",
            "location",
            "time_of_day",
            "sun_azimuth_deg",
            "sun_elevation_deg",
            "synopsis",
            "heading",
            "page_eighths",
            "props",
            "omitted",
            "script_changed",
            "script_diff",
            "audio",
            "audio_url",
        ) + VERSIONED_READ_ONLY[1:]
        read_only_fields = VERSIONED_READ_ONLY + ("project", "rank", "script_diff")

    def validate_number(self, value):
        from .models import SCENE_OR_SHOT_NUMBER

        value = value.strip().upper()
        SCENE_OR_SHOT_NUMBER(value)
        return value

    def get_audio_url(self, scene) -> str | None:
        return url_for(scene.audio) if scene.audio_id else None

    def validate_sun_azimuth_deg(self, value):
        if value is not None and not (math.isfinite(value) and 0.0 <= value <= 360.0):
            raise serializers.ValidationError("Sun azimuth from 0° to 360° (0 = north, 90 = east).")
        return value

    def validate_sun_elevation_deg(self, value):
        if value is not None and not (math.isfinite(value) and -10.0 <= value <= 90.0):
            raise serializers.ValidationError("Sun elevation from -10° to 90°.")
        return value


class SceneCreateSerializer(SceneSerializer):
    project = IdField()

    class Meta(SceneSerializer.Meta):
        read_only_fields = VERSIONED_READ_ONLY + ("rank",)


class BoardSceneSerializer(SceneSerializer):
    shots = BoardShotSerializer(many=True, read_only=True, source="board_shots")

    class Meta(SceneSerializer.Meta):
        fields = SceneSerializer.Meta.fields + ("shots",)


class MoveSerializer(serializers.Serializer):
    after = IdField(allow_null=True, help_text="Id of the sibling to land after; null puts it first.")
    parent = IdField(required=False, help_text="New parent (the scene of a shot, the shot of a panel); left out, it stays.")
    version = serializers.IntegerField(required=False, help_text="The version you read (or send If-Match).")


# Read-only fields computed from others: a change to the source field carries them too, so
# clients never recompute server rules (the slugline, where a picture is fetched from).
DERIVED_FIELDS = {
    "image": ("image_url",),
    "audio": ("audio_url",),
    "location": ("heading",),
    "setting": ("heading",),
    "time_of_day": ("heading",),
    "camera_spec": ("field_of_view", "move_end"),
    "lens_mm": ("field_of_view",),
    "sensor": ("field_of_view",),
    "aspect_ratio": ("field_of_view",),
}


def derive(field, sources):
    """Carry the read-only `field` with every change of one of `sources` (an app above the boards
    registers what it works out about a row: apps.review, a shot's approval)."""
    for name in sources:
        if field not in DERIVED_FIELDS.get(name, ()):
            DERIVED_FIELDS[name] = DERIVED_FIELDS.get(name, ()) + (field,)


def represent(serializer_class):
    """The wire form of some (or all) fields of a row, as the room sends them."""

    def _represent(row, names):
        if names is None:
            return serializer_class(row).data
        # Only the named fields: a lens change must not re-serialise the whole row (its
        # characters, its camera spec) on the hot path of every live edit.
        names = list(names) + [derived for name in names for derived in DERIVED_FIELDS.get(name, ())]
        fields = narrowed(serializer_class, frozenset(names) & field_names(serializer_class)[0])(row).fields
        data = {}
        for name in names:
            if name in fields and name not in data:
                attribute = fields[name].get_attribute(row)
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                data[name] = None if check is None else fields[name].to_representation(attribute)
        return data

    return _represent


class BoardSerializer(serializers.Serializer):
    """A whole project board in one read: scenes → shots → panels, plus the library."""

    project = ProjectSerializer()
    scenes = BoardSceneSerializer(many=True)
    characters = CharacterSerializer(many=True)
    locations = LocationSerializer(many=True)
