"""The lined script's REST shapes: the draft on its pages with the shots' lines, and the bodies
that line a shot or make a new shot from lines."""

from rest_framework import serializers

from apps.projects.ids import IdField

from .models import ELEMENT_KINDS


class LineRangeSerializer(serializers.Serializer):
    first = IdField(help_text="The first script element the shot covers (an element id from the draft's pages).")
    last = IdField(help_text="The last script element it covers: the same scene and draft, not before `first`.")


class PlacedElementSerializer(serializers.Serializer):
    """An element as printed: where it sits on its page, and its text broken into lines."""

    id = serializers.IntegerField()
    index = serializers.IntegerField(help_text="Its place in the draft.")
    kind = serializers.ChoiceField(choices=ELEMENT_KINDS)
    text = serializers.CharField(allow_blank=True)
    scene = serializers.IntegerField(allow_null=True, help_text="The studio's scene it belongs to (null before the first heading).")
    character = serializers.CharField(allow_blank=True)
    extension = serializers.CharField(allow_blank=True)
    dual = serializers.BooleanField()
    line = serializers.IntegerField(help_text="The page line its first text line is printed on (1-based).")
    wrapped = serializers.ListField(child=serializers.CharField(allow_blank=True), help_text="Its text as the typewriter breaks it into lines.")
    scene_number = serializers.CharField(allow_blank=True, help_text="Headings: the studio's scene number (printed on both sides); else empty.")
    left_in = serializers.FloatField(help_text="Its left margin, in inches from the page's left edge (screenplay margins).")
    right_in = serializers.FloatField(help_text="Where its lines end, in inches from the page's left edge.")


class ScriptPageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    elements = PlacedElementSerializer(many=True)


class CoverageLineSerializer(serializers.Serializer):
    """One shot's line on one page."""

    shot = serializers.IntegerField()
    number = serializers.CharField(help_text="The shot's number, the line's label.")
    page = serializers.IntegerField()
    lane = serializers.IntegerField(help_text="Lines that overlap stand side by side, lane 0 first.")
    x_in = serializers.FloatField(help_text="Where the line stands, in inches from the page's left edge.")
    top_line = serializers.IntegerField()
    bottom_line = serializers.IntegerField()
    starts = serializers.BooleanField(help_text="The shot starts on this page (its label is here).")
    ends = serializers.BooleanField(help_text="The shot ends on this page (else it runs on over the page).")
    wavy = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="Page lines [first, last] where the line is wavy: the speaker is off camera there (straight where who speaks is in the shot).",
    )


class LinedShotSerializer(serializers.Serializer):
    shot = serializers.IntegerField()
    number = serializers.CharField()
    scene = serializers.IntegerField()
    first = serializers.IntegerField()
    last = serializers.IntegerField()
    first_index = serializers.IntegerField()
    last_index = serializers.IntegerField()
    page = serializers.IntegerField()
    lines = serializers.IntegerField()


class LinedScriptSerializer(serializers.Serializer):
    script = serializers.IntegerField()
    page_width_in = serializers.FloatField(help_text="The paper (US letter), in inches.")
    page_height_in = serializers.FloatField()
    top_in = serializers.FloatField(help_text="Where page line 1 is printed, in inches from the top.")
    line_height_in = serializers.FloatField(help_text="12-pt Courier: six lines to the inch.")
    title = serializers.CharField()
    draft_name = serializers.CharField()
    revision_colour = serializers.CharField()
    lines_per_page = serializers.IntegerField()
    pages = ScriptPageSerializer(many=True)
    shots = LinedShotSerializer(many=True, help_text="The shots lined in this draft, in script order.")
    lines = CoverageLineSerializer(many=True, help_text="The coverage lines, page by page.")
