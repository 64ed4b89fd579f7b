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


# Scratch audio for the animatic: the container formats PyAV (FFmpeg) names for WAV, MP3 and
# M4A/AAC, and the type each is served as. A file is taken for what its bytes are, not its name.
ALLOWED_AUDIO_FORMATS = {"wav": "audio/wav", "mp3": "audio/mpeg", "mov,mp4,m4a,3gp,3g2,mj2": "audio/mp4"}
AUDIO_MAX_SECONDS = 3600


def inspect_audio(data: bytes, field="audio"):
    """(content_type, duration_s) of a WAV, MP3 or M4A with a decodable sound stream, or a 400
    with a field message. The container is probed and its first packets decoded, so a picture,
    a text file or a truncated header renamed .wav is refused here, not in the player."""
    import av

    if not data:
        raise ValidationError({field: ["The file is empty."]})
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({field: [f"The file is larger than {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB."]})
    try:
        with av.open(BytesIO(data), mode="r") as container:
            name = container.format.name
            if name not in ALLOWED_AUDIO_FORMATS:
                raise ValidationError({field: [f"{container.format.long_name or name} files are not accepted; use WAV, MP3 or M4A."]})
            if container.streams.video and not container.streams.audio:
                raise ValidationError({field: ["This file has pictures but no sound; use WAV, MP3 or M4A audio."]})
            if not container.streams.audio:
                raise ValidationError({field: ["This file has no sound stream."]})
            stream = container.streams.audio[0]
            decoded = 0
            for frame in container.decode(stream):
                decoded += frame.samples
                if decoded >= stream.rate:  # a second of sound decodes: the stream is real
                    break
            if not decoded:
                raise ValidationError({field: ["The sound stream holds no samples."]})
            if container.duration is not None:
                duration_s = container.duration / av.time_base
            elif stream.duration is not None and stream.time_base is not None:
                duration_s = float(stream.duration * stream.time_base)
            else:
                duration_s = None
    except ValidationError:
        raise
    except (av.error.FFmpegError, OSError, ValueError, EOFError, IndexError, RuntimeError):  # what decoding hostile bytes can raise
        raise ValidationError({field: ["This is not a readable WAV, MP3 or M4A audio file."]})
    if duration_s is not None and duration_s > AUDIO_MAX_SECONDS:
        raise ValidationError({field: [f"The sound is {duration_s / 60:.0f} minutes long; the limit is {AUDIO_MAX_SECONDS // 60} minutes."]})
    return ALLOWED_AUDIO_FORMATS[name], duration_s
