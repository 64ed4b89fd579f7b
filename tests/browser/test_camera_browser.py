"""A shot's camera panel in a real browser against the real studio: lens and blocking edits go out
as room ops and come back as the server's spec and angle of view; renders are real grey-box
renders (frame, depth, plan; an H.264 clip stepped frame by frame); a rendered frame becomes the
shot's panel on the storyboard.
"""

import math
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import open_demo_project, shot_ids, wait_live, wait_saved

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshot-camera.png"

pytestmark = pytest.mark.browser


def wedge_angle(page):
    """The wedge's opening angle, measured from the polygon the plan draws (not from a label)."""
    return page.evaluate(
        """() => {
            const points = document.querySelector('[data-testid="plan-wedge"] polygon').getAttribute('points')
                .trim().split(/\\s+/).map((p) => p.split(',').map(Number));
            const [c, a, b] = points;
            const angle = (p) => Math.atan2(p[1] - c[1], p[0] - c[0]);
            let d = Math.abs(angle(a) - angle(b));
            if (d > Math.PI) d = 2 * Math.PI - d;
            return d * 180 / Math.PI;
        }"""
    )


def natural_width(page, testid):
    return page.get_by_test_id(testid).evaluate("(img) => img.complete ? img.naturalWidth : 0")


def shot_from_api(page, shot):
    answer = page.request.get(f"/api/shots/{shot}/")
    assert answer.ok, answer.text()
    return answer.json()


def test_camera_panel_lens_blocking_renders_and_clip(page):
    project_id = open_demo_project(page)
    wait_live(page)
    shot = shot_ids(page)[1]  # 1B: a two-shot dolly-in of Maya and Tom
    original = shot_from_api(page, shot)
    assert original["field_of_view"]["horizontal_deg"] > 0, "the Shot serializer must carry field_of_view"

    # Open from the shot list's row button: the drawer is the route /projects/<id>/shots/<shot>.
    page.get_by_test_id(f"shot-{shot}-camera").click()
    drawer = page.get_by_test_id("camera-drawer")
    expect(drawer).to_be_visible()
    assert page.url.endswith(f"/projects/{project_id}/shots/{shot}")
    expect(page.get_by_test_id("camera-layout-state")).to_have_text("Automatic layout")
    expect(page.get_by_test_id("plan-wedge")).to_be_visible()
    # The dolly's end mark is where the server's move (the clip's own path) leaves the camera.
    shown_end = [float(v) for v in page.get_by_test_id("plan-move").get_attribute("data-end").split(",")]
    assert shown_end == pytest.approx(original["move_end"]["position"][:2], abs=0.006)

    # Lens: a longer prime narrows the wedge to the server's new horizontal angle of view.
    before = wedge_angle(page)
    assert before == pytest.approx(original["field_of_view"]["horizontal_deg"], abs=0.05)
    page.get_by_test_id("camera-prime-85").click()
    wait_saved(page)
    expect(page.get_by_test_id("camera-lens")).to_have_value("85")
    stored = shot_from_api(page, shot)
    assert stored["lens_mm"] == 85 and stored["camera_spec"]["camera"]["lens_mm"] == 85
    expect(page.get_by_test_id("plan-wedge")).to_have_attribute("data-hfov", f"{stored['field_of_view']['horizontal_deg']:.2f}")
    after = wedge_angle(page)
    assert after < before - 5
    assert after == pytest.approx(stored["field_of_view"]["horizontal_deg"], abs=0.05)
    # The free focal length field takes any lens, not only primes.
    lens = page.get_by_test_id("camera-lens")
    lens.fill("60")
    lens.press("Enter")
    wait_saved(page)
    expect(page.get_by_test_id("plan-wedge")).not_to_have_attribute("data-hfov", f"{stored['field_of_view']['horizontal_deg']:.2f}")
    assert shot_from_api(page, shot)["lens_mm"] == 60

    # Blocking: drag Tom's mark 1.x m across the plan; the spec is stored, adjusted by hand.
    layout = shot_from_api(page, shot)["camera_spec"]
    tom = layout["characters"][1]
    mark = page.get_by_test_id(f"plan-char-{tom['id']}").locator("circle")
    box = mark.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + step * 12, y - step * 8)
    page.mouse.up()
    wait_saved(page)
    expect(page.get_by_test_id("camera-layout-state")).to_have_text("Adjusted by hand")
    moved = shot_from_api(page, shot)
    assert moved["spec_locked"] is True
    moved_tom = next(c for c in moved["camera_spec"]["characters"] if c["id"] == tom["id"])
    dx, dy = moved_tom["position"][0] - tom["position"][0], moved_tom["position"][1] - tom["position"][1]
    assert dx > 0.2 and dy > 0.1, (tom["position"], moved_tom["position"])  # east and north on screen = +x, +y
    assert moved["camera_spec"]["camera"] == layout["camera"]

    # Back to the automatic layout: the server lays the camera and marks out again.
    page.get_by_test_id("camera-reset").click()
    wait_saved(page)
    expect(page.get_by_test_id("camera-layout-state")).to_have_text("Automatic layout")
    reset = shot_from_api(page, shot)
    assert reset["spec_locked"] is False
    assert next(c for c in reset["camera_spec"]["characters"] if c["id"] == tom["id"])["position"] == tom["position"]

    # Without diffusion weights (this studio has none) a styled frame is not offered: the button is
    # off and says why in the server's words, before anyone clicks (the refusal itself: tests/test_renders.py).
    styled = page.get_by_test_id("camera-render-styled")
    expect(styled).to_be_disabled()
    expect(styled).to_have_attribute("title", re.compile("No diffusion weights are configured"))
    expect(styled).to_have_accessible_description(re.compile("Styled frame is off: No diffusion weights are configured"))
    expect(page.get_by_test_id("styled-unavailable")).to_contain_text("No diffusion weights are configured")

    # A frame: frame, depth and plan of the new job load side by side.
    with page.expect_response(lambda r: r.url.endswith("/api/render-jobs/") and r.request.method == "POST") as answer:
        page.get_by_test_id("camera-render-frame").click()
    frame_job = answer.value.json()["id"]
    expect(page.get_by_test_id("camera-out-frames")).to_have_attribute("data-job", str(frame_job), timeout=60_000)
    for testid in ("camera-frame-image", "camera-depth-image", "camera-plan-image"):
        page.wait_for_function(
            '(id) => { const img = document.querySelector(`[data-testid="${id}"]`); return img && img.complete && img.naturalWidth > 0; }',
            arg=testid,
        )
        assert natural_width(page, testid) > 0
    # The depth map is decoded from its 16-bit millimetres and shaded: the label names real distances.
    expect(page.get_by_test_id("camera-out-depth")).to_contain_text(re.compile(r"near \d+\.\d\d m → far (≥ )?\d+\.\d m"))

    # A clip: the player steps exactly one frame per press, with SMPTE timecode at the shot's fps.
    with page.expect_response(lambda r: r.url.endswith("/api/render-jobs/") and r.request.method == "POST") as answer:
        page.get_by_test_id("camera-render-clip").click()
    clip_job = answer.value.json()["id"]
    expect(page.get_by_test_id(f"history-{clip_job}")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    video = page.get_by_test_id("clip-video")
    expect(video).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-testid=\"clip-video\"]').readyState >= 2")
    counter = page.get_by_test_id("clip-frame")
    expect(counter).to_have_text("0")
    for expected in range(1, 4):
        page.get_by_test_id("clip-next").click()
        expect(counter).to_have_text(str(expected))
    expect(page.get_by_test_id("clip-timecode")).to_have_text("00:00:00:03")
    player = page.get_by_test_id("clip-player")
    player.focus()
    player.press("ArrowLeft")
    expect(counter).to_have_text("2")
    for _ in range(24):
        player.press("ArrowRight")
    expect(counter).to_have_text("26")
    expect(page.get_by_test_id("clip-timecode")).to_have_text("00:00:01:02")  # 24 fps: frame 26 = 1 s + 2 frames
    page.wait_for_function("() => !document.querySelector('[data-testid=\"clip-video\"]').seeking")
    shown = page.evaluate("() => { const v = document.querySelector('[data-testid=\"clip-video\"]'); return Math.floor(v.currentTime * 24); }")
    assert shown == 26

    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    page.get_by_test_id("camera-controls").scroll_into_view_if_needed()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    # History: the frame job's picture becomes the shot's first panel, seen on the storyboard.
    expect(page.get_by_test_id(f"history-{frame_job}")).to_be_visible()
    frame_asset = next(o for o in page.request.get(f"/api/render-jobs/{frame_job}/").json()["outputs"] if o["kind"] == "frame")
    page.get_by_test_id(f"history-{frame_job}-use").click()
    wait_saved(page)
    board = page.request.get(f"/api/projects/{project_id}/board/").json()
    panels = next(s for scene in board["scenes"] for s in scene["shots"] if s["id"] == shot)["panels"]
    assert panels[0]["image"] == frame_asset["id"], panels
    page.get_by_test_id("tab-board").click()
    expect(page.get_by_test_id("camera-drawer")).to_have_count(0)
    image = page.get_by_test_id(f"panel-{panels[0]['id']}-image")
    expect(image).to_have_attribute("src", frame_asset["url"])
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    # And the storyboard opens the same panel.
    page.get_by_test_id(f"board-shot-{shot}-camera").click()
    expect(page.get_by_test_id("camera-drawer")).to_be_visible()
    assert page.url.endswith(f"/projects/{project_id}/board/shots/{shot}")
    assert math.isfinite(wedge_angle(page))
