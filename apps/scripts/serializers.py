from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.projects.ids import IdField
from previs import drafts

from .models import REVISION_COLOUR_CHOICES, SceneCast, Script, ScriptElement, ScriptImport


class ScriptUploadSerializer(serializers.Serializer):
    project = IdField()
    file = serializers.FileField(help_text="A Fountain (.fountain, .txt) or Final Draft (.fdx) screenplay, at most 10 MB, UTF-8 or UTF-16.")
    draft_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    revision_colour = serializers.ChoiceField(
        choices=REVISION_COLOUR_CHOICES, required=False, default="white", help_text="The draft's colour, in the order productions issue them."
    )


class PlanSceneSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[drafts.ADDED, drafts.CHANGED, drafts.UNCHANGED, drafts.OMITTED])
    number = serializers.CharField()
    heading = serializers.CharField()
    scene = serializers.IntegerField(allow_null=True, help_text="The studio's scene (null for one the draft adds, until it is applied).")
    diff = serializers.CharField(help_text="For a changed scene, what changed (a unified diff).")


class PlanCountsSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    omitted = serializers.IntegerField()


class PlanSerializer(serializers.Serializer):
    counts = PlanCountsSerializer()
    scenes = PlanSceneSerializer(many=True)


class ScriptImportSerializer(serializers.ModelSerializer):
    plan = serializers.SerializerMethodField(help_text="The dry run (empty until it is planned).")

    class Meta:
        model = ScriptImport
        fields = ("id", "project", "filename", "draft_name", "revision_colour", "status", "error", "revision", "plan", "script", "created_at", "finished_at")
        read_only_fields = fields

    @extend_schema_field(PlanSerializer(allow_null=True))
    def get_plan(self, job):
        return job.plan or None


class ScriptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Script
        fields = ("id", "project", "file", "sha256", "filename", "format", "title", "title_page", "draft_name", "revision_colour", "created_at")
        read_only_fields = fields


class ScriptElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScriptElement
        fields = ("index", "kind", "text", "scene_number", "character", "extension", "dual", "scene")
        read_only_fields = fields


class SceneCastSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="character.name", read_only=True)

    class Meta:
        model = SceneCast
        fields = ("scene", "character", "name", "speaking")
        read_only_fields = fields
