"""Checking uploaded images by their content (Pillow), never by their name."""

from io import BytesIO

from django.conf import settings
from PIL import Image, UnidentifiedImageError
from rest_framework.exceptions import ValidationError

ALLOWED_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def inspect_image(data: bytes, field="image"):
    """(content_type, width, height) of a PNG/JPEG/WebP, or a 400 with a field message.

    The header is read first and the pixel count checked before anything is decoded, so a
    small file that expands to gigapixels (a decompression bomb) is refused cheaply.
    """
    if not data:
        raise ValidationError({field: ["The file is empty."]})
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({field: [f"The file is larger than {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB."]})
    try:
        with Image.open(BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            if image_format not in ALLOWED_IMAGE_FORMATS:
                raise ValidationError({field: [f"{image_format} images are not accepted; use PNG, JPEG or WebP."]})
            if width * height > settings.UPLOAD_MAX_PIXELS:
                raise ValidationError({field: [f"The image is {width}×{height}; the limit is {settings.UPLOAD_MAX_PIXELS:,} pixels."]})
            image.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()  # verify() does not decode pixels; a truncated file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError({field: ["This is not a readable PNG, JPEG or WebP image."]})
    return ALLOWED_IMAGE_FORMATS[image_format], width, height
