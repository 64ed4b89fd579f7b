"""What the review app reads and derives without writing: a share link's status and stats, and
the fingerprint of what a reviewer saw. Serializers and services both use these, so they live
apart from both (no import cycle between services and serializers)."""

import hashlib
import json

from django.db.models import Count, OuterRef, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.assets.models import Asset
from apps.boards.models import Panel, Shot

from .models import Comment


def link_status(link, now=None):
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at is not None and link.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


def links_with_stats(queryset):
    """Share links with what link_stats needs loaded in the same few queries (a list of links
    costs no query per link)."""
    comments = Comment.objects.filter(guest__link=OuterRef("pk")).values("guest__link").annotate(n=Count("id")).values("n")
    return queryset.prefetch_related("guests", "approvals").annotate(guest_comments=Coalesce(Subquery(comments), 0))


def link_stats(link):
    comments = getattr(link, "guest_comments", None)
    return {
        "opens": link.opens,
        "guests": [{"name": guest.name, "email": guest.email, "first_seen": guest.created_at.isoformat()} for guest in link.guests.all()],
        "comments": comments if comments is not None else Comment.objects.filter(guest__link=link).count(),
        "decisions": [
            {"shot": approval.shot_id, "decision": approval.decision, "by": approval.author_name, "at": approval.created_at.isoformat()}
            for approval in link.approvals.all()
        ],
    }


# --- What was reviewed -------------------------------------------------------------------------

# The shot fields a reviewer judges: a change to any of them makes an earlier decision stale.
# Status (which a decision itself sets) and the crew's internal notes are not among them.
FINGERPRINT_FIELDS = (
    "number", "description", "dialogue", "shot_size", "framing", "angle", "movement", "rig", "lens_mm", "sensor",
    "aspect_ratio", "fps", "duration_s", "props", "camera_spec", "location_id",
)


def latest_clips(shot_ids):
    """The newest finished clip render of each shot: what a review plays."""
    clips = {}
    for asset in Asset.objects.filter(kind=Asset.CLIP, render_job__shot_id__in=shot_ids, render_job__status="succeeded").select_related("render_job").order_by("-created_at", "-id"):
        clips.setdefault(asset.render_job.shot_id, asset)
    return clips


def reviewed_content(shot, panels, clip):
    return {
        "shot": {name: getattr(shot, name) for name in FINGERPRINT_FIELDS},
        "characters": sorted(character.pk for character in shot.characters.all()),
        "panels": [{"id": panel.pk, "image_sha256": panel.image.sha256 if panel.image_id else None, "duration_s": panel.duration_s, "caption": panel.caption} for panel in panels],
        "clip_sha256": clip.sha256 if clip else None,
    }


def fingerprint_of(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def shots_with_media(shot_ids, shots=None):
    """Shots by id (with characters), their panels in order, their newest clips. `shots`: the
    rows when the caller already has them."""
    if shots is None:
        shots = list(Shot.objects.filter(pk__in=shot_ids).select_related("scene"))
    prefetch_related_objects(shots, "characters")
    panels = {}
    for panel in Panel.objects.filter(shot_id__in=shot_ids).select_related("image").order_by("rank", "id"):
        panels.setdefault(panel.shot_id, []).append(panel)
    return {shot.pk: shot for shot in shots}, panels, latest_clips(shot_ids)


def current_fingerprints(shot_ids):
    shots, panels, clips = shots_with_media(shot_ids)
    return {pk: fingerprint_of(reviewed_content(shot, panels.get(pk, []), clips.get(pk))) for pk, shot in shots.items()}
