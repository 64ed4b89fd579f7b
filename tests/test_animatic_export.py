"""The animatic movie: asked for over HTTP, made by the Celery worker on the export queue,
downloaded and decoded with PyAV. Each shot must start on the frame the timeline says with its
panel's picture, and the film must be as long as the timeline."""

import io
import math
import wave

import av
import numpy as np
import pytest

from apps.boards import services
from apps.changes.models import Change
from apps.editorial.models import Export
from tests.conftest import wait_until
from tests.test_editorial import download, make_export, png, quiet_exports_after  # noqa: F401 (a fixture)
from workers.exports import ExportError
from workers.exports.animatic import animatic_mp4, timeline

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_exports_after")]

COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (220, 200, 60)]


@pytest.fixture
def board(project, owner):
    """Scene 1: shot 1A with two panels (0.5 s, 0.3 s), shot 1B with one (0.4 s); scene 2: shot 2A
    (0.25 s). Every panel a different colour, so a wrong start frame shows."""
    one = services.create_scene(project, {"number": "1"}, owner)
    two = services.create_scene(project, {"number": "2"}, owner)
    plan = [(one, "1A", [0.5, 0.3]), (one, "1B", [0.4]), (two, "2A", [0.25])]
    colour = iter(COLOURS)
    shots = []
    for scene, number, durations in plan:
        shot = services.create_shot(scene, {"number": number, "duration_s": sum(durations)}, owner)
        for duration in durations:
            panel = services.create_panel(shot, {"duration_s": duration}, owner)
            services.set_panel_upload(panel, png(1280, 536, next(colour)), owner, None)
        shots.append(shot)
    return shots


def decoded(data):
    """(frames as RGB arrays, stream duration in seconds, has audio) of an MP4."""
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video)]
        seconds = float(video.duration * video.time_base) if video.duration else len(frames) / float(video.average_rate)
        return frames, seconds, bool(container.streams.audio), (video.width, video.height), float(video.average_rate)


def centre(frame):
    """The picture's middle, clear of burn-ins and letterbox bars."""
    height, width, _ = frame.shape
    return frame[height * 3 // 8 : height * 5 // 8, width * 3 // 8 : width * 5 // 8].astype(float)


def test_animatic_starts_every_panel_on_its_frame_and_lasts_the_timeline(api, viewer, project, board, render_worker):
    body = make_export(api, viewer, project, "animatic", parameters={"resolution": "720p", "burn_ins": False})
    assert body["filename"] == "harbour-light_film_animatic.mp4" and body["output"]["content_type"] == "video/mp4"
    frames, seconds, has_audio, size, fps = decoded(download(api, viewer, body))
    assert size == (1280, 720) and fps == 24 and not has_audio
    # 0.5 s, 0.3 s, 0.4 s, 0.25 s at 24 fps: 12, 7 (7.2), 10 (9.6), 6 frames.
    starts = [0, 12, 19, 29]
    total = 35
    assert abs(len(frames) - total) <= 1 and abs(seconds - total / 24) <= 1 / 24
    for start, colour in zip(starts, COLOURS):
        difference = np.abs(centre(frames[start]) - np.array(colour, dtype=float)).mean()
        assert difference < 8, (start, colour, difference)
        if start:  # and the frame before it is still the previous panel
            assert np.abs(centre(frames[start - 1]) - np.array(colour, dtype=float)).mean() > 40


def test_burn_ins_and_a_recipients_watermark_are_drawn_on_the_picture(api, viewer, project, board, render_worker):
    plain = decoded(download(api, viewer, make_export(api, viewer, project, "animatic", parameters={"resolution": "720p", "burn_ins": False})))[0]
    burnt = decoded(download(api, viewer, make_export(api, viewer, project, "animatic", parameters={"resolution": "720p", "watermark": "For Ana Ruiz"})))[0]
    assert len(plain) == len(burnt)
    top_left = (slice(0, 60), slice(0, 300))
    timecode_box = (slice(640, 720), slice(1000, 1280))
    for region in (top_left, timecode_box):
        assert np.abs(burnt[0][region].astype(float) - plain[0][region]).mean() > 10
    # The timecode changes from frame to frame while the panel holds.
    assert np.abs(burnt[1][timecode_box].astype(float) - burnt[0][timecode_box]).mean() > 1
    assert np.abs(centre(burnt[0]) - centre(plain[0])).mean() > 3  # the watermark crosses the middle


def test_bad_animatic_options_are_400s(api, viewer, project, board):
    response = api(viewer).post("/api/exports/", {"project": project.pk, "kind": "animatic", "parameters": {"resolution": "4k"}}, format="json")
    assert response.status_code == 400 and "resolution" in response.json()["parameters"]
    assert not Export.objects.exists()


def tone(seconds, hertz=440, rate=44100):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = (np.sin(2 * math.pi * hertz * np.arange(int(seconds * rate)) / rate) * 12000).astype("<i2")
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def snapshot(fps="24", audio=None):
    store = {f"p{n}": png(640, 268, colour) for n, colour in enumerate(COLOURS)}
    shots = [
        {"number": "1A", "duration_s": 0.5, "description": "", "panels": [{"duration_s": 0.5, "image": {"key": "p0"}}], "clip": None},
        {
            "number": "1B",
            "duration_s": 0.5,
            "description": "",
            "panels": [{"duration_s": 0.5, "image": {"key": "p1"}}],
            "clip": None,
            **({"audio": audio} if audio else {}),
        },
    ]
    board = {"title": "T", "project": {"name": "T", "fps": fps}, "scenes": [{"number": "1", "heading": "", "shots": shots}]}
    return board, store


def test_scratch_audio_is_muxed_as_aac_at_its_shots_start():
    board, store = snapshot(audio={"key": "scratch.wav"})
    store["scratch.wav"] = tone(0.4)
    data = animatic_mp4(board, store.__getitem__, resolution="720p", burn_ins=False)
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac" and stream.rate == 48000
        samples = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(stream)])
    loud = np.flatnonzero(np.abs(samples) > 0.05)
    # Shot 1B starts at frame 12 = 0.5 s; AAC's priming may shift it by a frame of samples.
    assert abs(loud[0] / 48000 - 0.5) < 0.03 and abs(loud[-1] / 48000 - 0.9) < 0.03
    board, store = snapshot()
    assert animatic_mp4(board, store.__getitem__, resolution="720p") and not decoded(animatic_mp4(board, store.__getitem__, resolution="720p"))[2]


def test_audio_that_is_not_audio_and_a_drop_frame_rate():
    board, store = snapshot(audio={"key": "notes.txt", "name": "notes.txt"})
    store["notes.txt"] = b"not a sound"
    with pytest.raises(ExportError, match="notes.txt"):
        animatic_mp4(board, store.__getitem__, resolution="720p")
    board, store = snapshot(fps="29.97")
    frames, seconds, _, _, fps = decoded(animatic_mp4(board, store.__getitem__, resolution="720p"))
    assert abs(fps - 29.97) < 0.01 and len(frames) == timeline(board)["length"] == 30


def test_a_shots_scratch_sound_uploaded_over_http_is_in_the_movie(api, director, project, board, render_worker):
    file = io.BytesIO(tone(0.3))
    file.name = "line.wav"
    response = api(director).post(f"/api/shots/{board[1].pk}/audio/", {"audio": file}, format="multipart")
    assert response.status_code == 200, response.content
    frames, seconds, has_audio, _, _ = decoded(download(api, director, make_export(api, director, project, "animatic", parameters={"resolution": "720p"})))
    assert has_audio and len(frames) == 35


def movie(colour, frames, fps=24, size=(320, 240)):
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        picture = np.full((size[1], size[0], 3), colour, dtype=np.uint8)
        for n in range(frames):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = n
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def test_clips_mode_plays_a_shots_latest_clip_over_its_frames_and_holds_its_last_picture():
    board, store = snapshot()
    board["scenes"][0]["shots"][0]["clip"] = {"key": "clip.mp4", "duration_s": 0.25}
    store["clip.mp4"] = movie((250, 250, 250), 6)  # a quarter of the shot's 12 frames
    frames = decoded(animatic_mp4(board, store.__getitem__, resolution="720p", burn_ins=False, source="clips"))[0]
    assert len(frames) == 24
    for index in (0, 5, 11):  # the clip, then its last picture held to the shot's end
        assert np.abs(centre(frames[index]) - 250).mean() < 8, index
    assert np.abs(centre(frames[12]) - np.array(COLOURS[1], dtype=float)).mean() < 8
    panels = decoded(animatic_mp4(board, store.__getitem__, resolution="720p", burn_ins=False))[0]
    assert np.abs(centre(panels[0]) - np.array(COLOURS[0], dtype=float)).mean() < 8


def test_media_bundle_names_every_file_as_the_timeline_refers_to_it(api, viewer, project, board, render_worker):
    import zipfile

    import opentimelineio as otio

    body = make_export(api, viewer, project, "media_bundle")
    assert body["filename"] == "harbour-light_film_media.zip"
    archive = zipfile.ZipFile(io.BytesIO(download(api, viewer, body)))
    names = archive.namelist()
    assert names == ["timeline.otio", "sc001_sh001A_p01.png", "sc001_sh001A_p02.png", "sc001_sh001B_p01.png", "sc002_sh002A_p01.png"]
    timeline = otio.adapters.read_from_string(archive.read("timeline.otio").decode(), "otio_json")
    # The relink: every clip's media reference is a file in the bundle.
    assert {clip.media_reference.target_url for clip in timeline.find_clips()} <= set(names)
    assert archive.read("sc001_sh001B_p01.png").startswith(b"\x89PNG")


def test_a_running_export_is_cancelled_and_the_worker_stops_it(api, viewer, editor, outsider, project, board, owner, render_worker):
    long = services.create_shot(board[0].scene, {"number": "1C", "duration_s": 40}, owner)
    services.set_panel_upload(services.create_panel(long, {"duration_s": 40}, owner), png(1280, 536, (90, 90, 90)), owner, None)
    body = api(viewer).post("/api/exports/", {"project": project.pk, "kind": "animatic"}, format="json").json()
    # The room hears the progress while it runs (a long export tells it at every tenth).
    told = Change.objects.filter(project=project, entity="export", entity_id=body["id"], data__status="running", data__progress__gt=0)
    wait_until(told.exists, timeout=90)
    assert api(editor).post(f"/api/exports/{body['id']}/cancel/").status_code == 200  # who may edit may cancel
    cancelled = Export.objects.get(pk=body["id"])
    assert cancelled.status == "cancelled" and cancelled.progress < 1
    # The worker stops at its next progress report (the 40 s movie would take it far longer) and
    # takes the next export; the cancelled row stays as it is, with no file.
    import time

    started = time.monotonic()
    make_export(api, viewer, project, "shot_list_csv")
    assert time.monotonic() - started < 15
    row = Export.objects.get(pk=body["id"])
    assert row.status == "cancelled" and row.output_id is None
    statuses = [c.data["status"] for c in Change.objects.filter(project=project, entity="export", entity_id=body["id"]).order_by("seq")]
    assert statuses[0] == "queued" and statuses[-1] == "cancelled" and "running" in statuses
    response = api(viewer).post(f"/api/exports/{body['id']}/cancel/")
    assert response.status_code == 400 and "already cancelled" in response.json()["status"][0]
    assert api(outsider).post(f"/api/exports/{body['id']}/cancel/").status_code == 404


def test_a_viewer_may_not_cancel_someone_elses_export(api, viewer, editor, project, board):
    body = api(editor).post("/api/exports/", {"project": project.pk, "kind": "shot_list_csv"}, format="json").json()
    Export.objects.filter(pk=body["id"]).update(status="queued")
    assert api(viewer).post(f"/api/exports/{body['id']}/cancel/").status_code == 403
    assert api(editor).post(f"/api/exports/{body['id']}/cancel/").json()["status"] == "cancelled"
