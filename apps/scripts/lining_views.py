"""The lined script over REST: the draft on its pages with the shots' lines, its PDF, a shot's
covered lines (set, clear) and a new shot from lines. Thin: apps.scripts.lining decides."""

from django.http import Http404, HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.boards.models import Shot
from apps.boards.serializers import ScriptLinesSerializer, ShotSerializer
from apps.projects.access import require
from apps.projects.ids import id_or_404
from apps.projects.permissions import EDIT

from . import lining
from .lining_serializers import LinedScriptSerializer, LineRangeSerializer


class LinedScriptActions:
    """Actions of the scripts viewset (apps.scripts.views.ScriptViewSet): its get_object scopes
    the draft to the caller's projects (another production's draft is a 404)."""

    @extend_schema(
        parameters=[],
        responses=LinedScriptSerializer,
        description="The draft laid out on its pages (12-pt Courier, ~55 lines a page, the writer's page breaks kept) with the script supervisor's coverage lines: one per shot lined in this draft.",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def pages(self, request, pk=None):
        return Response(LinedScriptSerializer(lining.lined_script(self.get_object())).data)

    @extend_schema(parameters=[], responses={(200, "application/pdf"): OpenApiTypes.BINARY}, description="The lined script as a PDF with vector text.")
    @action(detail=True, methods=["get"], url_path="lined-pdf", pagination_class=None)
    def lined_pdf(self, request, pk=None):
        script = self.get_object()
        response = HttpResponse(lining.lined_script_pdf(script), content_type="application/pdf")
        name = slugify(script.title or script.filename or "script") or "script"
        response["Content-Disposition"] = f'attachment; filename="{name}-lined.pdf"'
        return response

    @extend_schema(
        parameters=[],
        request=LineRangeSerializer,
        responses={201: ShotSerializer},
        description="A new shot in the lines' scene covering them (its action, dialogue and speakers taken from the lines), made like any shot: numbered, laid out, and heard live by the room.",
    )
    @action(detail=True, methods=["post"], url_path="new-shot", parser_classes=[JSONParser], pagination_class=None)
    def new_shot(self, request, pk=None):
        script = self.get_object()
        require(request.user, script.project_id, EDIT)
        body = LineRangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        first, last = body.validated_data["first"], body.validated_data["last"]
        in_draft = script.elements.filter(pk__in=[first, last]).values_list("pk", flat=True)
        for field, pk in (("first", first), ("last", last)):
            if pk not in in_draft:
                return Response({field: ["No such line in this draft."]}, status=status.HTTP_400_BAD_REQUEST)
        shot = lining.new_shot_from_lines(script.project_id, first, last, request.user)
        return Response(ShotSerializer(shot).data, status=status.HTTP_201_CREATED)


class ShotScriptLinesView(APIView):
    """The script lines a shot covers: set them (PUT) or clear them (DELETE)."""

    parser_classes = [JSONParser]

    def _shot(self, request, shot_id):
        shot = Shot.objects.filter(pk=id_or_404(shot_id), project__memberships__user=request.user).select_related("scene").first()
        if shot is None:
            raise Http404("No such shot.")
        require(request.user, shot.project_id, EDIT)
        return shot

    @extend_schema(
        request=LineRangeSerializer,
        responses=ScriptLinesSerializer,
        description="Line the shot through these script elements (one scene's, the shot's own, in order).",
    )
    def put(self, request, shot_id):
        shot = self._shot(request, shot_id)
        body = LineRangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shot = lining.set_lines(shot, body.validated_data["first"], body.validated_data["last"], request.user)
        return Response(ScriptLinesSerializer(shot.script_lines).data)

    @extend_schema(request=None, responses={204: None}, description="The shot covers no script lines any more.")
    def delete(self, request, shot_id):
        lining.clear_lines(self._shot(request, shot_id), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
