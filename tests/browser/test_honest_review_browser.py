"""Honest review in a real browser against the real studio: a director approves a shot in the
review (its slide is the shot's newest frame render, no panel picture chosen), changes the shot's
camera in the camera panel, and the shot list says "approval stale" at once while the review marks
the frame out of date; a bad number in the camera panel says what is wrong instead of snapping back.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from .helpers import board_from_api, open_demo_project, post, wait_live

pytestmark = pytest.mark.browser


def rendered_frame(page, shot_id):
    """Render the shot's frame through the API and wait for the studio's worker to finish it."""
    job = post(page, "/api/render-jobs/", {"shot": shot_id, "kind": "frame", "parameters": {"width": 320}})
    deadline = time.monotonic() + 60
    while job["status"] not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, "the frame render did not finish"
        time.sleep(0.2)
        job = page.request.get(f"/api/render-jobs/{job['id']}/").json()
    assert job["status"] == "succeeded", job


def test_approve_change_the_camera_and_see_the_approval_stale_and_the_frame_out_of_date(page):
    project_id = open_demo_project(page)
    scene = board_from_api(page, project_id)["scenes"][0]
    # A new shot with no panel picture: its slide in the review is its newest frame render.
    shot = post(page, "/api/shots/", {"scene": scene["id"], "description": "The keeper checks the lamp.", "shot_size": "MS", "lens_mm": 35})
    rendered_frame(page, shot["id"])
    review = post(page, "/api/reviews/", {"project": project_id, "shots": [shot["id"]], "title": "Lamp check"})

    page.goto(f"/reviews/{review['id']}")
    # A decision goes through the review's room: approve once it is live (before, the page says
    # "Not connected; try again in a moment." and nothing is decided).
    expect(page.get_by_test_id("review-connection")).to_have_text("live")
    picture = page.get_by_test_id("review-panel-image")
    expect(picture).to_have_attribute("data-source", "render")
    expect(page.get_by_test_id("review-player")).to_have_attribute("data-out-of-date", "false")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("approval-latest")).to_have_attribute("data-decision", "approved")

    # The shot list says approved; the director changes the camera in the camera panel.
    page.goto(f"/projects/{project_id}")
    wait_live(page)
    badge = page.get_by_test_id(f"shot-{shot['id']}-approval")
    expect(badge).to_have_attribute("data-stale", "false")
    expect(badge).to_have_text("approved")
    page.get_by_test_id(f"shot-{shot['id']}-camera").click()
    expect(page.get_by_test_id("camera-controls")).to_be_visible()
    page.get_by_test_id("camera-prime-85").click()

    # At once (the shot's change carries the approval state): stale on the shot list.
    expect(badge).to_have_attribute("data-stale", "true")
    expect(badge).to_have_text("approval stale")

    # A bad number in the camera panel says why instead of snapping back silently.
    height = page.get_by_test_id("camera-height")
    height.fill("-3")
    height.press("Enter")
    expect(page.get_by_test_id("camera-height-problem")).to_contain_text(re.compile(r"from 0\.01 to 1000 m"))
    expect(height).to_have_value("-3")
    height.press("Escape")
    expect(page.get_by_test_id("camera-height-problem")).to_have_count(0)

    # Back in the review: the frame is marked out of date, in the player and the shot strip, and
    # the approval is stale there too.
    page.goto(f"/reviews/{review['id']}")
    expect(page.get_by_test_id("review-out-of-date")).to_be_visible()
    expect(page.get_by_test_id("review-player")).to_have_attribute("data-out-of-date", "true")
    expect(page.get_by_test_id(f"strip-out-of-date-{shot['id']}")).to_be_visible()
    expect(page.get_by_test_id("approval-latest").locator(".badge-stale")).to_be_visible()
