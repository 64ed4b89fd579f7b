"""The editor's timeline: an OpenTimelineIO timeline of the board, and from it a CMX 3600 EDL
and an FCP 7 XML through OTIO's adapters.

One video track holds the sequence (a scene, or the film's scenes in story order): a clip per
shot, as long as the shot, referring to its latest clip render or else its first panel picture,
named by scene and shot (sc012_sh012A_v003.mov) so an editor's relink finds the files. The shot's
fields travel as clip metadata under "previs"; review comments and annotations are markers at
their frames, red while open, green once resolved, yellow for drawings. The record side starts
at 01:00:00:00, as a cut does.
"""

import re

import opentimelineio as otio

from previs.animatic import shot_frames
from previs.timecode import frame_rate
from previs.types import JsonObject

from . import ExportError

START_TIMECODE_HOURS = 1
METADATA_KEY = "previs"
SHOT_METADATA = (
    "number",
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
    "characters",
    "location",
    "description",
    "dialogue",
    "props",
    "notes",
    "status",
)
MARKER_COLOURS = {"open": otio.schema.MarkerColor.RED, "resolved": otio.schema.MarkerColor.GREEN, "drawing": otio.schema.MarkerColor.YELLOW}


def _padded(number: str) -> str:
    match = re.match(r"(\d+)(.*)", number)
    return f"{int(match.group(1)):03d}{match.group(2)}" if match else number


def media_base(scene: JsonObject, shot: JsonObject) -> str:
    """sc012_sh012A: what every file of the shot is named from."""
    return f"sc{_padded(scene['number'])}_sh{_padded(shot['number'])}"


def media_name(scene: JsonObject, shot: JsonObject) -> str:
    """sc012_sh012A_v003.mov for a shot's third clip; sc012_sh012A_p01.png for its first panel."""
    base = media_base(scene, shot)
    if shot.get("clip"):
        return f"{base}_v{shot['clip']['version']:03d}.mov"
    if shot["panels"] and shot["panels"][0].get("image"):
        return f"{base}_p01.png"
    return f"{base}.mov"


def build_timeline(board: JsonObject) -> otio.schema.Timeline:
    rate = float(frame_rate(board["project"]["fps"]))
    shots = [(scene, shot) for scene in board["scenes"] for shot in scene["shots"]]
    if not shots:
        raise ExportError(["There are no shots to cut."])
    timeline = otio.schema.Timeline(name=board["title"])
    timeline.global_start_time = otio.opentime.from_timecode(f"{START_TIMECODE_HOURS:02d}:00:00:00", rate)
    track = otio.schema.Track(name=board["title"], kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for index, (scene, shot) in enumerate(shots, 1):
        # The animatic's one timing rule: the cut and the animatic agree to the frame.
        duration = shot_frames(shot, board["project"]["fps"])
        source = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(duration, rate))
        name = media_name(scene, shot)
        reference = otio.schema.ExternalReference(target_url=name, available_range=source)
        clip = otio.schema.Clip(name=name.rsplit(".", 1)[0], media_reference=reference, source_range=source)
        clip.metadata[METADATA_KEY] = {
            "scene": scene["number"],
            "heading": scene["heading"],
            **{key: shot[key] for key in SHOT_METADATA},
            "media_sha256": (shot.get("clip") or {}).get("sha256") or ((shot["panels"][0].get("image") or {}).get("sha256") if shot["panels"] else None),
        }
        # An EDL's reel is at most 8 characters: scene and shot when they fit, else the cut's order.
        reel = f"{scene['number']}_{shot['number']}"
        clip.metadata["cmx_3600"] = {"reel": reel if len(reel) <= 8 else f"SH{index:04d}"}
        for marker in shot.get("markers", []):
            start = min(marker["frame"], duration - 1)
            length = max(0, min(marker.get("frame_end") or marker["frame"], duration - 1) - start)
            clip.markers.append(
                otio.schema.Marker(
                    name=marker["text"][:200],
                    marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(length, rate)),
                    color=MARKER_COLOURS[marker["status"]],
                    metadata={METADATA_KEY: {"kind": marker["kind"], "status": marker["status"]}},
                )
            )
        track.append(clip)
    return timeline


def timeline_file(board: JsonObject, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, content type, extension) of the board's timeline in `fmt`: otio, edl or fcp_xml."""
    timeline = build_timeline(board)
    if fmt == "otio":
        return otio.adapters.write_to_string(timeline, "otio_json").encode(), "application/json", "otio"
    if fmt == "edl":
        # The EDL adapter counts record time from the track's start and ignores the timeline's
        # start timecode, so the EDL is written from a copy led by a gap that long (an EDL has
        # no events for gaps): its first event records at 01:00:00:00.
        edl = timeline.deepcopy()
        edl.tracks[0].insert(0, otio.schema.Gap(duration=timeline.global_start_time))
        text = otio.adapters.write_to_string(edl, "cmx_3600")
        return text.encode("ascii", "replace"), "text/plain", "edl"
    if fmt == "fcp_xml":
        return otio.adapters.write_to_string(timeline, "fcp_xml").encode(), "application/xml", "xml"
    raise ExportError([f"format: {fmt} is not a timeline format."])
