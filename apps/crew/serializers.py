from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.projects.models import Membership
from apps.projects.permissions import ROLES


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
