from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.assets.serializers import AssetSerializer
from apps.projects.ids import IdField

from .models import RenderJob
from .services import outputs_of


class RenderJobSerializer(serializers.ModelSerializer):
    outputs = serializers.SerializerMethodField()

    class Meta:
        model = RenderJob
        fields = (
            "id", "project", "shot", "panel", "kind", "backend", "parameters", "seed", "spec_hash", "status", "progress",
            "error", "attempts", "reused_from", "outputs", "created_at", "started_at", "finished_at",
        )
        read_only_fields = fields

    @extend_schema_field(AssetSerializer(many=True))
    def get_outputs(self, job):
        return AssetSerializer(outputs_of(job), many=True).data


class RenderJobCreateSerializer(serializers.Serializer):
    shot = IdField()
    panel = IdField(required=False, allow_null=True, help_text="The panel the render is for, if any.")
    kind = serializers.ChoiceField(choices=RenderJob.KINDS, default=RenderJob.FRAME)
    backend = serializers.ChoiceField(choices=RenderJob.BACKENDS, default=RenderJob.BLOCKING)
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1, help_text="Left out: the project's seed.")
    parameters = serializers.DictField(required=False, help_text="width, height (pixels) and backend options.")
