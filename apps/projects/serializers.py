from rest_framework import serializers

from .api import BoundedText
from .models import Membership, Project
from .permissions import ROLE_PERMISSIONS, grantable_roles

SEED_MESSAGE = "A whole number from 0 to 2147483647 (the same number gives the same AI look)."


class ProjectSerializer(BoundedText, serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in this project.")
    allowed = serializers.SerializerMethodField(help_text="What your role may do here.")
    grantable_roles = serializers.SerializerMethodField(help_text="The roles you may invite people as (empty: you may not invite).")

    class Meta:
        model = Project
        fields = (
            "id",
            "name",
            "description",
            "fps",
            "aspect_ratio",
            "sensor",
            "style_prompt",
            "seed",
            "role",
            "allowed",
            "grantable_roles",
            "last_seq",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "role", "allowed", "grantable_roles", "last_seq", "version", "created_at", "updated_at")
        # The look seed in the crew's words ("may not be null" said nothing to anyone).
        extra_kwargs = {
            "seed": {
                "help_text": "Look seed: the same number gives the same AI look (the starting noise of styled renders).",
                "error_messages": {message: SEED_MESSAGE for message in ("invalid", "null", "min_value", "max_value", "max_string_length")},
            }
        }

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

    def get_grantable_roles(self, project) -> list[str]:
        return grantable_roles(self._role(project), None)


class SignInSerializer(serializers.Serializer):
    """A login and password, for the session sign-in and the token endpoint."""

    username = serializers.CharField(max_length=150, error_messages={"blank": "Enter your login.", "required": "Enter your login."})
    password = serializers.CharField(
        max_length=1024, trim_whitespace=False, error_messages={"blank": "Enter your password.", "required": "Enter your password."}
    )


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(
        max_length=254,
        error_messages={
            "blank": "Enter the email address of your login.",
            "required": "Enter the email address of your login.",
            "invalid": "That is not an email address.",
        },
    )


class PasswordResetSerializer(serializers.Serializer):
    """A new password for the login a reset link names (the link's two parts, as the email had them)."""

    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(max_length=1024, trim_whitespace=False, error_messages={"blank": "Choose a password.", "required": "Choose a password."})


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
