"""The media bundle: a zip of every shot's pictures and latest clip, named as the timeline's
media references name them (timeline.media_name), with the OTIO timeline beside them, so an
editor unzips, opens the timeline and the relink finds every file by name.

Pictures go in as PNG whatever they were uploaded as (the timeline names them .png); media is
stored without compression (PNG and H.264 are compressed already), the timeline deflated.
"""

import io
import zipfile

from PIL import Image

from previs.types import JsonObject

from . import ExportError, Load, Progress
from .timeline import build_timeline, media_base, media_name

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png(data: bytes) -> bytes:
    if data.startswith(PNG_SIGNATURE):
        return data
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buffer, format="PNG")
    return buffer.getvalue()


def bundle_files(board: JsonObject) -> list[tuple[str, str, bool]]:
    """(file name, storage key, is a picture) of everything the bundle holds, in story order."""
    files: list[tuple[str, str, bool]] = []
    for scene in board["scenes"]:
        for shot in scene["shots"]:
            base = media_base(scene, shot)
            if shot.get("clip"):
                files.append((media_name(scene, shot), shot["clip"]["key"], False))
            for number, panel in enumerate(shot["panels"], 1):
                if panel.get("image"):
                    files.append((f"{base}_p{number:02d}.png", panel["image"]["key"], True))
    return files


def media_bundle(board: JsonObject, load: Load, *, progress: Progress = lambda done, total: None) -> bytes:
    import opentimelineio as otio

    files = bundle_files(board)
    if not files:
        raise ExportError(["There are no pictures or clips to bundle yet."])
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        timeline = otio.adapters.write_to_string(build_timeline(board), "otio_json")
        archive.writestr("timeline.otio", timeline, compress_type=zipfile.ZIP_DEFLATED)
        for done, (name, key, picture) in enumerate(files, 1):
            data = load(key)
            archive.writestr(name, _png(data) if picture else data, compress_type=zipfile.ZIP_STORED)
            progress(done, len(files))
    return output.getvalue()
