from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.projects.access import projects_for, require
from apps.projects.api import filter_by_ids
from apps.projects.permissions import VIEW

from . import services
from .lining_views import LinedScriptActions
from .models import Script, ScriptImport
from .serializers import SceneCastSerializer, ScriptElementSerializer, ScriptImportSerializer, ScriptSerializer, ScriptUploadSerializer

PROJECT_FILTER = [OpenApiParameter("project", int, required=False, description="Only this project's.")]


@extend_schema(parameters=PROJECT_FILTER)
class ScriptImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Importing a draft: upload it (the worker reads it), read its dry run, apply it."""

    queryset = ScriptImport.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = ScriptImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = ScriptImport.objects.filter(project__in=projects_for(self.request.user))
        if self.action == "list":
            queryset = filter_by_ids(queryset, self.request, ("project",))
        return queryset

    @extend_schema(request={"multipart/form-data": ScriptUploadSerializer}, responses={201: ScriptImportSerializer})
    def create(self, request):
        body = ScriptUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        require(request.user, data["project"], VIEW)  # not a member: 404; the right to import is the service's
        project = projects_for(request.user).get(pk=data["project"])
        job = services.start_import(project, data["file"], draft_name=data["draft_name"], revision_colour=data["revision_colour"], actor=request.user)
        return Response(ScriptImportSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={202: ScriptImportSerializer},
        description="Write a planned revision (its dry run) into the project; the worker does it and the room hears every change.",
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        job = self.get_object()  # another production's import: 404
        return Response(ScriptImportSerializer(services.request_apply(job, request.user)).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(parameters=PROJECT_FILTER)
class ScriptViewSet(LinedScriptActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The project's drafts, newest first, with their elements and the cast of their scenes."""

    queryset = Script.objects.none()
    serializer_class = ScriptSerializer

    def get_queryset(self):
        queryset = Script.objects.filter(project__in=projects_for(self.request.user))
        if self.action == "list":
            queryset = filter_by_ids(queryset, self.request, ("project",))
        return queryset

    @extend_schema(
        parameters=[], responses=ScriptElementSerializer(many=True), description="The draft's elements (headings, action, cues, dialogue…) in order."
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def elements(self, request, pk=None):
        return Response(ScriptElementSerializer(services.elements_of(self.get_object()), many=True).data)

    @extend_schema(parameters=[], responses=SceneCastSerializer(many=True), description="Who speaks and who is present in each of the project's scenes.")
    @action(detail=True, methods=["get"], pagination_class=None)
    def cast(self, request, pk=None):
        return Response(SceneCastSerializer(services.cast_of(self.get_object().project_id), many=True).data)
