from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.boards.models import Scene
from apps.projects.access import require
from apps.projects.api import filter_by_ids
from apps.projects.permissions import EDIT, VIEW

from . import services
from .models import Export
from .serializers import (
    CutImportResultSerializer,
    CutImportSerializer,
    ExportCreateSerializer,
    ExportSerializer,
    ShotListImportResultSerializer,
    ShotListImportSerializer,
)


@extend_schema(parameters=[OpenApiParameter("project", int, required=False)])
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Shot lists, storyboards and timelines made from the board; anyone who may view the
    project may make and download them."""

    queryset = Export.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = ExportSerializer

    def get_queryset(self):
        queryset = Export.objects.filter(project__memberships__user=self.request.user).select_related("output", "created_by")
        if self.action == "list":
            queryset = filter_by_ids(queryset, self.request, ("project",))
        return queryset

    @extend_schema(request=ExportCreateSerializer, responses={201: ExportSerializer})
    def create(self, request):
        body = ExportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        access = require(request.user, data["project"], VIEW)
        scene = None
        if data.get("scene") is not None:
            scene = Scene.objects.filter(pk=data["scene"], project_id=data["project"]).first()
            if scene is None:
                raise ValidationError({"scene": ["No such scene in this project."]})
        export = services.create_export(project=access_project(access), kind=data["kind"], scene=scene, parameters=data.get("parameters"), actor=request.user)
        return Response(ExportSerializer(export).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ExportSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop a queued or running export: the one who asked for it, or anyone who may edit."""
        export = self.get_object()
        access = require(request.user, export.project_id, VIEW)
        if export.created_by_id != request.user.pk and not access.allows(EDIT):
            raise PermissionDenied("Only the one who asked for this export, or someone who may edit, may cancel it.")
        return Response(ExportSerializer(services.cancel_export(export, request.user)).data)


def access_project(access):
    from apps.projects.models import Project

    return Project.objects.get(pk=access.project_id)


class ShotListImportView(APIView):
    """Update shots from a shot-list CSV, matched by scene and shot number; new ones are added.
    Without `apply` nothing is written: the answer says what would change."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ShotListImportSerializer}, responses={200: ShotListImportResultSerializer})
    def post(self, request):
        body = ShotListImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        access = require(request.user, data["project"], EDIT)
        plan = services.import_shot_list(access_project(access), data["file"].read(), request.user, apply=data["apply"])
        rows = [{k: row[k] for k in ("line", "scene", "shot", "action", "new_scene", "changes")} for row in plan]
        return Response(ShotListImportResultSerializer({"applied": data["apply"], "rows": rows}).data)


class CutImportView(APIView):
    """The editor's cut back on the board: new order and lengths, dropped shots marked not in
    cut. Without `apply` nothing is written: the answer is the preview."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": CutImportSerializer}, responses={200: CutImportResultSerializer})
    def post(self, request):
        body = CutImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        access = require(request.user, data["project"], EDIT)
        scene = None
        if data.get("scene") is not None:
            scene = Scene.objects.filter(pk=data["scene"], project_id=data["project"]).first()
            if scene is None:
                raise ValidationError({"scene": ["No such scene in this project."]})
        upload = data["file"]
        plan = services.import_cut(access_project(access), upload.read(), upload.name or "", request.user, scene=scene, apply=data["apply"])
        return Response(CutImportResultSerializer({**plan, "applied": data["apply"]}).data)
