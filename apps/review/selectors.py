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

from .models import Approval, Comment


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
    "number",
    "description",
    "dialogue",
    "shot_size",
    "framing",
    "angle",
    "movement",
    "rig",
    "lens_mm",
    "sensor",
    "aspect_ratio",
    "fps",
    "duration_s",
    "props",
    "camera_spec",
    "location_id",
)


class ShotMedia:
    """What a shot shows in review besides its panels' own pictures: its newest finished clip and
    frame renders (each an Asset with the job that made it) and whether each was rendered from the
    shot's current camera-and-blocking spec."""

    def __init__(self, clip=None, frame=None, clip_current=True, frame_current=True):
        self.clip, self.frame = clip, frame
        self.clip_current, self.frame_current = clip_current, frame_current


def current_spec(shot):
    """The spec a render of the shot would use now (None when its stored spec cannot be read)."""
    from rest_framework.exceptions import ValidationError

    from apps.boards.services import render_spec_for

    try:
        return render_spec_for(shot)
    except ValidationError:
        return None


def latest_renders(shots):
    """Each shot's newest finished clip and frame render, by when the job finished (a render
    that reused an earlier one's bytes counts as new: after a camera is changed back, the
    matching older clip is the current one again). {shot id: ShotMedia}.

    A job stores the spec it was made from; one made from another spec than the shot's current
    one (an older camera, blocking, lens or timing) is out of date."""
    from apps.renders.models import RenderJob

    shots = list(shots)
    jobs = (
        RenderJob.objects.filter(shot_id__in=[shot.pk for shot in shots], status=RenderJob.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values_list("id", "shot_id", "kind", "reused_from_id")
    )
    candidates = {}  # (shot, kind) -> [(job id, source job id)] newest first
    for job_id, shot_id, kind, reused_from in jobs:
        candidates.setdefault((shot_id, kind), []).append((job_id, reused_from or job_id))
    sources = {source for rows in candidates.values() for _, source in rows}
    wanted = {RenderJob.CLIP: Asset.CLIP, RenderJob.FRAME: Asset.FRAME}
    outputs = {}
    for asset in Asset.objects.filter(render_job_id__in=sources, kind__in=wanted.values()).order_by("id"):
        outputs.setdefault((asset.render_job_id, asset.kind), asset)
    chosen = {}  # (shot, kind) -> (job id, asset)
    for (shot_id, kind), rows in candidates.items():
        for job_id, source in rows:
            # A job whose bytes were already stored (same picture) has no output of its own; the
            # next older one is what the shot shows.
            asset = outputs.get((source, wanted.get(kind)))
            if asset is not None:
                chosen[(shot_id, kind)] = (job_id, asset)
                break
    specs = dict(RenderJob.objects.filter(pk__in=[job_id for job_id, _ in chosen.values()]).values_list("id", "spec"))
    media = {}
    for shot in shots:
        clip, frame = chosen.get((shot.pk, RenderJob.CLIP)), chosen.get((shot.pk, RenderJob.FRAME))
        spec = current_spec(shot) if clip or frame else None
        media[shot.pk] = ShotMedia(
            clip=clip[1] if clip else None,
            frame=frame[1] if frame else None,
            clip_current=bool(clip) and spec is not None and specs.get(clip[0]) == spec,
            frame_current=bool(frame) and spec is not None and specs.get(frame[0]) == spec,
        )
    return media


def slides(panels, media):
    """What a review shows of a shot without a clip, slide by slide: (panel or None, asset or
    None, made from a render?). A panel shows the picture chosen for it; a panel without one, or
    a shot without panels, shows the shot's newest finished frame render, so a shot with renders
    is never a blank slide."""
    if not panels:
        return [(None, media.frame, True)] if media.frame is not None else []
    return [(panel, panel.image, False) if panel.image_id else (panel, media.frame, media.frame is not None) for panel in panels]


def reviewed_content(shot, panels, media):
    content = {
        "shot": {name: getattr(shot, name) for name in FINGERPRINT_FIELDS},
        "characters": sorted(character.pk for character in shot.characters.all()),
        "panels": [
            {"id": panel.pk, "image_sha256": panel.image.sha256 if panel.image_id else None, "duration_s": panel.duration_s, "caption": panel.caption}
            for panel in panels
        ],
        "clip_sha256": media.clip.sha256 if media.clip else None,
    }
    if any(rendered for _, _, rendered in slides(panels, media)):
        # Only when a render stands in for a missing panel picture (so decisions made before
        # renders were shown keep their fingerprints): the frame the reviewer saw.
        content["render_frame_sha256"] = media.frame.sha256
    return content


def fingerprint_of(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def shots_with_media(shot_ids, shots=None):
    """Shots by id (with characters), their panels in order, their newest renders (ShotMedia).
    `shots`: the rows when the caller already has them."""
    if shots is None:
        shots = list(Shot.objects.filter(pk__in=shot_ids).select_related("scene"))
    prefetch_related_objects(shots, "characters")
    panels = {}
    for panel in Panel.objects.filter(shot_id__in=shot_ids).select_related("image__render_job").order_by("rank", "id"):
        panels.setdefault(panel.shot_id, []).append(panel)
    return {shot.pk: shot for shot in shots}, panels, latest_renders(shots)


def current_fingerprints(shot_ids):
    shots, panels, media = shots_with_media(shot_ids)
    return {pk: fingerprint_of(reviewed_content(shot, panels.get(pk, []), media[pk])) for pk, shot in shots.items()}


def approval_states(shot_ids):
    """The latest decision on each shot and whether it is stale (the shot's fingerprint moved on
    since), as the shot list shows it: {shot id: {decision, stale, by, at} or None}. The same
    rule as an approval's `stale` in the review, so the two never disagree."""
    latest = {}
    for approval in (
        Approval.objects.filter(shot_id__in=shot_ids).order_by("-created_at", "-id").only("shot_id", "decision", "fingerprint", "author_name", "created_at")
    ):
        latest.setdefault(approval.shot_id, approval)
    current = current_fingerprints(list(latest)) if latest else {}
    return {
        pk: {"decision": row.decision, "stale": current.get(pk) != row.fingerprint, "by": row.author_name, "at": row.created_at}
        if (row := latest.get(pk))
        else None
        for pk in shot_ids
    }
