"""REST for reviews, share links, comments, annotations, approvals and exports; and the
share-link API a guest's browser uses (token in the path, identity in the session)."""

import io
from datetime import UTC, datetime

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from PIL import Image
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import CSRFCheck
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets import storage
from apps.assets.models import Asset
from apps.assets.services import url_for
from apps.assets.views import serve_local
from apps.boards.models import Panel, Scene, Shot
from apps.projects.access import require
from apps.projects.api import filter_by_ids
from apps.projects.ids import id_or_400
from apps.projects.limits import client_address
from apps.projects.permissions import APPROVE, ROLE_PERMISSIONS, SHARE, VIEW
from previs.timecode import timecode
from workers.exports.pdf import notes_pdf
from workers.renderers import annotations as drawing

from . import selectors, services
from .models import Annotation, Approval, Comment, Review, ShareLink
from .serializers import (
    AnnotationSerializer,
    ApprovalCreateSerializer,
    ApprovalSerializer,
    CommentSerializer,
    GuestSerializer,
    JoinSerializer,
    LinkInfoSerializer,
    ReviewContentSerializer,
    ReviewSerializer,
    SessionNotesSerializer,
    ShareLinkSerializer,
)


def scoped(queryset, request):
    return queryset.filter(project__memberships__user=request.user)


@extend_schema(parameters=[OpenApiParameter("project", int, required=False)])
class ReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Reviews: a scene's boards or chosen shots, reviewed live in a session or by a client link."""

    queryset = Review.objects.none()
    serializer_class = ReviewSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        queryset = scoped(Review.objects.select_related("project"), self.request)
        return filter_by_ids(queryset, self.request, ("project",)) if self.action == "list" else queryset

    def perform_create(self, serializer):
        # The project is among the caller's (the serializer looks only there); the share right is the service's.
        data = dict(serializer.validated_data)
        data.setdefault("title", "")
        data["title"] = data["title"] or services.default_title(data)
        serializer.instance = services.create_review(data, self.request.user)

    def perform_update(self, serializer):
        require(self.request.user, serializer.instance.project_id, SHARE)
        if "project" in serializer.validated_data and serializer.validated_data["project"].pk != serializer.instance.project_id:
            raise ValidationError({"project": ["A review stays in its project."]})
        serializer.save()

    def perform_destroy(self, instance):
        require(self.request.user, instance.project_id, SHARE)
        instance.delete()

    @extend_schema(
        responses=ReviewContentSerializer, description="Every shot under review with its picture, frames, fingerprint, comments, annotations and approvals."
    )
    @action(detail=True, methods=["get"])
    def content(self, request, pk=None):
        review = self.get_object()
        access = require(request.user, review.project_id, VIEW)
        return Response(services.review_content(review, access, url_for))

    @extend_schema(responses=SessionNotesSerializer, description="Session notes: every comment made in this review, shot by shot, with frames and timecode.")
    @action(detail=True, methods=["get"])
    def notes(self, request, pk=None):
        review = self.get_object()
        return Response({"review": review.pk, "title": review.title, "notes": services.session_notes(review)})

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, description="The session notes as a PDF, with the annotated frames.")
    @action(detail=True, methods=["get"], url_path="notes/pdf")
    def notes_pdf(self, request, pk=None):
        review = self.get_object()
        notes = services.session_notes(review)
        entries = notes_entries(Annotation.objects.filter(review=review), notes)
        data = notes_pdf(f"Review notes: {review.title}", f"{review.project.name} · {len(notes)} notes", entries)
        return pdf_response(data, f"review-{review.pk}-notes.pdf")


@extend_schema(parameters=[OpenApiParameter("project", int, required=False), OpenApiParameter("review", int, required=False)])
class ShareLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Client share links. The token comes back once, in the answer to the create."""

    queryset = ShareLink.objects.none()
    serializer_class = ShareLinkSerializer

    def get_queryset(self):
        # Only people who may share see links (one join: the caller's own membership).
        queryset = selectors.links_with_stats(ShareLink.objects).filter(
            project__memberships__user=self.request.user, project__memberships__role__in=share_roles()
        )
        return filter_by_ids(queryset, self.request, ("project", "review")) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        review = data.pop("review", None)
        scene, shots = data.pop("scene", None), data.pop("shots", None)
        if review is None:  # (a review given is one of the caller's: ShareLinkSerializer looks only there)
            review = self.review_to_share(scene, shots)
        serializer.instance = services.create_link(review, data, self.request.user)

    def review_to_share(self, scene_id, shot_ids):
        """A link to a scene or to some shots shows a review of them, made here."""
        if scene_id is not None:
            scene = Scene.objects.filter(pk=scene_id, project__memberships__user=self.request.user).first()
            if scene is None:
                raise ValidationError({"scene": ["No such scene in your projects."]})
            data = {"project": scene.project, "scene": scene}
        else:
            shots = list(Shot.objects.filter(pk__in=shot_ids, project__memberships__user=self.request.user).select_related("project"))
            projects = {shot.project_id for shot in shots}
            if len(shots) != len(set(shot_ids)) or len(projects) != 1:
                raise ValidationError({"shots": ["Choose shots of one of your projects."]})
            data = {"project": shots[0].project, "shot_ids": list(dict.fromkeys(shot_ids))}
        return services.create_review({**data, "title": services.default_title(data)}, self.request.user)

    @extend_schema(request=None, responses=ShareLinkSerializer, description="Revoke the link: refused everywhere from now, open sockets closed.")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        link = self.get_object()  # only people who may share see links: anyone else gets 404
        return Response(self.get_serializer(services.revoke_link(link, request.user)).data)


def share_roles():
    return [role for role, actions in ROLE_PERMISSIONS.items() if SHARE in actions]


@extend_schema(
    parameters=[
        OpenApiParameter("shot", int, required=False),
        OpenApiParameter("review", int, required=False),
        OpenApiParameter("project", int, required=False),
    ]
)
class CommentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Comments (written as room ops on the project or review socket)."""

    queryset = Comment.objects.none()
    serializer_class = CommentSerializer

    def get_queryset(self):
        queryset = scoped(Comment.objects.prefetch_related("mentions"), self.request)
        return filter_by_ids(queryset, self.request, ("project", "shot", "review")) if self.action == "list" else queryset


@extend_schema(
    parameters=[
        OpenApiParameter("shot", int, required=False),
        OpenApiParameter("review", int, required=False),
        OpenApiParameter("project", int, required=False),
    ]
)
class AnnotationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Annotations (written as room ops); each can be exported as the annotated frame."""

    queryset = Annotation.objects.none()
    serializer_class = AnnotationSerializer

    def get_queryset(self):
        queryset = scoped(Annotation.objects.select_related("asset", "shot"), self.request)
        return filter_by_ids(queryset, self.request, ("project", "shot", "review")) if self.action == "list" else queryset

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY}, description="The annotated frame as a PNG (the picture drawn on, with the marks).")
    @action(detail=True, methods=["get"])
    def image(self, request, pk=None):
        annotation = self.get_object()
        response = HttpResponse(drawing.png_bytes(annotated_frame(annotation)), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="shot-{annotation.shot.number}-frame-{annotation.frame}.png"'
        return response


@extend_schema(
    parameters=[
        OpenApiParameter("shot", int, required=False),
        OpenApiParameter("project", int, required=False),
        OpenApiParameter("scene", int, required=False, description="A board's approvals: every shot of the scene."),
    ]
)
class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Approval history (immutable records). Members with the approve right may record a
    decision here too; guests do it through their link's socket."""

    queryset = Approval.objects.none()
    serializer_class = ApprovalSerializer

    def get_queryset(self):
        queryset = scoped(Approval.objects.all(), self.request)
        if self.action == "list":
            queryset = filter_by_ids(queryset, self.request, ("project", "shot"))
            scene = self.request.query_params.get("scene")
            if scene is not None:
                queryset = queryset.filter(shot__scene_id=id_or_400(scene, "scene"))
        return queryset

    def get_serializer_class(self):
        return ApprovalCreateSerializer if self.action == "create" else ApprovalSerializer

    def create(self, request):
        body = ApprovalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shot = Shot.objects.filter(pk=body.validated_data["shot"], project__memberships__user=request.user).first()
        if shot is None:
            raise ValidationError({"shot": ["No such shot in your projects."]})
        access = require(request.user, shot.project_id, APPROVE)
        approval = services.record_decision(
            access, shot, body.validated_data["decision"], body.validated_data["fingerprint"], body.validated_data.get("comment", "")
        )
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


class ShotNotesView(APIView):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY}, description="A shot's notes as a PDF: annotated frames and every comment, with timecode."
    )
    def get(self, request, shot_id):
        shot = Shot.objects.filter(pk=shot_id, project__memberships__user=request.user).select_related("scene", "project").first()
        if shot is None:
            raise Http404
        notes = [services.note_of(comment, shot) for comment in Comment.objects.filter(shot=shot).order_by("frame", "created_at", "id")]
        entries = notes_entries(Annotation.objects.filter(shot=shot), notes)
        data = notes_pdf(f"Shot {shot.scene.number}/{shot.number} notes", f"{shot.project.name} · {shot.fps} fps", entries)
        return pdf_response(data, f"shot-{shot.scene.number}-{shot.number}-notes.pdf")


def notes_entries(annotations, notes):
    """PDF entries: each annotated frame with the notes pinned to it, then the other notes."""
    entries, used = [], set()
    frames = {}
    for annotation in annotations.select_related("shot", "shot__scene", "asset").order_by("shot_id", "frame", "id"):
        frames.setdefault((annotation.shot_id, annotation.asset_id, annotation.frame), annotation)
    for annotation in frames.values():
        shot = annotation.shot
        pinned = [note for note in notes if note["shot"] == shot.pk and note["frame"] == annotation.frame]
        used.update(id(note) for note in pinned)
        entries.append(
            {
                "heading": f"Shot {shot.scene.number}/{shot.number} · frame {annotation.frame} · {timecode(annotation.frame, shot.fps)}",
                "image": annotated_frame(annotation),
                "lines": [note_line(note) for note in pinned],
            }
        )
    rest = [note for note in notes if id(note) not in used]
    if rest:
        entries.append({"heading": "Notes", "lines": [f"{note['shot_number']}: {note_line(note)}" for note in rest]})
    return entries


def note_line(note):
    where = ""
    if note["timecode"]:
        where = f"[{note['timecode']}" + (f"–{note['timecode_end']}" if note.get("timecode_end") else "") + f", frame {note['frame']}] "
    return f"{where}{note['author']}: {note['body']}" + (" (resolved)" if note["resolved"] else "")


def annotated_frame(annotation):
    """The picture under an annotation with every mark made on that frame of that picture (all
    authors' drawings of one frame make one annotated frame)."""
    asset = annotation.asset
    if asset is None:
        picture = Image.new("RGB", (1280, 536), (40, 42, 48))  # drawn on an empty panel
    elif asset.kind == Asset.CLIP:
        picture = drawing.clip_frame(storage.read(asset.key), annotation.frame)
    else:
        picture = Image.open(io.BytesIO(storage.read(asset.key)))
    together = Annotation.objects.filter(shot_id=annotation.shot_id, asset_id=annotation.asset_id, frame=annotation.frame).order_by("created_at", "id")
    return drawing.draw_shapes(picture, [shape for row in together for shape in row.shapes])


def pdf_response(data, filename):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The guest's side: /api/share/<token>/… ----------------------------------------------------


class GuestView(APIView):
    """Base of the guest API: no account; the link's token is in the path."""

    authentication_classes = []
    permission_classes = [AllowAny]
    error_statuses = (410, 429)  # a revoked or expired link; too many wrong guesses (studio.openapi)

    def link(self, request, token):
        try:
            return services.open_link(token, request.session, client_address(request))
        except services.LinkRefused as refused:
            if refused.status == 404:
                raise Http404(refused.detail)
            response_error = PermissionDenied(refused.detail)
            response_error.status_code = 410
            raise response_error

    def guest_access(self, request, token):
        link = self.link(request, token)
        guest = services.guest_of(link, request.session)
        if guest is None:
            raise NotAuthenticated("Open the link and tell us your name first.")
        return link, services.guest_access(link, guest)

    def enforce_csrf(self, request):
        # No account, but a cookie session: a write must come from our own page.
        check = CSRFCheck(lambda req: None)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            raise PermissionDenied(f"CSRF failed: {reason}")


class ShareLinkInfoView(GuestView):
    @extend_schema(responses=LinkInfoSerializer, description="What the link shows and whether it needs a passphrase; counts an open.")
    def get(self, request, token):
        link = self.link(request, token)
        services.count_open(link)
        guest = services.guest_of(link, request.session)
        return Response(
            {
                "project_name": link.project.name,
                "review_title": link.review.title,
                "scope": link.scope,
                "needs_passphrase": bool(link.passphrase),
                "expires_at": link.expires_at,
                "watermark": link.watermark,
                "guest": {"name": guest.name, "email": guest.email} if guest else None,
                "review": link.review_id,
            }
        )


class ShareJoinView(GuestView):
    @extend_schema(request=JoinSerializer, responses={201: GuestSerializer}, description="Give a name (and the passphrase, if the link has one) once.")
    def post(self, request, token):
        self.enforce_csrf(request)
        link = self.link(request, token)
        body = JoinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            guest = services.join_link(link, request.session, **body.validated_data, address=client_address(request))
        except PermissionDenied:
            raise ValidationError({"passphrase": ["That passphrase is not right."]})
        return Response({"name": guest.name, "email": guest.email}, status=status.HTTP_201_CREATED)


class ShareContentView(GuestView):
    @extend_schema(responses=ReviewContentSerializer, description="The review's content, as far as the link covers it.")
    def get(self, request, token):
        link, access = self.guest_access(request, token)
        return Response(services.review_content(link.review, access, lambda asset: f"/api/share/{token}/assets/{asset.pk}/"))


class ShareAssetView(GuestView):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="A picture or clip of a shot the link covers; pictures carry the guest's watermark if the link asks for it.",
    )
    def get(self, request, token, asset_id):
        link, access = self.guest_access(request, token)
        covered = services.covered_shot_ids(link.review_id)
        asset = (
            Asset.objects.filter(pk=asset_id, project_id=link.project_id)
            .filter(
                Q(pk__in=Panel.objects.filter(shot_id__in=covered).values("image_id"))
                # Its clips, and its frame renders (a review shows a shot's newest frame where no
                # panel picture was chosen).
                | Q(kind__in=(Asset.CLIP, Asset.FRAME), render_job__shot_id__in=covered)
            )
            .first()
        )
        if asset is None:
            raise Http404
        if link.watermark and asset.content_type.startswith("image/"):
            # Stamped to the minute: a guest paging through boards gets each stamped picture
            # once a minute, not re-drawn on every request.
            minute = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
            key = f"watermarked:{asset.pk}:{access.guest.pk}:{minute}"
            data = cache.get(key)
            if data is None:
                stamp = f"{access.guest.name} · {minute} UTC · {link.project.name}"
                data = drawing.png_bytes(drawing.watermark(Image.open(io.BytesIO(storage.read(asset.key))), stamp))
                cache.set(key, data, timeout=120)
            response = HttpResponse(data, content_type="image/png")
            response["Cache-Control"] = "private, max-age=60"
            return response
        if storage.is_remote():
            return HttpResponseRedirect(storage.presigned_url(asset.key))
        return serve_local(request, asset)
