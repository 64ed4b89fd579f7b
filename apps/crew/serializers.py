from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from apps.projects.models import Membership
from apps.projects.permissions import MANAGE_MEMBERS, ROLES, grantable_roles, may_change_membership, role_allows
from apps.projects.services import check_new_password

from .models import Invite


def _name(user):
    return None if user is None else (user.get_full_name() or user.username)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.SerializerMethodField()
    grantable_roles = serializers.SerializerMethodField(help_text="The roles you may give this member (empty: you may not change their role).")
    removable = serializers.SerializerMethodField(help_text="Whether you may remove this member (anyone may leave).")

    class Meta:
        model = Membership
        fields = ("id", "project", "user", "username", "display_name", "role", "grantable_roles", "removable", "created_at")
        read_only_fields = ("id", "project", "user", "username", "display_name", "grantable_roles", "removable", "created_at")

    def get_display_name(self, membership) -> str:
        return _name(membership.user)

    # What the caller may do to each membership, from the one rule (permissions.grantable_roles),
    # so the members screen offers exactly what the server would accept.
    def get_grantable_roles(self, membership) -> list[str]:
        return grantable_roles(self.context.get("caller_role"), membership.role)

    def get_removable(self, membership) -> bool:
        caller_role = self.context.get("caller_role")
        if membership.user_id == self.context.get("caller_id"):
            return True
        return role_allows(caller_role, MANAGE_MEMBERS) and may_change_membership(caller_role, membership.role, None)


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="The person's studio login.")
    role = serializers.ChoiceField(choices=ROLES)

    def validate_username(self, value):
        user = get_user_model().objects.filter(username=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError("No studio user has that login.")
        return user


class InviteSerializer(serializers.ModelSerializer):
    # Plain text, not an email field: an invite by link has none, and "" is no address.
    email = serializers.CharField(read_only=True, help_text="Who it was sent to; empty for an invite by link.")
    status = serializers.SerializerMethodField(help_text="pending, accepted, revoked or expired.")
    invited_by = serializers.SerializerMethodField()
    accepted_by = serializers.SerializerMethodField()

    class Meta:
        model = Invite
        fields = ("id", "project", "role", "email", "status", "invited_by", "created_at", "expires_at", "accepted_by", "accepted_at", "revoked_at")
        read_only_fields = fields

    def get_status(self, invite) -> str:
        return invite.status_at(timezone.now())

    def get_invited_by(self, invite) -> str | None:
        return _name(invite.created_by)

    def get_accepted_by(self, invite) -> str | None:
        return _name(invite.accepted_by)


class InviteCreatedSerializer(InviteSerializer):
    url = serializers.CharField(read_only=True, help_text="The invite link. Shown only now: the studio keeps no copy of it.")
    mailed = serializers.BooleanField(read_only=True, help_text="Whether the link was emailed (false for an invite by link, or when the mail server refused).")

    class Meta(InviteSerializer.Meta):
        fields = (*InviteSerializer.Meta.fields, "url", "mailed")
        read_only_fields = fields


class InviteCreateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLES, error_messages={"invalid_choice": "Choose owner, director, editor or viewer."})
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        max_length=254,
        default="",
        help_text="Whom to mail the link to; leave empty to copy the link and hand it on yourself.",
        error_messages={"invalid": "That is not an email address."},
    )


class InviteInfoSerializer(serializers.Serializer):
    """What an invite link shows before anyone signs in: the project, the role, who sent it."""

    project = serializers.IntegerField()
    project_name = serializers.CharField()
    role = serializers.ChoiceField(choices=ROLES)
    email = serializers.CharField(help_text="The address it was sent to; empty for an invite by link.")
    invited_by = serializers.CharField(allow_null=True)
    expires_at = serializers.DateTimeField()


class SignUpSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, help_text="The login to sign in with.", error_messages={"blank": "Choose a login.", "required": "Choose a login."}
    )
    email = serializers.EmailField(
        max_length=254,
        error_messages={
            "blank": "Enter your email address (for password resets).",
            "required": "Enter your email address (for password resets).",
            "invalid": "That is not an email address.",
        },
    )
    password = serializers.CharField(max_length=1024, trim_whitespace=False, error_messages={"blank": "Choose a password.", "required": "Choose a password."})
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="", help_text="How the crew sees you (first and last name).")

    def validate_username(self, value):
        User = get_user_model()
        try:
            User.username_validator(value)
        except DjangoValidationError:
            raise serializers.ValidationError("Use letters, digits and @ . + - _ only.")
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("That login is taken; choose another.")
        return value

    def validate(self, data):
        first, _, last = data.get("name", "").strip().partition(" ")
        data["first_name"], data["last_name"] = first, last.strip()
        check_new_password(data["password"], get_user_model()(username=data["username"], email=data["email"], first_name=first, last_name=last))
        return data


class JoinedSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    role = serializers.ChoiceField(choices=ROLES)
