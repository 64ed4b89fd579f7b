from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.projects.access import require
from apps.projects.api import filter_by_ids
from apps.projects.permissions import EDIT

from . import storage
from .models import Asset
from .serializers import AssetSerializer, AssetUploadSerializer
from .services import store_upload


@extend_schema(parameters=[OpenApiParameter("project", int, required=False), OpenApiParameter("kind", str, required=False)])
class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Asset.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = AssetSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = Asset.objects.filter(project__memberships__user=self.request.user)
        if self.action == "list":
            queryset = filter_by_ids(queryset, self.request, ("project",))
            kind = self.request.query_params.get("kind")
            if kind:
                queryset = queryset.filter(kind=kind)
        return queryset

    @extend_schema(request={"multipart/form-data": AssetUploadSerializer}, responses={201: AssetSerializer})
    def create(self, request):
        body = AssetUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        require(request.user, body.validated_data["project"], EDIT)
        asset = store_upload(project_id=body.validated_data["project"], data=body.validated_data["image"].read(), created_by=request.user)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 302: None}, description="The bytes, after the same permission check as every read."
    )
    @action(detail=True, methods=["get"])
    def content(self, request, pk=None):
        asset = self.get_object()  # 404 unless the caller belongs to the asset's project
        if storage.is_remote():
            return HttpResponseRedirect(storage.presigned_url(asset.key))
        return serve_local(request, asset)


def serve_local(request, asset):
    """The asset's bytes from local storage, with byte ranges (after the caller's check)."""
    byte_range = parse_range(request.headers.get("Range"), asset.byte_size)
    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{asset.byte_size}"
        return response
    stream = storage.open_stream(asset.key)
    if byte_range is None:
        response = FileResponse(stream, content_type=asset.content_type)
        response["Content-Length"] = str(asset.byte_size)
    else:
        # Video players seek with ranges: without 206 a browser cannot scrub a clip.
        start, end = byte_range
        stream.seek(start)
        data = stream.read(end - start + 1)
        stream.close()
        response = HttpResponse(data, status=206, content_type=asset.content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{asset.byte_size}"
        response["Content-Length"] = str(len(data))
    response["Accept-Ranges"] = "bytes"
    # Content-addressed: the bytes behind this id never change.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["ETag"] = f'"{asset.sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def parse_range(header, size):
    """(start, end) of a single "bytes=" range, None for no (or an unusable) header, or
    "unsatisfiable". Multi-range requests get the whole file (allowed by RFC 9110)."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes=") :].strip().partition("-")
    try:
        if first == "":  # the last N bytes
            length = int(last)
            if length <= 0:
                return "unsatisfiable"
            return max(0, size - length), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or start > end:
        return "unsatisfiable"
    return start, min(end, size - 1)
