import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets import storage
from apps.projects.access import require
from apps.projects.api import ProjectScopedViewSet
from apps.projects.concurrency import expected_version
from apps.projects.ids import id_or_400, id_or_404
from apps.projects.models import Project
from apps.projects.permissions import VIEW
from previs import gltf

from . import services
from .models import Character, Location, Panel, Scene, Shot
from .selectors import board_for
from .serializers import (
    BoardSerializer,
    CharacterCreateSerializer,
    CharacterSerializer,
    LocationCreateSerializer,
    LocationSerializer,
    MoveSerializer,
    PanelCreateSerializer,
    PanelSerializer,
    SceneCreateSerializer,
    SceneSerializer,
    ShotCreateSerializer,
    ShotSerializer,
)

LIST_FILTERS = [OpenApiParameter(name, int, required=False, description=f"Only rows of this {name}.") for name in ("project",)]


class PanelImageUpload(serializers.Serializer):
    image = serializers.FileField(help_text="PNG, JPEG or WebP; checked by its content, not its name.")


class SetGltfUpload(serializers.Serializer):
    file = serializers.FileField(help_text="A .glb, or a .gltf with its buffers embedded.")


class ScratchAudioUpload(serializers.Serializer):
    audio = serializers.FileField(help_text="WAV, MP3 or M4A; probed by its content (PyAV), not its name.")


class ScratchAudioMixin:
    """POST <row>/audio/ puts scratch sound for the animatic on a scene or shot; DELETE takes it off."""

    audio_entity = None

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": ScratchAudioUpload},
        description="Upload the row's scratch sound for the animatic (WAV, MP3 or M4A, checked by content). Sound that is not audio is a 400 naming the problem.",
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None}, description="Take the row's scratch sound off (the stored file stays).")
    @action(detail=True, methods=["post", "delete"], parser_classes=[MultiPartParser, FormParser])
    def audio(self, request, pk=None):
        row = self.get_object()
        access = self.access_to(row.project_id)
        if request.method == "DELETE":
            services.clear_audio(row, self.audio_entity, access, expected_version(request))
            return Response(status=204)  # the room's change tells every open board
        else:
            body = ScratchAudioUpload(data=request.data)
            body.is_valid(raise_exception=True)
            row = services.set_audio(row, self.audio_entity, body.validated_data["audio"].read(), access, expected_version(request))
        return Response(self.get_serializer(row).data)


class CreateWithParentMixin:
    """Create under a parent named in the body (`parent_field`), among the caller's projects;
    the service checks the right to edit there."""

    parent_field = "project"
    parent_queryset = Project.objects.all()
    create_serializer_class = None

    def get_serializer_class(self):
        if self.action == "create":
            return self.create_serializer_class
        return super().get_serializer_class()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "create":
            context["project_id"] = self.create_parent().project_id if self.parent_field != "project" else self.create_parent().pk
        return context

    def create_parent(self):
        if not hasattr(self, "_parent"):
            pk = self.request.data.get(self.parent_field) if hasattr(self.request.data, "get") else None
            if self.parent_field == "project":
                from rest_framework.exceptions import ValidationError

                from apps.projects.access import projects_for

                parent = projects_for(self.request.user).filter(pk=id_or_400(pk, "project")).first()
                if parent is None:
                    raise ValidationError({"project": ["No such project among yours."]})
                self._parent = parent
            else:
                self._parent = self.scoped_parent(self.parent_queryset, pk, self.parent_field)
        return self._parent

    def perform_create_service(self, data):
        data = {k: v for k, v in data.items() if k != self.parent_field}
        parent = self.create_parent()
        access = self.access_to(parent.pk if self.parent_field == "project" else parent.project_id)
        return self.create_service(parent, data, access)

    def perform_update_service(self, access, instance, data, version):
        return self.update_service(instance, data, access, version)

    def perform_delete_service(self, access, instance, version):
        self.delete_service(instance, access, version)


class MoveMixin:
    @extend_schema(request=MoveSerializer, description="Reorder: land right after `after` (null = first), optionally under a new parent. Writes one row.")
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        instance = self.get_object()
        access = self.access_to(instance.project_id)
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        moved = self.move_service(instance, body.validated_data, access, expected_version(request))
        return Response(self.get_serializer(moved).data)


@extend_schema(parameters=LIST_FILTERS)
class CharacterViewSet(CreateWithParentMixin, ProjectScopedViewSet):
    queryset = Character.objects.all()
    serializer_class = CharacterSerializer
    create_serializer_class = CharacterCreateSerializer
    create_service = staticmethod(services.create_character)

    update_service = staticmethod(services.update_character)
    delete_service = staticmethod(services.delete_character)


@extend_schema(parameters=LIST_FILTERS)
class LocationViewSet(CreateWithParentMixin, ProjectScopedViewSet):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    create_serializer_class = LocationCreateSerializer
    create_service = staticmethod(services.create_location)

    update_service = staticmethod(services.update_location)
    delete_service = staticmethod(services.delete_location)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={(200, "model/gltf-binary"): OpenApiTypes.BINARY},
        description="The location's set as binary glTF (.glb): one node per piece, made of its grey boxes.",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": SetGltfUpload},
        responses=LocationSerializer,
        description=f"Add the top-level nodes of a glTF (.glb, or .gltf with its data inside; at most {gltf.MAX_GLTF_BYTES // (1024 * 1024)} MB) to the set as pieces sized by their bounds. A file that is not a readable glTF, or too big, is a 400 and nothing is stored.",
    )
    @action(detail=True, methods=["get", "post"], url_path="set-gltf", parser_classes=[MultiPartParser, FormParser])
    def set_gltf(self, request, pk=None):
        location = self.get_object()
        access = self.access_to(location.project_id)
        if request.method == "GET":
            response = HttpResponse(gltf.export_set(location.set_pieces, location.name), content_type="model/gltf-binary")
            response["Content-Disposition"] = f'attachment; filename="location-{location.pk}-set.glb"'
            return response
        body = SetGltfUpload(data=request.data)
        body.is_valid(raise_exception=True)
        location = services.import_set_gltf(location, body.validated_data["file"], access, expected_version(request))
        return Response(self.get_serializer(location).data)


@extend_schema(parameters=LIST_FILTERS)
class SceneViewSet(ScratchAudioMixin, MoveMixin, CreateWithParentMixin, ProjectScopedViewSet):
    queryset = Scene.objects.select_related("location", "audio")
    audio_entity = "scene"
    serializer_class = SceneSerializer
    create_serializer_class = SceneCreateSerializer
    create_service = staticmethod(services.create_scene)

    update_service = staticmethod(services.update_scene)
    delete_service = staticmethod(services.delete_scene)

    def move_service(self, instance, body, access, version):
        return services.move_scene(instance, body["after"], access, version)


@extend_schema(parameters=LIST_FILTERS + [OpenApiParameter("scene", int, required=False)])
class ShotViewSet(ScratchAudioMixin, MoveMixin, CreateWithParentMixin, ProjectScopedViewSet):
    queryset = Shot.objects.select_related("script_lines", "audio").prefetch_related("characters")
    audio_entity = "shot"
    serializer_class = ShotSerializer
    create_serializer_class = ShotCreateSerializer
    parent_field = "scene"
    parent_queryset = Scene.objects.select_related("project")
    create_service = staticmethod(services.create_shot)

    update_service = staticmethod(services.update_shot)
    delete_service = staticmethod(services.delete_shot)

    def move_service(self, instance, body, access, version):
        return services.move_shot(instance, body["after"], body.get("parent"), access, version)


@extend_schema(parameters=LIST_FILTERS + [OpenApiParameter("shot", int, required=False)])
class PanelViewSet(MoveMixin, CreateWithParentMixin, ProjectScopedViewSet):
    queryset = Panel.objects.select_related("image")
    serializer_class = PanelSerializer
    create_serializer_class = PanelCreateSerializer
    parent_field = "shot"
    parent_queryset = Shot.objects.all()
    create_service = staticmethod(services.create_panel)

    update_service = staticmethod(services.update_panel)
    delete_service = staticmethod(services.delete_panel)

    def move_service(self, instance, body, access, version):
        return services.move_panel(instance, body["after"], body.get("parent"), access, version)

    @extend_schema(
        request={"multipart/form-data": PanelImageUpload},
        responses=PanelSerializer,
        description="Upload the panel's picture (PNG, JPEG or WebP, checked by content). Stored under its sha256.",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def image(self, request, pk=None):
        panel = self.get_object()
        access = self.access_to(panel.project_id)
        body = PanelImageUpload(data=request.data)
        body.is_valid(raise_exception=True)
        panel = services.set_panel_upload(panel, body.validated_data["image"].read(), access, expected_version(request))
        return Response(self.get_serializer(panel).data)


@extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="A unique integer value identifying this project.")])
class ProjectBoardView(APIView):
    """GET /api/projects/<id>/board/: the board of a project the caller belongs to."""

    @extend_schema(
        operation_id="projects_board_retrieve",
        tags=["projects"],
        responses={200: BoardSerializer, 304: None},
        description="The whole board in one read (a fixed number of queries whatever its size). Its ETag follows the project's last seq: send it back as If-None-Match and an unchanged board answers 304.",
    )
    def get(self, request, id):
        access = require(request.user, id_or_404(id), VIEW)  # not a member: 404
        project = Project.objects.get(pk=access.project_id)
        return board_response(request, project, {"request": request, "view": self, "roles": {project.pk: access.role}})


def board_response(request, project, context):
    """GET of a project's board, answered from what the project's last seq says about it.

    The board is a snapshot up to `Project.last_seq` (every write to a board row records a change
    and bumps it; the room replays changes after it), so the seq, with what else the body depends
    on (the reader's role, the project row's version, the time window of presigned media URLs),
    is its ETag. A client that sends it back gets 304 before anything is read; otherwise the
    encoded body comes from the cache when this seq was encoded for this role before.
    """
    etag = _board_etag(project, context.get("roles", {}).get(project.pk))
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        key = f"board:{project.pk}:{etag}"
        body = cache.get(key)
        if body is None:
            body = JSONRenderer().render(BoardSerializer(board_for(project), context=context).data)
            cache.set(key, body, BOARD_CACHE_SECONDS)
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    # Cached by the browser, but asked about every time: the board changes under other editors.
    response["Cache-Control"] = "private, no-cache"
    return response


BOARD_CACHE_SECONDS = 300  # long enough for a room's readers to share one encoding of a seq


def _board_etag(project, role):
    # created_at tells a project from an earlier one that had the same id (ids come back after
    # a rolled-back transaction, as in tests).
    parts = [project.pk, int(project.created_at.timestamp() * 1e6), project.last_seq, project.version, role]
    if storage.is_remote():
        # Presigned panel URLs in the body expire: a body is answered as current for at most
        # half their lifetime after the window it was built in.
        parts.append(int(time.time() // max(1, settings.MEDIA_URL_EXPIRY_SECONDS // 2)))
    return '"board-' + "-".join(str(part) for part in parts) + '"'


def _matches(if_none_match, etag):
    """If-None-Match compares weakly (RFC 9110): compression turns our ETag into W/"…"."""
    tags = parse_etags(if_none_match) if if_none_match else []
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)
