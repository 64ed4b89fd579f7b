from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.projects.access import require
from apps.projects.api import filter_by_ids
from apps.projects.permissions import VIEW

from . import services
from .models import RenderJob
from .serializers import RenderJobCreateSerializer, RenderJobSerializer


@extend_schema(parameters=[OpenApiParameter("project", int, required=False), OpenApiParameter("shot", int, required=False)])
class RenderJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = RenderJob.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = RenderJobSerializer

    def get_queryset(self):
        queryset = RenderJob.objects.filter(project__memberships__user=self.request.user).select_related("reused_from")
        if self.action == "list":
            queryset = filter_by_ids(queryset, self.request, ("project", "shot"))
        return queryset.prefetch_related("outputs", "reused_from__outputs")

    @extend_schema(request=RenderJobCreateSerializer, responses={201: RenderJobSerializer})
    def create(self, request):
        body = RenderJobCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)  # the shot among the caller's projects, its panel, the parameters
        data = body.validated_data
        access = require(request.user, data["shot"].project_id, VIEW)
        job = services.create_job(  # the render gate is the service's
            shot=data["shot"],
            kind=data["kind"],
            backend=data["backend"],
            seed=data.get("seed"),
            parameters=data.get("parameters"),
            actor=access,
            panel=data.get("panel"),
        )
        return Response(RenderJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RenderJobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()  # another production's job: 404
        return Response(RenderJobSerializer(services.cancel_job(job, require(request.user, job.project_id, VIEW))).data)

    @extend_schema(request=None, responses=RenderJobSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        job = self.get_object()
        return Response(RenderJobSerializer(services.retry_job(job, require(request.user, job.project_id, VIEW))).data)
