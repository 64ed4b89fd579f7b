from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.boards.views import board_response

from . import services
from .access import projects_for, require
from .concurrency import StaleVersion, expected_version
from .ids import id_or_404
from .models import Membership
from .permissions import MANAGE_MEMBERS, MANAGE_PROJECT, VIEW
from .serializers import BoardSerializer, MembershipCreateSerializer, MembershipSerializer, ProjectSerializer, SignInSerializer


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

    @extend_schema(responses={200: BoardSerializer, 304: None}, description="The whole board in one read (a fixed number of queries whatever its size). Its ETag follows the project's last seq: send it back as If-None-Match and an unchanged board answers 304.")
    @action(detail=True, methods=["get"])
    def board(self, request, pk=None):
        return board_response(request, self.get_object(), self.get_serializer_context())


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

    @extend_schema(request=SignInSerializer, responses={200: SessionUserSerializer, 400: None, 429: None})
    def post(self, request):
        body = SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.check_password_login(request, body.validated_data["username"], body.validated_data["password"])
        login(request, user)
        return Response(_user_payload(user))

    @extend_schema(responses={204: None})
    def delete(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """A script's API token for a login and password (guessing is limited like the sign-in)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=SignInSerializer, responses={200: TokenSerializer, 400: None, 429: None})
    def post(self, request):
        body = SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.check_password_login(request, body.validated_data["username"], body.validated_data["password"])
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
