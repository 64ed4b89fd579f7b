"""REST and op shapes of reviews, links, comments, annotations and approvals."""

import pydantic
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.assets.models import Asset
from apps.boards.models import Scene, Shot
from apps.projects.ids import IdField, IdRelatedField
from apps.projects.models import Project
from apps.projects.permissions import LINK_SCOPES
from previs import vocabulary

from . import selectors
from .models import Annotation, Approval, Comment, Review, ShareLink
from .protocol import MAX_COMMENT_CHARS, MAX_GUEST_NAME_CHARS, MAX_SHAPES, shapes_adapter


def authored_by(row):
    """Who wrote it, as the page shows it."""
    return {"name": row.author_name, "user": row.author_id, "guest": row.guest_id is not None}


def _caller(serializer):
    request = serializer.context.get("request")
    return request.user if request is not None and request.user.is_authenticated else None


class AuthorField(serializers.Serializer):
    name = serializers.CharField()
    user = serializers.IntegerField(allow_null=True)
    guest = serializers.BooleanField()


class ReviewSerializer(serializers.ModelSerializer):
    serializer_related_field = IdRelatedField
    shots = serializers.ListField(child=IdField(), source="shot_ids", required=False, help_text="Shot ids in review order (when no scene is given).")

    class Meta:
        model = Review
        fields = ("id", "project", "title", "scene", "shots", "created_at")
        read_only_fields = ("id", "created_at")
        extra_kwargs = {"project": {"required": True}, "title": {"required": False, "allow_blank": True}}

    def get_fields(self):
        # Only the caller's projects and scenes exist here: another production's id gets the
        # same "does not exist" as an id nobody has.
        fields = super().get_fields()
        fields["project"].queryset = Project.objects.filter(memberships__user=_caller(self))
        fields["scene"].queryset = Scene.objects.filter(project__memberships__user=_caller(self))
        return fields

    def validate(self, data):
        project = data.get("project") or getattr(self.instance, "project", None)
        scene = data.get("scene", getattr(self.instance, "scene", None))
        shots = data.get("shot_ids", getattr(self.instance, "shot_ids", []))
        if scene is None and not shots:
            raise serializers.ValidationError({"shots": ["Choose a scene or at least one shot."]})
        if scene is not None and data.get("shot_ids"):
            raise serializers.ValidationError({"shots": ["A review covers a scene or chosen shots, not both."]})
        if scene is not None and scene.project_id != project.pk:
            raise serializers.ValidationError({"scene": ["No such scene in this project."]})
        if shots:
            if len(shots) > 500 or len(set(shots)) != len(shots):
                raise serializers.ValidationError({"shots": ["List each shot once (at most 500)."]})
            found = set(Shot.objects.filter(project=project, pk__in=shots).values_list("pk", flat=True))
            missing = [pk for pk in shots if pk not in found]
            if missing:
                raise serializers.ValidationError({"shots": [f"No such shot in this project: {', '.join(map(str, missing))}."]})
        return data


class LinkGuestSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    first_seen = serializers.DateTimeField()


class LinkDecisionSerializer(serializers.Serializer):
    shot = serializers.IntegerField()
    decision = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()


class LinkStatsSerializer(serializers.Serializer):
    opens = serializers.IntegerField()
    guests = LinkGuestSerializer(many=True)
    comments = serializers.IntegerField()
    decisions = LinkDecisionSerializer(many=True)


class ShareLinkSerializer(serializers.ModelSerializer):
    review = IdRelatedField(
        queryset=Review.objects.all(), required=False, help_text="The review (a session's selection) the link shows; or give scene or shots."
    )
    scene = IdField(write_only=True, required=False, help_text="Share a scene's boards (a review of it is made).")
    shots = serializers.ListField(child=IdField(), write_only=True, required=False, help_text="Share these shots, in this order (a review of them is made).")
    passphrase = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        trim_whitespace=False,
        help_text="Optional; guests must give it before they see anything.",
    )
    has_passphrase = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text="active, expired or revoked.")
    stats = serializers.SerializerMethodField(help_text="Opens, guests, comments and decisions made through the link.")
    token = serializers.SerializerMethodField(help_text="Only in the answer to the create: the link's secret token.")
    url = serializers.SerializerMethodField(help_text="Only in the answer to the create: the address to send.")

    class Meta:
        model = ShareLink
        fields = (
            "id",
            "project",
            "review",
            "scene",
            "shots",
            "label",
            "scope",
            "passphrase",
            "has_passphrase",
            "watermark",
            "expires_at",
            "revoked_at",
            "created_at",
            "status",
            "stats",
            "token",
            "url",
        )
        read_only_fields = ("id", "project", "revoked_at", "created_at")

    def get_fields(self):
        fields = super().get_fields()
        fields["review"].queryset = Review.objects.filter(project__memberships__user=_caller(self))  # as in ReviewSerializer
        return fields

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("Choose a time in the future.")
        return value

    def validate(self, data):
        given = [name for name in ("review", "scene", "shots") if data.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError({"review": ["Share one thing: a review, a scene or a list of shots."]})
        return data

    def get_has_passphrase(self, link) -> bool:
        return bool(link.passphrase)

    def get_status(self, link) -> str:
        return selectors.link_status(link)

    @extend_schema_field(LinkStatsSerializer)
    def get_stats(self, link):
        return selectors.link_stats(link)

    def get_token(self, link) -> str | None:
        return getattr(link, "plain_token", None)

    def get_url(self, link) -> str | None:
        token = getattr(link, "plain_token", None)
        if token is None:
            return None
        request = self.context.get("request")
        path = f"/s/{token}"
        return request.build_absolute_uri(path) if request else path


class CommentSerializer(serializers.ModelSerializer):
    serializer_related_field = IdRelatedField
    """Create: shot (the op's parent), body, frame / frame_end, parent (a thread's first
    comment), annotation, mentions (member ids). Set: body, resolved, frames."""

    author = serializers.SerializerMethodField()
    body = serializers.CharField(max_length=MAX_COMMENT_CHARS, trim_whitespace=True)
    mentions = IdRelatedField(many=True, required=False, queryset=get_user_model().objects.none(), help_text="Members of the project this comment names.")

    class Meta:
        model = Comment
        fields = (
            "id",
            "shot",
            "review",
            "parent",
            "body",
            "frame",
            "frame_end",
            "annotation",
            "mentions",
            "resolved",
            "resolved_by_name",
            "resolved_at",
            "author",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "shot", "review", "resolved_by_name", "resolved_at", "version", "created_at", "updated_at")

    def get_fields(self):
        fields = super().get_fields()
        project_id = self.context.get("project_id")
        fields["mentions"].child_relation.queryset = (
            get_user_model().objects.filter(memberships__project_id=project_id) if project_id else get_user_model().objects.none()
        )
        fields["parent"].queryset = Comment.objects.filter(project_id=project_id, parent__isnull=True) if project_id else Comment.objects.none()
        fields["annotation"].queryset = Annotation.objects.filter(project_id=project_id) if project_id else Annotation.objects.none()
        return fields

    @extend_schema_field(AuthorField)
    def get_author(self, row):
        return authored_by(row)

    def validate(self, data):
        frame = data.get("frame", getattr(self.instance, "frame", None))
        frame_end = data.get("frame_end", getattr(self.instance, "frame_end", None))
        if frame_end is not None and (frame is None or frame_end < frame):
            raise serializers.ValidationError({"frame_end": ["A frame range ends at or after its first frame."]})
        return data


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/AnnotationShape"}})
class ShapesField(serializers.JSONField):
    """A list of AnnotationShape (apps.review.protocol), validated by pydantic in validate_shapes."""


class AnnotationSerializer(serializers.ModelSerializer):
    serializer_related_field = IdRelatedField
    """Create: shot (the op's parent), asset (the picture drawn on), frame, shapes. Set: shapes
    (the eraser removes marks by setting the rest)."""

    author = serializers.SerializerMethodField()
    shapes = ShapesField(help_text="The marks, in 0..1 picture coordinates.")

    class Meta:
        model = Annotation
        fields = ("id", "shot", "review", "asset", "asset_sha256", "frame", "shapes", "author", "version", "created_at", "updated_at")
        read_only_fields = ("id", "shot", "review", "asset_sha256", "version", "created_at", "updated_at")
        extra_kwargs = {"asset": {"required": False, "allow_null": True}}

    def get_fields(self):
        fields = super().get_fields()
        project_id = self.context.get("project_id")
        fields["asset"].queryset = Asset.objects.filter(project_id=project_id) if project_id else Asset.objects.none()
        return fields

    @extend_schema_field(AuthorField)
    def get_author(self, row):
        return authored_by(row)

    def validate_shapes(self, shapes):
        if not isinstance(shapes, list) or not shapes:
            raise serializers.ValidationError("Draw at least one mark.")
        if len(shapes) > MAX_SHAPES:
            raise serializers.ValidationError(f"At most {MAX_SHAPES} marks in one annotation.")
        try:
            return [shape.model_dump(exclude_none=True) for shape in shapes_adapter.validate_python(shapes)]
        except pydantic.ValidationError as error:
            raise serializers.ValidationError([f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors()[:10]])


class ApprovalSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField(help_text="The shot changed after this decision.")
    fingerprint = serializers.CharField(max_length=64, help_text="The fingerprint of the shot as you saw it (from the review content).")
    comment = serializers.CharField(max_length=MAX_COMMENT_CHARS, required=False, allow_blank=True)

    class Meta:
        model = Approval
        fields = ("id", "shot", "review", "decision", "comment", "fingerprint", "reviewed", "stale", "author", "created_at")
        read_only_fields = ("id", "shot", "review", "reviewed", "created_at")

    @extend_schema_field(AuthorField)
    def get_author(self, row):
        return authored_by(row)

    def get_stale(self, row) -> bool:
        cache = self.context.setdefault("fingerprints", {})
        if row.shot_id not in cache:
            cache.update(selectors.current_fingerprints([row.shot_id]))
        return cache.get(row.shot_id) != row.fingerprint


class ApprovalCreateSerializer(ApprovalSerializer):
    shot = IdField()

    class Meta(ApprovalSerializer.Meta):
        read_only_fields = ("id", "review", "reviewed", "created_at")


class JoinSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_GUEST_NAME_CHARS, trim_whitespace=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    passphrase = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)


# --- Shapes of read-only answers (for the schema, so the page's types are generated) ------------


class ReviewShotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    scene = serializers.IntegerField()
    scene_number = serializers.CharField()
    scene_heading = serializers.CharField()
    description = serializers.CharField()
    dialogue = serializers.CharField()
    shot_size = serializers.ChoiceField(choices=vocabulary.SHOT_SIZES)
    angle = serializers.ChoiceField(choices=vocabulary.CAMERA_ANGLES)
    movement = serializers.ChoiceField(choices=vocabulary.CAMERA_MOVES)
    lens_mm = serializers.FloatField()
    aspect_ratio = serializers.ChoiceField(choices=vocabulary.ASPECT_RATIO_CHOICES)
    fps = serializers.ChoiceField(choices=vocabulary.FRAME_RATE_CHOICES)
    duration_s = serializers.FloatField()
    status = serializers.ChoiceField(choices=vocabulary.SHOT_STATUSES)
    version = serializers.IntegerField()


SLIDE_SOURCES = (("panel", "The picture chosen for the panel"), ("render", "The shot's newest finished frame render"), ("none", "No picture yet"))
OUT_OF_DATE_HELP = "Rendered from an older camera-and-blocking spec than the shot's current one."


class BoardPanelSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The panel; null for a slide of a shot without panels (its newest frame render).")
    asset = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True)
    caption = serializers.CharField()
    start = serializers.IntegerField(help_text="First frame of the panel in the shot's timeline.")
    frames = serializers.IntegerField()
    source = serializers.ChoiceField(choices=SLIDE_SOURCES, help_text="Where the slide's picture comes from.")
    out_of_date = serializers.BooleanField(help_text=OUT_OF_DATE_HELP)


class ClipMediaSerializer(serializers.Serializer):
    asset = serializers.IntegerField()
    url = serializers.CharField()
    sha256 = serializers.CharField()
    frames = serializers.IntegerField()
    out_of_date = serializers.BooleanField(help_text=OUT_OF_DATE_HELP)


class ReviewItemSerializer(serializers.Serializer):
    shot = ReviewShotSerializer()
    fingerprint = serializers.CharField(help_text="What an approval of this shot as shown now records.")
    frames = serializers.IntegerField(help_text="Frames in the shot's timeline (its clip, or its panels end to end).")
    clip = ClipMediaSerializer(allow_null=True)
    out_of_date = serializers.BooleanField(
        help_text="What the shot shows (its clip, or else a slide) was rendered from an older spec than the shot's current one."
    )
    panels = BoardPanelSerializer(many=True, help_text="Its slides: each panel's chosen picture, or the shot's newest frame render where none was chosen.")
    comments = CommentSerializer(many=True)
    annotations = AnnotationSerializer(many=True)
    approvals = ApprovalSerializer(many=True)


class ReviewSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    project = serializers.IntegerField()
    project_name = serializers.CharField()


class ReviewerSerializer(serializers.Serializer):
    name = serializers.CharField()
    guest = serializers.BooleanField()
    can_comment = serializers.BooleanField()
    can_approve = serializers.BooleanField()


class ReviewContentSerializer(serializers.Serializer):
    review = ReviewSummarySerializer()
    you = ReviewerSerializer()
    items = ReviewItemSerializer(many=True)


class GuestSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()


class LinkInfoSerializer(serializers.Serializer):
    project_name = serializers.CharField()
    review_title = serializers.CharField()
    scope = serializers.ChoiceField(choices=LINK_SCOPES)
    needs_passphrase = serializers.BooleanField()
    expires_at = serializers.DateTimeField(allow_null=True)
    watermark = serializers.BooleanField(help_text="Frames carry the guest's name: stills stamped by the server, clips overlaid in the page.")
    guest = GuestSerializer(allow_null=True)
    review = serializers.IntegerField()


class SessionNoteSerializer(serializers.Serializer):
    shot = serializers.IntegerField()
    shot_number = serializers.CharField()
    comment = serializers.IntegerField()
    body = serializers.CharField()
    author = serializers.CharField()
    frame = serializers.IntegerField(allow_null=True)
    frame_end = serializers.IntegerField(allow_null=True)
    timecode = serializers.CharField(allow_null=True)
    timecode_end = serializers.CharField(allow_null=True)
    resolved = serializers.BooleanField()
    at = serializers.DateTimeField()


class SessionNotesSerializer(serializers.Serializer):
    review = serializers.IntegerField()
    title = serializers.CharField()
    notes = SessionNoteSerializer(many=True)
