from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.boards.views import board_for

from . import services
from .access import projects_for, require
from .concurrency import StaleVersion, expected_version
from .models import Membership
from .permissions import MANAGE_MEMBERS, MANAGE_PROJECT, VIEW
from .serializers import BoardSerializer, MembershipCreateSerializer, MembershipSerializer, ProjectSerializer


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

    @extend_schema(responses=BoardSerializer, description="The whole board in one read (a fixed number of queries whatever its size).")
    @action(detail=True, methods=["get"])
    def board(self, request, pk=None):
        return Response(BoardSerializer(board_for(self.get_object()), context=self.get_serializer_context()).data)


@extend_schema(parameters=[OpenApiParameter("project_pk", int, OpenApiParameter.PATH, description="The project.")])
class MembershipViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """People in a project and their roles (only owners and directors may change them)."""

    queryset = Membership.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = MembershipSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        project_id = int(self.kwargs["project_pk"])
        require(self.request.user, project_id, VIEW)
        return Membership.objects.filter(project_id=project_id).select_related("user", "project")

    def get_serializer_class(self):
        return MembershipCreateSerializer if self.action == "create" else MembershipSerializer

    @extend_schema(request=MembershipCreateSerializer, responses=MembershipSerializer)
    def create(self, request, project_pk=None):
        require(request.user, int(project_pk), MANAGE_MEMBERS)
        body = MembershipCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = projects_for(request.user).get(pk=project_pk)
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


class SessionUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


def _user_payload(user):
    return {"id": user.pk, "username": user.username, "display_name": user.get_full_name() or user.username}


class SessionView(APIView):
    """Browser sign-in with a Django session (scripts use a token: POST /api/auth/token/)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: SessionUserSerializer, 403: None})
    def get(self, request):
        get_token(request)  # make sure the browser holds a CSRF cookie before its first write
        if not request.user.is_authenticated:
            return Response({"detail": "Not signed in."}, status=status.HTTP_403_FORBIDDEN)
        return Response(_user_payload(request.user))

    @extend_schema(
        request=inline_serializer("SignIn", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: SessionUserSerializer, 400: None},
    )
    def post(self, request):
        username = request.data.get("username") or ""
        password = request.data.get("password") or ""
        errors = {}
        if not username:
            errors["username"] = ["Enter your login."]
        if not password:
            errors["password"] = ["Enter your password."]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        user = authenticate(request, username=username, password=password)
        if user is None:
            return Response({"non_field_errors": ["That login and password do not match."]}, status=status.HTTP_400_BAD_REQUEST)
        login(request, user)
        return Response(_user_payload(user))

    @extend_schema(responses={204: None})
    def delete(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)
