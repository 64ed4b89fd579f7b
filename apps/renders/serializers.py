from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.assets.serializers import AssetSerializer
from apps.boards.models import Panel, Shot
from apps.projects.ids import IdField

from .models import RenderJob
from .services import outputs_of


class RenderJobSerializer(serializers.ModelSerializer):
    outputs = serializers.SerializerMethodField()

    class Meta:
        model = RenderJob
        fields = (
            "id",
            "project",
            "shot",
            "panel",
            "kind",
            "backend",
            "parameters",
            "seed",
            "spec_hash",
            "status",
            "progress",
            "error",
            "attempts",
            "reused_from",
            "outputs",
            "created_at",
            "started_at",
            "finished_at",
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

    def validate_shot(self, pk):
        """The shot, among the caller's projects (another production's shot does not exist here;
        the right to render there is the service's gate)."""
        request = self.context.get("request")
        user = request.user if request is not None else None
        shot = Shot.objects.filter(pk=pk, project__memberships__user=user).select_related("project").first() if user else None
        if shot is None:
            raise serializers.ValidationError("No such shot in your projects.")
        return shot

    def validate(self, data):
        panel_id = data.pop("panel", None)
        if panel_id is not None:
            data["panel"] = Panel.objects.filter(pk=panel_id, shot=data["shot"]).first()
            if data["panel"] is None:
                raise serializers.ValidationError({"panel": ["That panel is not a panel of this shot."]})
        return data
