from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.assets.serializers import AssetSerializer
from apps.projects.ids import IdField
from workers.exports.animatic import RESOLUTIONS, SOURCES
from workers.exports.pdf import LAYOUTS, ORIENTATIONS, PAPERS

from .models import Export


class ExportSerializer(serializers.ModelSerializer):
    output = serializers.SerializerMethodField(help_text="The document, once made: download it from its url.")
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = (
            "id",
            "project",
            "scene",
            "kind",
            "parameters",
            "status",
            "progress",
            "error",
            "filename",
            "output",
            "reused_from",
            "created_by",
            "created_by_name",
            "created_at",
            "finished_at",
        )
        read_only_fields = fields

    @extend_schema_field(AssetSerializer(allow_null=True))
    def get_output(self, export):
        return AssetSerializer(export.output).data if export.output_id else None

    def get_created_by_name(self, export) -> str:
        user = export.created_by
        return (user.get_full_name() or user.get_username()) if user else ""


class ExportParametersSerializer(serializers.Serializer):
    layout = serializers.ChoiceField(choices=sorted(LAYOUTS), required=False, help_text="Storyboards: panels a page.")
    orientation = serializers.ChoiceField(choices=sorted(ORIENTATIONS), required=False)
    paper = serializers.ChoiceField(choices=sorted(PAPERS), required=False)
    resolution = serializers.ChoiceField(choices=sorted(RESOLUTIONS), required=False, help_text="Animatic: 720p or 1080p.")
    burn_ins = serializers.BooleanField(required=False, help_text="Animatic: scene/shot number, timecode and project name on the picture.")
    watermark = serializers.CharField(required=False, allow_blank=True, max_length=80, help_text="Animatic: a name across the picture (who it was sent to).")
    source = serializers.ChoiceField(choices=list(SOURCES), required=False, help_text="Animatic: panels, or each shot's latest clip where it has one.")


class ExportCreateSerializer(serializers.Serializer):
    project = IdField()
    kind = serializers.ChoiceField(choices=Export.KINDS)
    scene = IdField(required=False, allow_null=True, help_text="The scene to export; left out, the whole film.")
    parameters = ExportParametersSerializer(required=False, help_text="PDF and animatic options; other kinds take none.")


class ShotListImportSerializer(serializers.Serializer):
    project = IdField()
    file = serializers.FileField(help_text="A shot-list CSV (UTF-8), with the columns of the shot-list export.")
    apply = serializers.BooleanField(default=False, help_text="False: only say what would change. True: write it (all rows or none).")


class ShotListChangeSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    scene = serializers.CharField()
    shot = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])
    new_scene = serializers.BooleanField(help_text="The scene does not exist yet and is added.")
    changes = serializers.DictField(child=serializers.DictField(), help_text="Field → {from, to}.")


class ShotListImportResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    rows = ShotListChangeSerializer(many=True)


class CutImportSerializer(serializers.Serializer):
    project = IdField()
    scene = IdField(required=False, allow_null=True, help_text="The scene the cut is of; left out, the clips may come from any scene.")
    file = serializers.FileField(help_text="The editor's cut: OpenTimelineIO (.otio), CMX 3600 EDL (.edl) or FCP 7 XML (.xml).")
    apply = serializers.BooleanField(default=False, help_text="False: only say what would change. True: write it (all or nothing).")


class CutShotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    position = serializers.IntegerField(help_text="Place in the scene after the cut (1 = first).")
    was_position = serializers.IntegerField(help_text="Place in the scene before.")
    frames = serializers.IntegerField(help_text="Length at the project's rate.")
    from_duration_s = serializers.FloatField()
    to_duration_s = serializers.FloatField()


class CutDroppedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class CutSceneSerializer(serializers.Serializer):
    number = serializers.CharField()
    shots = CutShotSerializer(many=True, help_text="The scene's shots in the cut, in its order.")
    dropped = CutDroppedSerializer(many=True, help_text="Shots the cut left out: kept, marked not in cut.")


class CutUnmatchedSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The clip's place on the cut's track (1 = first).")
    name = serializers.CharField()
    reel = serializers.CharField()


class CutImportResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    format = serializers.ChoiceField(choices=["otio", "edl", "fcp_xml"])
    rate = serializers.CharField(help_text="The cut's frame rate.")
    converted = serializers.BooleanField(help_text="The cut runs at another rate; lengths were converted to the project's.")
    note = serializers.CharField(allow_blank=True)
    scenes = CutSceneSerializer(many=True)
    unmatched = CutUnmatchedSerializer(many=True, help_text="Clips that match no shot (left alone).")
