"""Writes and rules of review and approval.

Comments, annotations and approvals are written through apps.changes.editing (or, for the
immutable approvals, straight to the change log), so they reach every socket in the project's
room and every review session covering the shot, exactly as they are stored.
"""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from apps.boards import services as boards
from apps.boards.models import Shot
from apps.changes import editing
from apps.changes.broadcast import broadcast_to_group
from apps.changes.log import lock_project, record_change
from apps.projects import limits
from apps.projects.access import Access, access_for, authorize
from apps.projects.permissions import APPROVE, COMMENT, GUEST, SHARE
from previs.timecode import frames_in, timecode

from . import selectors
from .models import Annotation, Approval, Comment, Guest, Review, ShareLink
from .serializers import AnnotationSerializer, ApprovalSerializer, CommentSerializer

TOKEN_BYTES = 32  # 256 random bits (the brief asks for at least 128)
SESSION_KEY = "share_guests"  # Django session: {link id: guest id} for links this browser joined


# --- Reviews -----------------------------------------------------------------------------------


def review_shots(review):
    """The shots under review, in review order."""
    if review.scene_id is not None:
        return list(Shot.objects.filter(scene_id=review.scene_id).select_related("scene").order_by("rank", "id"))
    by_id = {shot.pk: shot for shot in Shot.objects.filter(project_id=review.project_id, pk__in=review.shot_ids).select_related("scene")}
    return [by_id[pk] for pk in review.shot_ids if pk in by_id]


def covered_shot_ids(review_id):
    review = Review.objects.only("scene_id", "shot_ids", "project_id").get(pk=review_id)
    if review.scene_id is not None:
        return set(Shot.objects.filter(scene_id=review.scene_id).values_list("pk", flat=True))
    return set(Shot.objects.filter(project_id=review.project_id, pk__in=review.shot_ids).values_list("pk", flat=True))


def create_review(data, user):
    """A review of a scene or of chosen shots: starting one is the share right (directors and
    owners), checked here whatever asks."""
    authorize(user, data["project"].pk, SHARE, guests=False)
    return Review.objects.create(created_by=user, **data)


def default_title(data):
    if data.get("scene") is not None:
        scene = data["scene"]
        return f"Scene {scene.number} boards"
    return f"{len(data.get('shot_ids', []))} shots"


# --- Share links -------------------------------------------------------------------------------


class LinkRefused(Exception):
    """A share link that cannot be used: unknown (404), expired or revoked (410)."""

    def __init__(self, status, detail):
        super().__init__(detail)
        self.status, self.detail = status, detail


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(review, data, user):
    authorize(user, review.project_id, SHARE, guests=False)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    passphrase = data.pop("passphrase", "") or ""
    link = ShareLink.objects.create(
        project_id=review.project_id,
        review=review,
        created_by=user,
        token_hash=hash_token(token),
        passphrase=make_password(passphrase) if passphrase else "",
        **data,
    )
    link.plain_token = token  # shown once, in the answer to the create; never stored
    return link


def find_link(token):
    """The usable link for a token, or LinkRefused."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkRefused(404, "No such link.")
    link = ShareLink.objects.select_related("review", "project").filter(token_hash=hash_token(token)).first()
    if link is None:
        raise LinkRefused(404, "No such link.")
    status = selectors.link_status(link)
    if status != "active":
        raise LinkRefused(410, f"This link has been {'revoked' if status == 'revoked' else 'expired'}; ask the production for a new one.")
    return link


def count_open(link):
    ShareLink.objects.filter(pk=link.pk).update(opens=F("opens") + 1)


# Guess limits (apps.projects.limits): wrong tokens and passphrases count against the caller's
# address, and wrong passphrases against the link too, so guessers spread over many addresses
# lock the link (for SHARE_LINK_LOCK_S) instead of getting unlimited tries.
ADDRESS_BUDGET = "share-address"
LINK_BUDGET = "share-link"


def _count_address_miss(address):
    limits.count_miss(ADDRESS_BUDGET, address, settings.SHARE_GUESS_LIMIT, settings.SHARE_GUESS_WINDOW_S)


def open_link(token, session, address):
    """The usable link for `token`, as the share API sees it: LinkRefused (404, 410), or
    Throttled once `address` has guessed wrong too often. A browser that already joined a live
    link is never throttled: guessers behind the same NAT do not lock out the guests watching."""
    try:
        link, refused = find_link(token), None
    except LinkRefused as error:
        link, refused = None, error
    if link is None or guest_of(link, session) is None:
        limits.refuse_if_spent(
            ADDRESS_BUDGET,
            address,
            settings.SHARE_GUESS_LIMIT,
            settings.SHARE_GUESS_WINDOW_S,
            "Too many wrong links or passphrases from your address; try again later.",
        )
    if refused is not None:
        if refused.status == 404:
            _count_address_miss(address)
        raise refused
    return link


def join_link(link, session, name, email="", passphrase="", address="unknown"):
    """Record a guest (name, optional email) on this browser's session; check the passphrase."""
    if link.passphrase:
        limits.refuse_if_spent(
            LINK_BUDGET,
            link.pk,
            settings.SHARE_LINK_GUESS_LIMIT,
            settings.SHARE_LINK_LOCK_S,
            "Too many wrong passphrases for this link; it takes new guests again in a few minutes.",
        )
        if not check_password(passphrase or "", link.passphrase):
            limits.count_miss(LINK_BUDGET, link.pk, settings.SHARE_LINK_GUESS_LIMIT, settings.SHARE_LINK_LOCK_S)
            _count_address_miss(address)
            raise PermissionDenied("That passphrase is not right.")
    guest = Guest.objects.create(link=link, name=name.strip(), email=email or "")
    joined = dict(session.get(SESSION_KEY, {}))
    joined[str(link.pk)] = guest.pk
    session[SESSION_KEY] = joined
    return guest


def guest_of(link, session):
    """The guest this browser joined the link as, or None."""
    guest_id = (session.get(SESSION_KEY) or {}).get(str(link.pk)) if session is not None else None
    if guest_id is None:
        return None
    return Guest.objects.filter(pk=guest_id, link=link).first()


def guest_access(link, guest):
    return Access(project_id=link.project_id, role=GUEST, guest=guest, scope=link.scope, review_id=link.review_id, link_id=link.pk, expires_at=link.expires_at)


def session_access(user, session, review):
    """The Access of whoever opens a review socket: a member of its project, or a guest who
    joined a link to this review in this browser session (and the link is still usable)."""
    access = access_for(user, review.project_id)
    if access is not None:
        return Access(project_id=access.project_id, role=access.role, user=access.user, review_id=review.pk)
    joined = (session.get(SESSION_KEY) or {}) if session is not None else {}
    for link in ShareLink.objects.filter(pk__in=[int(pk) for pk in joined], review=review):
        if selectors.link_status(link) == "active":
            guest = Guest.objects.filter(pk=joined[str(link.pk)], link=link).first()
            if guest is not None:
                return guest_access(link, guest)
    return None


def link_group(link_id):
    return f"share-link.{link_id}"


def revoke_link(link, user):
    """Revoke now: every API call with the link is refused from here on, and the link's open
    sockets are closed at once (on every web process, through the channel layer)."""
    authorize(user, link.project_id, SHARE, guests=False)
    with transaction.atomic():
        ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        transaction.on_commit(lambda: broadcast_to_group(link_group(link.pk), {"type": "review.link_closed", "reason": "revoked"}))
    link.refresh_from_db()
    return link


def review_content(review, access, media_url):
    """Everything a review page shows: each shot with its picture (clip or boards), frame
    counts, fingerprint, comments, annotations and approvals. `media_url(asset)` says where
    this caller fetches bytes (members and guests differ)."""
    ordered = review_shots(review)
    ids = [shot.pk for shot in ordered]
    shots, panels, media = selectors.shots_with_media(ids, ordered)
    comments: dict[int, list[dict[str, Any]]] = {}
    annotations: dict[int, list[dict[str, Any]]] = {}
    approvals: dict[int, list[Approval]] = {}
    context = {"project_id": review.project_id, "fingerprints": {}}
    for comment in Comment.objects.filter(shot_id__in=ids).prefetch_related("mentions"):
        comments.setdefault(comment.shot_id, []).append(CommentSerializer(comment, context=context).data)
    for annotation in Annotation.objects.filter(shot_id__in=ids):
        annotations.setdefault(annotation.shot_id, []).append(AnnotationSerializer(annotation, context=context).data)
    for approval in Approval.objects.filter(shot_id__in=ids):
        approvals.setdefault(approval.shot_id, []).append(approval)
    items = []
    for pk in ids:
        shot = shots[pk]
        shot_panels, shot_media = panels.get(pk, []), media[pk]
        content = selectors.reviewed_content(shot, shot_panels, shot_media)
        context["fingerprints"][pk] = selectors.fingerprint_of(content)
        spec = None
        start, board = 0, []
        for panel, picture, rendered in selectors.slides(shot_panels, shot_media):
            count = frames_in(panel.duration_s if panel else shot.duration_s, shot.fps)
            if rendered:
                out_of_date = not shot_media.frame_current
            elif picture is not None and picture.render_job_id is not None:
                # A frame of the render history chosen as the panel's picture: as current as
                # the render it came from.
                spec = spec if spec is not None else selectors.current_spec(shot)
                out_of_date = picture.render_job.spec != spec
            else:
                out_of_date = False  # an uploaded drawing or photo is not rendered from the spec
            board.append(
                {
                    "id": panel.pk if panel else None,
                    "asset": picture.pk if picture else None,
                    "url": media_url(picture) if picture else None,
                    "sha256": picture.sha256 if picture else None,
                    "caption": panel.caption if panel else "",
                    "start": start,
                    "frames": count,
                    "source": ("render" if rendered else "panel") if picture else "none",
                    "out_of_date": out_of_date,
                }
            )
            start += count
        clip = None
        if shot_media.clip is not None:
            asset = shot_media.clip
            clip = {
                "asset": asset.pk,
                "url": media_url(asset),
                "sha256": asset.sha256,
                "frames": frames_in(asset.duration_s or shot.duration_s, shot.fps),
                "out_of_date": not shot_media.clip_current,
            }
        items.append(
            {
                "shot": {
                    "id": shot.pk,
                    "number": shot.number,
                    "scene": shot.scene_id,
                    "scene_number": shot.scene.number,
                    "scene_heading": f"{shot.scene.get_setting_display()} {shot.scene.get_time_of_day_display()}",
                    "description": shot.description,
                    "dialogue": shot.dialogue,
                    "shot_size": shot.shot_size,
                    "angle": shot.angle,
                    "movement": shot.movement,
                    "lens_mm": shot.lens_mm,
                    "aspect_ratio": shot.aspect_ratio,
                    "fps": shot.fps,
                    "duration_s": shot.duration_s,
                    "status": shot.status,
                    "version": shot.version,
                },
                "fingerprint": context["fingerprints"][pk],
                "frames": clip["frames"] if clip else max(start, 1),
                "clip": clip,
                "out_of_date": clip["out_of_date"] if clip else any(slide["out_of_date"] for slide in board),
                "panels": board,
                "comments": comments.get(pk, []),
                "annotations": annotations.get(pk, []),
                "approvals": [ApprovalSerializer(row, context=context).data for row in approvals.get(pk, [])],
            }
        )
    return {
        "review": {"id": review.pk, "title": review.title, "project": review.project_id, "project_name": review.project.name},
        "you": {"name": display_name(access), "guest": access.is_guest, "can_comment": access.allows(COMMENT), "can_approve": access.allows(APPROVE)},
        "items": items,
    }


def display_name(access):
    if access.is_guest:
        return access.guest.name
    return access.user.get_full_name() or access.user.username


# --- Comments, annotations, approvals (called by room ops; see apps.review.ops) -----------------


def check_covers(access, shot):
    """Guests act only on the shots their link covers, and only while the link is usable (its
    sockets are closed when it is revoked, but that message is best-effort: the write checks)."""
    if shot.project_id != access.project_id:
        raise Shot.DoesNotExist
    if access.is_guest:
        link = ShareLink.objects.filter(pk=access.link_id).first()
        if link is None or selectors.link_status(link) != "active":
            raise PermissionDenied("This link has been revoked or has expired.")
        if shot.pk not in covered_shot_ids(access.review_id):
            raise Shot.DoesNotExist


def is_author(access, row):
    if access.is_guest:
        return row.guest_id == access.guest.pk
    return row.author_id == access.user.pk


def authorship(access):
    return {"author": access.actor, "guest": access.guest, "author_name": display_name(access)}


def create_comment(access, shot, fields):
    if not access.allows(COMMENT):
        raise PermissionDenied("This link does not allow comments." if access.is_guest else "Your role may not comment.")
    check_covers(access, shot)
    parent, annotation = fields.get("parent"), fields.get("annotation")
    if parent is not None and parent.shot_id != shot.pk:
        raise ValidationError({"parent": ["Replies stay on the shot of their thread."]})
    if annotation is not None and annotation.shot_id != shot.pk:
        raise ValidationError({"annotation": ["That annotation is on another shot."]})
    mentions = fields.pop("mentions", [])
    if access.is_guest and mentions:
        raise ValidationError({"mentions": ["Guests cannot mention crew members."]})
    values = {**fields, **authorship(access), "project_id": shot.project_id, "shot": shot, "review_id": access.review_id}
    return editing.create(Comment, values, actor=access.actor, entity="comment", represent=represent_comment, m2m={"mentions": mentions})


def update_comment(access, comment, fields):
    if not access.allows(COMMENT):
        raise PermissionDenied("You may not change comments.")
    check_covers(access, comment.shot)
    if set(fields) - {"resolved"} and not is_author(access, comment):
        raise PermissionDenied("Only the author may change a comment; others may resolve or reopen it.")
    if "resolved" in fields:
        if access.is_guest and not is_author(access, comment):
            raise PermissionDenied("Guests may resolve only their own comments.")
        fields["resolved_by_name"] = display_name(access) if fields["resolved"] else ""
        fields["resolved_at"] = timezone.now() if fields["resolved"] else None
    mentions = fields.pop("mentions", None)
    m2m = {"mentions": mentions} if mentions is not None else None
    return editing.update_fields(comment, fields, actor=access.actor, expected_version=None, entity="comment", represent=represent_comment, m2m=m2m)


def delete_comment(access, comment):
    check_covers(access, comment.shot)
    if not (is_author(access, comment) or access.allows(APPROVE) and not access.is_guest):
        raise PermissionDenied("Only the author or a director may delete a comment.")
    editing.delete(comment, actor=access.actor, expected_version=None, entity="comment")


def create_annotation(access, shot, fields):
    if not access.allows(COMMENT):
        raise PermissionDenied("This link does not allow drawing." if access.is_guest else "Your role may not annotate.")
    check_covers(access, shot)
    asset = fields.get("asset")
    values = {
        **fields,
        **authorship(access),
        "project_id": shot.project_id,
        "shot": shot,
        "review_id": access.review_id,
        "asset_sha256": asset.sha256 if asset else "",
    }
    return editing.create(Annotation, values, actor=access.actor, entity="annotation", represent=represent_annotation)


def update_annotation(access, annotation, fields):
    check_covers(access, annotation.shot)
    if not access.allows(COMMENT) or not is_author(access, annotation):
        raise PermissionDenied("Only the author may change a drawing.")
    if set(fields) - {"shapes"}:
        raise ValidationError({name: ["A drawing's picture and frame stay as drawn."] for name in set(fields) - {"shapes"}})
    return editing.update_fields(annotation, fields, actor=access.actor, expected_version=None, entity="annotation", represent=represent_annotation)


def delete_annotation(access, annotation):
    check_covers(access, annotation.shot)
    if not (is_author(access, annotation) or access.allows(APPROVE) and not access.is_guest):
        raise PermissionDenied("Only the author or a director may delete a drawing.")
    editing.delete(annotation, actor=access.actor, expected_version=None, entity="annotation")


def record_decision(access, shot, decision, fingerprint, comment="", review_id=None):
    """Record an approval or a request for changes against exactly what the reviewer saw.

    `fingerprint` is the one the reviewer's page was showing; if the shot has changed since,
    nothing is recorded and they are asked to look again. The shot's status follows the
    decision, so the shot list shows it."""
    if not access.allows(APPROVE):
        raise PermissionDenied("This link does not allow approving." if access.is_guest else "Your role may not approve.")
    check_covers(access, shot)
    with editing.write_transaction():
        lock_project(shot.project_id)
        shots, panels, media = selectors.shots_with_media([shot.pk])
        current = shots[shot.pk]
        content = selectors.reviewed_content(current, panels.get(shot.pk, []), media[shot.pk])
        if selectors.fingerprint_of(content) != fingerprint:
            raise ValidationError({"fingerprint": ["This shot changed after you loaded it; look at the new version before deciding."]})
        approval = Approval.objects.create(
            project_id=shot.project_id,
            shot=current,
            review_id=review_id or access.review_id,
            link_id=access.link_id,
            decision=decision,
            comment=comment,
            fingerprint=fingerprint,
            reviewed=content,
            **authorship(access),
        )
        record_change(
            shot.project_id, access.actor, "create", "approval", approval.pk, {"version": 1, "fields": ApprovalSerializer(approval).data}, shot_id=shot.pk
        )
        status = "approved" if decision == Approval.APPROVED else "changes_requested"
        if current.status != status:
            boards.follow_decision(access, current, status)
        return approval


def represent_comment(row, field_names):
    return CommentSerializer(row).data


def represent_annotation(row, field_names):
    return AnnotationSerializer(row).data


# --- Notes -------------------------------------------------------------------------------------


def note_of(comment, shot, order=0):
    """A comment as the notes list and PDFs show it: where (shot, frames, timecode), who, what."""
    return {
        "shot": shot.pk,
        "shot_number": f"{shot.scene.number}/{shot.number}",
        "order": order,
        "comment": comment.pk,
        "body": comment.body,
        "author": comment.author_name,
        "frame": comment.frame,
        "frame_end": comment.frame_end,
        "timecode": timecode(comment.frame, shot.fps) if comment.frame is not None else None,
        "timecode_end": timecode(comment.frame_end, shot.fps) if comment.frame_end is not None else None,
        "resolved": comment.resolved,
        "at": comment.created_at.isoformat(),
    }


def session_notes(review):
    """Every comment made in this review, shot by shot, with frames and timecode."""
    order = {shot.pk: index for index, shot in enumerate(review_shots(review))}
    comments = Comment.objects.filter(review=review).select_related("shot", "shot__scene").order_by("created_at", "id")
    notes = [note_of(comment, comment.shot, order.get(comment.shot_id, len(order))) for comment in comments]
    notes.sort(key=lambda note: (note["order"], note["frame"] if note["frame"] is not None else -1, note["at"]))
    return notes
