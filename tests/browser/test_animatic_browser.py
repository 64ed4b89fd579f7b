"""The animatic in the browser: a scene plays as a film (the panel on screen changes on the frame
the timeline says, read from the frame counter and timecode), J/K/L and the arrows move the
playhead by frames, captions carry the shot's dialogue and burn-ins its numbers, scratch sound is
accepted, and dragging a panel's edge retimes it for everyone in the room, undone with Ctrl+Z."""

import io
import math
import struct
import wave

import pytest
from PIL import Image
from playwright.sync_api import expect

from .helpers import sign_in, wait_live, wait_saved

pytestmark = pytest.mark.browser

NAME = "Lamp Room (animatic)"


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def wav():
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(struct.pack("<h", int(5000 * math.sin(i / 9))) for i in range(8000)))
    return buffer.getvalue()


def made(answer):
    assert answer.ok, answer.text()
    return answer.json()


def production(page):
    """A production of its own at 24 fps: scene 1 with shot 1A (two panels: 24 and 12 frames) and
    1B (one panel of 24 frames), each panel with a picture of its own colour."""
    sign_in(page)
    csrf = {"X-CSRFToken": next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")}
    post = lambda path, data: made(page.request.post(path, data=data, headers=csrf))  # noqa: E731
    project = post("/api/projects/", {"name": NAME, "fps": "24", "aspect_ratio": "1.78", "sensor": "super35"})
    scene = post("/api/scenes/", {"project": project["id"], "setting": "INT", "time_of_day": "NIGHT"})
    first = post("/api/shots/", {"scene": scene["id"], "description": "Tom climbs the stairs.", "dialogue": "TOM: You came back."})
    second = post("/api/shots/", {"scene": scene["id"], "description": "The lamp gutters.", "dialogue": "ANNA: The lamp is out."})
    panels = []
    for shot, duration, colour in ((first, 1.0, (220, 30, 30)), (first, 0.5, (30, 30, 220)), (second, 1.0, (30, 200, 30))):
        panel = post("/api/panels/", {"shot": shot["id"], "duration_s": duration})
        made(
            page.request.post(
                f"/api/panels/{panel['id']}/image/", multipart={"image": {"name": "p.png", "mimeType": "image/png", "buffer": png(colour)}}, headers=csrf
            )
        )
        panels.append(panel["id"])
    return project["id"], first["id"], panels


def shown(page):
    return int(page.get_by_test_id("animatic-picture").get_attribute("data-panel"))


def at_frame(page, frame, timecode):
    expect(page.get_by_test_id("animatic-frame")).to_have_attribute("data-frame", str(frame))
    expect(page.get_by_test_id("animatic-timecode")).to_have_text(timecode)


def test_play_step_caption_and_retime_a_panel(page, other_page):
    project_id, first_shot, (p1, p2, p3) = production(page)
    sign_in(other_page)
    for desk in (page, other_page):
        desk.goto(f"/projects/{project_id}/animatic")
        wait_live(desk)
        expect(desk.get_by_test_id("animatic")).to_be_visible()

    # Frame 0: shot 1A's first panel, its dialogue as a caption, scene and shot burnt in.
    at_frame(page, 0, "00:00:00:00")
    assert shown(page) == p1
    expect(page.get_by_test_id("animatic-caption")).to_have_text("TOM: You came back.")
    expect(page.get_by_test_id("animatic-burnin")).to_contain_text("SC 1")
    expect(page.get_by_test_id("animatic-burnin")).to_contain_text("SH 1A")
    expect(page.get_by_test_id("animatic-picture")).to_have_js_property("naturalWidth", 64)

    # The arrows step single frames: the cut to the second panel is on frame 24 (1 s at 24 fps).
    page.get_by_test_id("animatic-screen").click()
    for _ in range(23):
        page.keyboard.press("ArrowRight")
    at_frame(page, 23, "00:00:00:23")
    assert shown(page) == p1
    page.keyboard.press("ArrowRight")
    at_frame(page, 24, "00:00:01:00")
    assert shown(page) == p2
    # 12 frames on, shot 1B: its panel, its dialogue, its number.
    page.keyboard.press("Shift+ArrowRight")  # a second: 24 frames
    page.keyboard.press("ArrowLeft")
    for _ in range(12):
        page.keyboard.press("ArrowLeft")
    at_frame(page, 35, "00:00:01:11")
    assert shown(page) == p2
    page.keyboard.press("ArrowRight")
    at_frame(page, 36, "00:00:01:12")
    assert shown(page) == p3
    expect(page.get_by_test_id("animatic-caption")).to_have_text("ANNA: The lamp is out.")
    expect(page.get_by_test_id("animatic-burnin")).to_contain_text("SH 1B")

    # L plays, K stops, J plays backwards.
    page.keyboard.press("Home")
    at_frame(page, 0, "00:00:00:00")
    page.keyboard.press("l")
    page.wait_for_function("() => Number(document.querySelector('[data-testid=animatic-frame]').dataset.frame) >= 10")
    page.keyboard.press("k")
    stopped = int(page.get_by_test_id("animatic-frame").get_attribute("data-frame"))
    page.wait_for_timeout(300)
    assert int(page.get_by_test_id("animatic-frame").get_attribute("data-frame")) == stopped  # K holds the frame
    page.keyboard.press("j")
    page.wait_for_function(f"() => Number(document.querySelector('[data-testid=animatic-frame]').dataset.frame) < {stopped}")
    page.keyboard.press("k")

    # Play the scene from the top: every painted frame shows the panel the timeline puts there.
    page.keyboard.press("Home")
    page.evaluate(
        """() => {
            window.__seen = [];
            const look = () => {
                const frame = Number(document.querySelector('[data-testid=animatic-frame]').dataset.frame);
                const panel = Number(document.querySelector('[data-testid=animatic-picture]')?.dataset.panel);
                window.__seen.push([frame, panel]);
                if (window.__seen.length < 2000) requestAnimationFrame(look);
            };
            requestAnimationFrame(look);
        }"""
    )
    page.get_by_test_id("animatic-play").click()
    page.wait_for_function("() => Number(document.querySelector('[data-testid=animatic-frame]').dataset.frame) >= 59", timeout=10_000)
    seen = page.evaluate("() => window.__seen")
    frames = {frame for frame, _ in seen}
    assert any(f < 24 for f in frames) and any(24 <= f < 36 for f in frames) and any(f >= 36 for f in frames), sorted(frames)
    for frame, panel in seen:
        assert panel == (p1 if frame < 24 else p2 if frame < 36 else p3), (frame, panel)
    at_frame(page, 59, "00:00:02:11")  # the end: playback stops on the last frame

    # Scratch sound: a WAV is taken and the shot says so (a silent shot plays silent).
    page.keyboard.press("Home")
    at_frame(page, 0, "00:00:00:00")
    page.get_by_test_id("animatic-audio-shots").set_input_files({"name": "scratch.wav", "mimeType": "audio/wav", "buffer": wav()})
    expect(page.get_by_text("Shot 1A: has sound")).to_be_visible(timeout=10_000)
    expect(other_page.get_by_text("Shot 1A: has sound")).to_be_visible(timeout=10_000)

    # Retime: drag the first panel's out edge 12 frames (4 px a frame) to the right.
    edge = page.get_by_test_id(f"edge-panel-{p1}").bounding_box()
    x, y = edge["x"] + edge["width"] / 2, edge["y"] + edge["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 7):
        page.mouse.move(x + step * 8, y)
    page.mouse.up()
    wait_saved(page)
    for desk in (page, other_page):
        expect(desk.get_by_test_id(f"strip-panel-{p1}")).to_have_attribute("data-length", "36")
        expect(desk.get_by_test_id(f"strip-panel-{p2}")).to_have_attribute("data-start", "36")
    board = made(page.request.get(f"/api/projects/{project_id}/board/"))
    shot = board["scenes"][0]["shots"][0]
    assert shot["panels"][0]["duration_s"] == pytest.approx(1.5)
    assert shot["duration_s"] == pytest.approx(2.0)  # the shot followed its panels
    assert shot["id"] == first_shot

    # Undo brings the panel (and so the shot) back, in both pages.
    page.get_by_test_id("animatic-screen").click()
    page.keyboard.press("Control+z")
    wait_saved(page)
    for desk in (page, other_page):
        expect(desk.get_by_test_id(f"strip-panel-{p1}")).to_have_attribute("data-length", "24")
    board = made(page.request.get(f"/api/projects/{project_id}/board/"))
    assert board["scenes"][0]["shots"][0]["panels"][0]["duration_s"] == pytest.approx(1.0)
    assert board["scenes"][0]["shots"][0]["duration_s"] == pytest.approx(1.5)
