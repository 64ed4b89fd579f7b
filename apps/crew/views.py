from django.contrib.auth import login
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.projects.access import projects_for, require
from apps.projects.concurrency import StaleVersion, expected_version
from apps.projects.ids import id_or_404
from apps.projects.models import Membership
from apps.projects.permissions import MANAGE_MEMBERS, MANAGE_PROJECT, VIEW
from apps.projects.serializers import ProjectSerializer
from apps.projects.views import SessionUserSerializer, user_payload

from . import invites, services
from .models import Invite
from .serializers import (
    InviteCreatedSerializer,
    InviteCreateSerializer,
    InviteInfoSerializer,
    InviteSerializer,
    JoinedSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    SignUpSerializer,
)


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
            return Response(
                {"detail": "Someone changed this project since you loaded it.", "current": self.get_serializer(exc.current).data},
                status=status.HTTP_409_CONFLICT,
            )
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


def _caller_context(request, project_pk):
    """The caller's role in the project, for the serializers that say what the caller may do."""
    project_id = id_or_404(project_pk) if project_pk is not None else None
    role = Membership.objects.filter(project_id=project_id, user=request.user).values_list("role", flat=True).first() if request.user.is_authenticated else None
    return {"caller_role": role, "caller_id": request.user.pk}


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

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_caller_context(self.request, self.kwargs.get("project_pk"))}

    @extend_schema(request=MembershipCreateSerializer, responses=MembershipSerializer)
    def create(self, request, project_pk=None):
        project_id = id_or_404(project_pk)
        require(request.user, project_id, MANAGE_MEMBERS)
        body = MembershipCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = projects_for(request.user).get(pk=project_id)
        membership = services.add_member(project, body.validated_data["username"], body.validated_data["role"], request.user)
        return Response(MembershipSerializer(membership, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        membership = self.get_object()
        require(request.user, membership.project_id, MANAGE_MEMBERS)
        serializer = MembershipSerializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        membership = services.change_role(membership, serializer.validated_data.get("role", membership.role), request.user)
        return Response(MembershipSerializer(membership, context=self.get_serializer_context()).data)

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        if membership.user_id != request.user.pk:  # anyone may leave; removing others needs the right
            require(request.user, membership.project_id, MANAGE_MEMBERS)
        services.remove_member(membership, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[OpenApiParameter("project_pk", int, OpenApiParameter.PATH, description="The project.")])
class InviteViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Invites into a project (owners and directors): by email, or a link to hand on. Deleting one
    withdraws it; its link then answers 410."""

    queryset = Invite.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = InviteSerializer

    def get_queryset(self):
        project_id = id_or_404(self.kwargs["project_pk"])
        require(self.request.user, project_id, MANAGE_MEMBERS)
        return Invite.objects.filter(project_id=project_id, revoked_at__isnull=True).select_related("created_by", "accepted_by")

    @extend_schema(request=InviteCreateSerializer, responses={201: InviteCreatedSerializer})
    def create(self, request, project_pk=None):
        project_id = id_or_404(project_pk)
        require(request.user, project_id, MANAGE_MEMBERS)
        body = InviteCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = projects_for(request.user).get(pk=project_id)
        invite, url = invites.create_invite(project, body.validated_data["role"], body.validated_data["email"], request.user, request)
        invite.url = url
        return Response(InviteCreatedSerializer(invite).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        invites.revoke_invite(self.get_object(), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteLinkView(APIView):
    """Base of an invite link's API: the token is in the path; wrong tokens are counted like wrong
    passwords (429 past the budget); a withdrawn, used or expired invite answers 410."""

    error_statuses = (410, 429)

    def invite(self, request, token):
        return invites.find_invite(request, token)


class InviteInfoView(InviteLinkView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=InviteInfoSerializer, description="What an invite link offers: the project, the role, who sent it.")
    def get(self, request, token):
        invite = self.invite(request, token)
        invites.check_open(invite)
        return Response(
            InviteInfoSerializer(
                {
                    "project": invite.project_id,
                    "project_name": invite.project.name,
                    "role": invite.role,
                    "email": invite.email,
                    "invited_by": invite.created_by and (invite.created_by.get_full_name() or invite.created_by.username),
                    "expires_at": invite.expires_at,
                }
            ).data
        )


class InviteAcceptView(InviteLinkView):
    """A signed-in person takes the invite: they join the project with its role."""

    @extend_schema(request=None, responses=JoinedSerializer)
    def post(self, request, token):
        membership = invites.accept_invite(self.invite(request, token), request.user)
        return Response({"project": membership.project_id, "role": membership.role})


class SignedUpSerializer(SessionUserSerializer):
    project = serializers.IntegerField(help_text="The project the invite brought them into.")


class InviteSignUpView(InviteLinkView):
    """A new studio login made through an invite: they are signed in and in the project at once.
    The password must pass the studio's password rules (400 with the field's messages)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=SignUpSerializer, responses={201: SignedUpSerializer})
    def post(self, request, token):
        # No account yet, but it signs in with a session: the form must come from our own page.
        check = CSRFCheck(lambda req: None)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason is not None:
            raise PermissionDenied("Reload the page and try again (the form's security check failed).")
        invite = self.invite(request, token)
        invites.check_open(invite)
        body = SignUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = invites.sign_up(invite, data["username"], data["email"], data["password"], data["first_name"], data["last_name"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response({**user_payload(user), "project": invite.project_id}, status=status.HTTP_201_CREATED)
