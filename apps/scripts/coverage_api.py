"""REST for coverage proposals (apps.scripts.coverage does the work): read a scene's (or every
scene's) proposals, accept some or all of them (with edits) as shots, reject one."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.boards.models import Scene
from apps.projects.access import projects_for, require
from apps.projects.ids import IdField, id_or_400
from apps.projects.parsers import JSONParser
from apps.projects.permissions import EDIT

from . import coverage
from .models import CoverageProposal


@extend_schema_field({"$ref": "#/components/schemas/ShotProposal"})
class ProposalField(serializers.JSONField):
    """A previs.coverage.ShotProposal."""


@extend_schema_field({"$ref": "#/components/schemas/CameraSpec"})
class SpecField(serializers.JSONField):
    """A camera-and-blocking spec (previs/spec.py)."""


class CoverageProposalSerializer(serializers.ModelSerializer):
    proposal = ProposalField(read_only=True, help_text="The shot as proposed (or as accepted, with the director's edits).")
    camera_spec = SpecField(read_only=True, help_text="Its camera and blocking, laid out on the scene's marks.")

    class Meta:
        model = CoverageProposal
        fields = ("id", "scene", "key", "order", "source", "status", "proposal", "camera_spec", "shot", "decided_at")
        read_only_fields = fields


class CoverageEditsSerializer(serializers.Serializer):
    """What the director may change before accepting (any subset)."""

    description = serializers.CharField(required=False, max_length=2000, allow_blank=True)
    shot_size = serializers.CharField(required=False)
    framing = serializers.CharField(required=False)
    angle = serializers.CharField(required=False)
    movement = serializers.CharField(required=False)
    rig = serializers.CharField(required=False)
    lens_mm = serializers.FloatField(required=False)
    duration_s = serializers.FloatField(required=False)
    dialogue = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["Expected an object of fields."]})
        unknown = set(data) - set(coverage.EDITABLE)
        if unknown:
            raise ValidationError({name: [f"Not editable here; editable: {', '.join(coverage.EDITABLE)}."] for name in sorted(unknown)})
        return super().to_internal_value(data)


class CoverageChoiceSerializer(serializers.Serializer):
    id = IdField(help_text="A proposal of the scene.")
    fields = CoverageEditsSerializer(required=False, help_text="Changes to make before it becomes a shot; its camera is laid out again when they move it.")


class CoverageAcceptSerializer(serializers.Serializer):
    scene = IdField()
    proposals = CoverageChoiceSerializer(
        many=True, required=False, allow_empty=False, help_text="The proposals to accept; leave out to accept every undecided one of the scene."
    )


class CoverageAcceptedSerializer(serializers.Serializer):
    proposal = CoverageProposalSerializer()
    shot = serializers.IntegerField(help_text="The shot made.")
    shot_number = serializers.CharField()
    render_job = serializers.IntegerField(help_text="Its blocking frame's render job.")


class CoverageAcceptResultSerializer(serializers.Serializer):
    accepted = CoverageAcceptedSerializer(many=True)


LIST_PARAMETERS = [
    OpenApiParameter("scene", int, required=False, description="One scene's proposals."),
    OpenApiParameter("project", int, required=False, description="Every scene's proposals (scenes in story order). Give scene or project."),
]


class CoverageProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The coverage planner's proposals: shots a director accepts or rejects, scene by scene."""

    queryset = CoverageProposal.objects.none()  # for the schema; every request is scoped below
    serializer_class = CoverageProposalSerializer
    parser_classes = [JSONParser]  # an accept's choices are nested: JSON only
    error_statuses = (404,)  # the list names its scene or project: another production's is not found (studio.openapi)

    def get_queryset(self):
        return CoverageProposal.objects.filter(project__in=projects_for(self.request.user)).select_related("shot")

    def _scene(self, scene_id):
        scene = Scene.objects.filter(pk=scene_id, project__in=projects_for(self.request.user)).select_related("project", "location").first()
        if scene is None:
            raise Http404("No such scene.")
        return scene

    @extend_schema(parameters=LIST_PARAMETERS, description="Planned on first read, and again when the scene's lines or cast change; decisions stay.")
    def list(self, request):
        scene_param, project_param = request.query_params.get("scene"), request.query_params.get("project")
        if scene_param is not None:
            scene = self._scene(id_or_400(scene_param, "scene"))
            project, scenes = scene.project, [scene]
        elif project_param is not None:
            project = projects_for(request.user).filter(pk=id_or_400(project_param, "project")).first()
            if project is None:
                raise Http404("No such project.")
            scenes = Scene.objects.filter(project=project, omitted=False).select_related("location").order_by("rank", "id")
        else:
            raise ValidationError({"scene": ["Give scene or project."]})
        rows = coverage.proposals_for(project, scenes)
        return Response(CoverageProposalSerializer(rows, many=True).data)

    @extend_schema(
        request=CoverageAcceptSerializer,
        responses={201: CoverageAcceptResultSerializer},
        description="Make shots of the scene's proposals (all undecided ones, or those chosen, with edits), numbered after the scene's shots, and queue their blocking frames. All or none.",
    )
    @action(detail=False, methods=["post"])
    def accept(self, request):
        body = CoverageAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scene = self._scene(body.validated_data["scene"])
        require(request.user, scene.project_id, EDIT)
        choices = None
        if "proposals" in body.validated_data:
            ids = [c["id"] for c in body.validated_data["proposals"]]
            if len(set(ids)) != len(ids):
                raise ValidationError({"proposals": ["Each proposal once."]})
            rows = CoverageProposal.objects.filter(pk__in=ids, project_id=scene.project_id).select_related("shot").in_bulk()
            missing = [pk for pk in ids if pk not in rows]
            if missing:
                raise ValidationError({"proposals": [f"No proposal {pk} in this project." for pk in missing]})
            # The raw edits (as sent): the proposal model validates them, with its own messages.
            raw = request.data.get("proposals") or []
            choices = [(rows[c["id"]], dict(raw[i].get("fields") or {})) for i, c in enumerate(body.validated_data["proposals"])]
        made = coverage.accept(scene, choices, request.user)
        data = {"accepted": [{"proposal": row, "shot": shot.pk, "shot_number": shot.number, "render_job": job.pk} for row, shot, job in made]}
        return Response(CoverageAcceptResultSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses=CoverageProposalSerializer, description="Set the proposal aside (it stays rejected when the scene is planned again)."
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        row = self.get_object()
        require(request.user, row.project_id, EDIT)
        return Response(CoverageProposalSerializer(coverage.reject(row, request.user)).data)
