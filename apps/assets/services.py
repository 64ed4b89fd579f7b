"""Creating asset rows for stored bytes. Idempotent: the same bytes give the same row."""

from django.db import IntegrityError, transaction

from . import storage
from .models import Asset
from .validation import inspect_audio, inspect_image


def store_asset(*, project_id, kind, data, content_type, created_by=None, render_job=None, width=None, height=None, duration_s=None):
    key, digest = storage.put(data, content_type)
    existing = Asset.objects.filter(project_id=project_id, sha256=digest, kind=kind).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Asset.objects.create(
                project_id=project_id,
                kind=kind,
                key=key,
                content_type=content_type,
                width=width,
                height=height,
                duration_s=duration_s,
                byte_size=len(data),
                sha256=digest,
                created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
                render_job=render_job,
            )
    except IntegrityError:  # a concurrent retry stored the same bytes first
        return Asset.objects.get(project_id=project_id, sha256=digest, kind=kind)


def store_upload(*, project_id, data, created_by):
    content_type, width, height = inspect_image(data)
    return store_asset(project_id=project_id, kind=Asset.UPLOAD, data=data, content_type=content_type, created_by=created_by, width=width, height=height)


def store_audio_upload(*, project_id, data, created_by):
    """Scratch sound for the animatic: checked by its content (inspect_audio), stored like every upload."""
    content_type, duration_s = inspect_audio(data)
    return store_asset(project_id=project_id, kind=Asset.UPLOAD, data=data, content_type=content_type, created_by=created_by, duration_s=duration_s)


def url_for(asset):
    """Where the browser fetches the bytes: a presigned bucket URL, or our checked view."""
    if asset is None:
        return None
    if storage.is_remote():
        return storage.presigned_url(asset.key)
    return f"/api/assets/{asset.pk}/content/"
