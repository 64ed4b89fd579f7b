from rest_framework import serializers

from apps.projects.ids import IdField

from .models import Asset
from .services import url_for


class AssetSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where the browser fetches the bytes (presigned in S3 mode).")

    class Meta:
        model = Asset
        fields = ("id", "project", "kind", "content_type", "width", "height", "duration_s", "byte_size", "sha256", "render_job", "url", "created_at")
        read_only_fields = fields

    def get_url(self, asset) -> str:
        return url_for(asset)


class AssetUploadSerializer(serializers.Serializer):
    project = IdField()
    image = serializers.FileField(help_text="PNG, JPEG or WebP; checked by its content, not its name.")
