"""The editor's cut coming back: an OTIO, CMX 3600 EDL or FCP 7 XML file read into the clips of
its first video track, each matched to a shot of the board.

No Django here. `read_cut` turns the file into events (name, reel, our own metadata when the
cut started as our timeline export, length in frames at the cut's rate); `match_cut` finds each
event's shot, first by the "previs" metadata our export writes (scene and shot number), then by
the media name it writes (sc012_sh012A_v003), then by the EDL reel it writes (12_12A) or a clip
or reel named like a shot number, and gives the shots' new order and lengths, converted to the
project's rate when the cut runs at another.
"""

import re
from fractions import Fraction

import opentimelineio as otio
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from previs.timecode import frame_rate
from previs.types import JsonObject

from . import ExportError
from .timeline import METADATA_KEY

FORMATS = ("otio", "edl", "fcp_xml")
MEDIA_NAME = re.compile(r"^sc(?P<scene>\d+[A-Za-z]*)_sh(?P<shot>\d+[A-Za-z]*)(?:_(?:v\d+|p\d+))?(?:\.\w+)?$")
REEL = re.compile(r"^(?P<scene>\d+[A-Za-z]*)_(?P<shot>\d+[A-Za-z]*)$")


def _unpadded(number: str) -> str:
    """012A → 12A: the media names pad numbers to three digits for sorting."""
    match = re.match(r"0*(\d+)(.*)", number)
    return f"{match.group(1)}{match.group(2)}" if match else number


def detect_format(data: bytes, filename: str) -> str:
    name = filename.lower()
    if name.endswith((".otio", ".json")):
        return "otio"
    if name.endswith(".edl"):
        return "edl"
    if name.endswith(".xml"):
        return "fcp_xml"
    head = data.lstrip()[:1]
    return "otio" if head == b"{" else "fcp_xml" if head == b"<" else "edl"


def read_cut(data: bytes, filename: str, fps: str) -> JsonObject:
    """{"format", "rate", "events": [{"index", "name", "reel", "scene", "shot", "frames"}]} of the
    cut's first video track. `fps` is the project's rate, which an EDL (that has none) is read at."""
    fmt = detect_format(data, filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExportError([f"file: {filename} is not text (UTF-8): byte {error.start} cannot be read."]) from error
    if not text.strip():
        raise ExportError([f"file: {filename} is empty."])
    if fmt == "fcp_xml":
        # The FCP adapter parses with the standard library; a file with entity tricks or a DTD is
        # refused before it gets there.
        try:
            SafeElementTree.fromstring(text.encode())
        except DefusedXmlException as error:
            raise ExportError([f"file: {filename} declares entities or a DTD, which are not read ({type(error).__name__})."]) from error
        except SafeElementTree.ParseError as error:
            raise ExportError([f"file: {filename} is not well-formed XML: {error}."]) from error
    adapter = {"otio": "otio_json", "edl": "cmx_3600", "fcp_xml": "fcp_xml"}[fmt]
    label = {"otio": "an OpenTimelineIO timeline", "edl": "a CMX 3600 EDL", "fcp_xml": "an FCP 7 XML sequence"}[fmt]
    try:
        options = {"rate": float(frame_rate(fps))} if fmt == "edl" else {}
        result = otio.adapters.read_from_string(text, adapter, **options)
    except Exception as error:  # the adapters raise many kinds (OTIOError, ValueError, KeyError…)
        detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        raise ExportError([f"file: {filename} is not {label} that can be read: {detail}"]) from error
    timeline = _first_timeline(result)
    if timeline is None or not timeline.video_tracks():
        raise ExportError([f"file: {filename} has no video track."])
    events: list[JsonObject] = []
    for item in timeline.video_tracks()[0]:
        if not isinstance(item, otio.schema.Clip):
            continue  # gaps and transitions are not shots
        duration = item.source_range.duration if item.source_range else item.trimmed_range().duration
        ours = dict(item.metadata.get(METADATA_KEY) or {})
        reel = str((item.metadata.get("cmx_3600") or {}).get("reel") or "")
        events.append(
            {
                "index": len(events) + 1,
                "name": item.name or "",
                "reel": reel,
                "scene": str(ours["scene"]) if ours.get("scene") is not None else None,
                "shot": str(ours["number"]) if ours.get("number") is not None else None,
                "frames": round(duration.value),
                "rate": duration.rate,
            }
        )
    if not events:
        raise ExportError([f"file: {filename} has no clips on its first video track."])
    rates = {event.pop("rate") for event in events}
    return {"format": fmt, "rate": max(rates), "events": events}


def _first_timeline(result: object) -> otio.schema.Timeline | None:
    if isinstance(result, otio.schema.Timeline):
        return result
    if isinstance(result, otio.schema.SerializableCollection):
        return next((child for child in result if isinstance(child, otio.schema.Timeline)), None)
    return None


def _key(event: JsonObject, shots: dict[tuple[str, str], JsonObject], scene_numbers: list[str]) -> tuple[str, str] | None:
    if event["scene"] is not None and event["shot"] is not None and (event["scene"], event["shot"]) in shots:
        return event["scene"], event["shot"]
    for name in (event["name"], event["reel"]):
        for pattern in (MEDIA_NAME, REEL):
            match = pattern.match(name)
            if match:
                key = (_unpadded(match.group("scene")), _unpadded(match.group("shot")))
                if key in shots:
                    return key
    # A clip or reel named only by its shot number, when one scene is being cut.
    if len(scene_numbers) == 1:
        for name in (event["name"], event["reel"]):
            if (scene_numbers[0], name) in shots:
                return scene_numbers[0], name
    return None


def match_cut(cut: JsonObject, scenes: list[JsonObject], fps: str) -> JsonObject:
    """Match the cut's events to the shots of `scenes` ([{"number", "shots": [{"id", "number",
    "duration_s"}]}] in story order) and say what applying it does: per scene the shots in the
    cut's order with their new lengths, the shots the cut dropped, the clips that match no shot."""
    project_rate = frame_rate(fps)
    cut_rate = Fraction(cut["rate"]).limit_denominator(1001)
    converted = abs(float(cut_rate) - float(project_rate)) > 0.001
    shots = {(scene["number"], shot["number"]): shot for scene in scenes for shot in scene["shots"]}
    frames: dict[tuple[str, str], int] = {}
    order: list[tuple[str, str]] = []
    unmatched = []
    for event in cut["events"]:
        key = _key(event, shots, [scene["number"] for scene in scenes])
        if key is None:
            unmatched.append({"index": event["index"], "name": event["name"], "reel": event["reel"]})
            continue
        if key not in frames:
            order.append(key)
        # A shot used twice in the cut is as long as both uses together.
        frames[key] = frames.get(key, 0) + event["frames"]
    touched = [scene for scene in scenes if any(key[0] == scene["number"] for key in order)]
    result_scenes = []
    for scene in touched:
        in_cut = [key for key in order if key[0] == scene["number"]]
        rows = []
        for position, key in enumerate(in_cut, 1):
            shot = shots[key]
            length = max(1, round(Fraction(frames[key]) * project_rate / cut_rate))
            rows.append(
                {
                    "id": shot["id"],
                    "number": shot["number"],
                    "position": position,
                    "was_position": scene["shots"].index(shot) + 1,
                    "frames": length,
                    "from_duration_s": shot["duration_s"],
                    "to_duration_s": round(float(length / project_rate), 6),
                }
            )
        dropped = [{"id": shot["id"], "number": shot["number"]} for shot in scene["shots"] if (scene["number"], shot["number"]) not in frames]
        result_scenes.append({"number": scene["number"], "shots": rows, "dropped": dropped})
    note = ""
    if converted:
        note = f"The cut runs at {float(cut_rate):g} fps and the project at {float(project_rate):g} fps: lengths are converted to the project's rate."
    return {
        "format": cut["format"],
        "rate": f"{float(cut_rate):g}",
        "converted": converted,
        "note": note,
        "scenes": result_scenes,
        "unmatched": unmatched,
    }
