from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.boards.serializers import BoardSceneSerializer, CharacterSerializer, LocationSerializer

from .api import BoundedText
from .models import Membership, Project
from .permissions import ROLE_PERMISSIONS, ROLES


class ProjectSerializer(BoundedText, serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in this project.")
    allowed = serializers.SerializerMethodField(help_text="What your role may do here.")

    class Meta:
        model = Project
        fields = ("id", "name", "description", "fps", "aspect_ratio", "sensor", "style_prompt", "seed", "role", "allowed", "last_seq", "version", "created_at", "updated_at")
        read_only_fields = ("id", "role", "allowed", "last_seq", "version", "created_at", "updated_at")

    def _role(self, project):
        roles = self.context.get("roles")
        if roles is not None and project.pk in roles:
            return roles[project.pk]
        user = self.context["request"].user
        return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()

    def get_role(self, project) -> str | None:
        return self._role(project)

    def get_allowed(self, project) -> list[str]:
        return sorted(ROLE_PERMISSIONS.get(self._role(project), ()))


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ("id", "project", "user", "username", "display_name", "role", "created_at")
        read_only_fields = ("id", "project", "user", "username", "display_name", "created_at")

    def get_display_name(self, membership) -> str:
        return membership.user.get_full_name() or membership.user.username


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="The person's studio login.")
    role = serializers.ChoiceField(choices=ROLES)

    def validate_username(self, value):
        user = get_user_model().objects.filter(username=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError("No studio user has that login.")
        return user


class SignInSerializer(serializers.Serializer):
    """A login and password, for the session sign-in and the token endpoint."""

    username = serializers.CharField(max_length=150, error_messages={"blank": "Enter your login.", "required": "Enter your login."})
    password = serializers.CharField(max_length=1024, trim_whitespace=False,
                                     error_messages={"blank": "Enter your password.", "required": "Enter your password."})


class BoardSerializer(serializers.Serializer):
    """A whole project board in one read: scenes → shots → panels, plus the library."""

    project = ProjectSerializer()
    scenes = BoardSceneSerializer(many=True)
    characters = CharacterSerializer(many=True)
    locations = LocationSerializer(many=True)
