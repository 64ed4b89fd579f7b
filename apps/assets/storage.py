"""Object storage for media: one interface, two backends (local files or S3), chosen in settings.

Keys are content-addressed (`media/ab/abcdef….png`), so a retried upload or render writes the
same key with the same bytes and never duplicates anything. In S3 mode the browser fetches
bytes through short-lived presigned URLs straight from the bucket; in local mode Django streams
them from disk only after the same permission check (apps/assets/views.py).
"""

import hashlib
import mimetypes
from functools import lru_cache

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "application/pdf": ".pdf",
    "text/csv": ".csv",
    "application/json": ".json",
}


def media_storage():
    return storages["media"]


def is_remote():
    """True when media lives in an S3 bucket (the browser gets presigned URLs)."""
    return bool(settings.S3_BUCKET)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_for(sha256: str, content_type: str) -> str:
    extension = EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ""
    return f"media/{sha256[:2]}/{sha256}{extension}"


def put(data: bytes, content_type: str):
    """Store bytes under their content key; returns (key, sha256). Writing twice is harmless."""
    digest = sha256_of(data)
    key = key_for(digest, content_type)
    storage = media_storage()
    if not storage.exists(key):
        saved = storage.save(key, ContentFile(data))
        # FileSystemStorage renames on a race; the bytes are identical, so keep the canonical key.
        if saved != key:
            storage.delete(saved)
    return key, digest


def read(key: str) -> bytes:
    with media_storage().open(key, "rb") as handle:
        return handle.read()


def open_stream(key: str):
    return media_storage().open(key, "rb")


def exists(key: str) -> bool:
    return media_storage().exists(key)


def delete(key: str):
    media_storage().delete(key)


def presigned_url(key: str) -> str:
    """A short-lived URL the browser can GET directly (S3 mode only).

    Workers and the web server may reach the bucket on an internal address (http://minio:9000)
    that browsers cannot; S3_PUBLIC_ENDPOINT_URL names the address browsers use, and the URL is
    signed for that host.
    """
    storage = media_storage()
    if not settings.S3_PUBLIC_ENDPOINT_URL:
        return storage.url(key)
    return _public_client().generate_presigned_url(
        "get_object", Params={"Bucket": storage.bucket_name, "Key": key}, ExpiresIn=settings.MEDIA_URL_EXPIRY_SECONDS
    )


@lru_cache(maxsize=4)
def _public_client_for(endpoint, access_key, secret_key, region, addressing_style):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing_style}),
    )


def _public_client():
    options = settings.STORAGES["media"]["OPTIONS"]
    return _public_client_for(
        settings.S3_PUBLIC_ENDPOINT_URL,
        options.get("access_key"),
        options.get("secret_key"),
        options.get("region_name"),
        options.get("addressing_style", "path"),
    )
