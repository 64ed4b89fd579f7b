from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apps.projects.access import projects_for, require
from apps.projects.concurrency import StaleVersion, expected_version
from apps.projects.ids import id_or_404
from apps.projects.models import Membership
from apps.projects.permissions import MANAGE_MEMBERS, MANAGE_PROJECT, VIEW
from apps.projects.serializers import ProjectSerializer

from . import services
from .serializers import MembershipCreateSerializer, MembershipSerializer


class ProjectViewSet(viewsets.ModelViewSet):
    serializer_class = ProjectSerializer
    versioned = True  # writes name a version: stale → 409 (documented by studio.openapi)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return projects_for(self.request.user).order_by("name", "id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["roles"] = dict(Membership.objects.filter(user=self.request.user).values_list("project_id", "role"))
        return context

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion):
            return Response({"detail": "Someone changed this project since you loaded it.", "current": self.get_serializer(exc.current).data}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)

    def perform_create(self, serializer):
        serializer.instance = services.create_project(self.request.user, serializer.validated_data)

    def update(self, request, *args, **kwargs):
        project = self.get_object()
        require(request.user, project.pk, MANAGE_PROJECT)
        serializer = self.get_serializer(project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        project = services.update_project(project, serializer.validated_data, request.user, expected_version(request))
        return Response(self.get_serializer(project).data)

    def destroy(self, request, *args, **kwargs):
        project = self.get_object()
        require(request.user, project.pk, MANAGE_PROJECT)
        services.delete_project(project, request.user, expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[OpenApiParameter("project_pk", int, OpenApiParameter.PATH, description="The project.")])
class MembershipViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """People in a project and their roles (only owners and directors may change them)."""

    queryset = Membership.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = MembershipSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        project_id = id_or_404(self.kwargs["project_pk"])
        require(self.request.user, project_id, VIEW)
        return Membership.objects.filter(project_id=project_id).select_related("user", "project")

    def get_serializer_class(self):
        return MembershipCreateSerializer if self.action == "create" else MembershipSerializer

    @extend_schema(request=MembershipCreateSerializer, responses=MembershipSerializer)
    def create(self, request, project_pk=None):
        project_id = id_or_404(project_pk)
        require(request.user, project_id, MANAGE_MEMBERS)
        body = MembershipCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = projects_for(request.user).get(pk=project_id)
        membership = services.add_member(project, body.validated_data["username"], body.validated_data["role"], request.user)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        membership = self.get_object()
        require(request.user, membership.project_id, MANAGE_MEMBERS)
        serializer = MembershipSerializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        membership = services.change_role(membership, serializer.validated_data.get("role", membership.role), request.user)
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        if membership.user_id != request.user.pk:  # anyone may leave; removing others needs the right
            require(request.user, membership.project_id, MANAGE_MEMBERS)
        services.remove_member(membership, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
