"""A live review in real browsers against the real studio: the director presents a rendered clip,
an editor at another desk follows it frame for frame (clock-synced, no frames streamed), a mark
drawn on one page appears on the other while it is drawn and stays as an annotation; then a
client opens a share link in a third, anonymous browser, gives a name, comments and approves,
and the director's page shows the decision as it happens. A view-only link shows nothing to act
with, and revoking a link ends the client's session on the spot.
"""

import re
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, studio_env
from .helpers import DEMO_PROJECT, get, post, sign_in

pytestmark = pytest.mark.browser

EDITOR_USER, EDITOR_PASSWORD, EDITOR_NAME = "eddie", "previs-edit-42", "Eddie Editor"
FPS = 24  # the demo project's shots
CLIENT_NAME = "Cora Client"


@pytest.fixture(scope="module")
def editor_account(studio, studio_data_dir):
    """A second studio user, made with the studio's own management shell (there is no sign-up)."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        f"user, _ = get_user_model().objects.get_or_create(username={EDITOR_USER!r}, defaults={{'first_name': 'Eddie', 'last_name': 'Editor'}})\n"
        f"user.set_password({EDITOR_PASSWORD!r}); user.save()\n"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=studio_env(studio_data_dir), check=True, capture_output=True, timeout=120)
    return EDITOR_USER, EDITOR_PASSWORD


@pytest.fixture
def desks(browser, studio):
    """Independent browser contexts (own cookies, own sockets) that fail the test on JS errors."""
    opened = []

    def open_desk(name):
        context = browser.new_context(base_url=studio, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        opened.append((name, context, errors))
        return page

    yield open_desk
    for name, context, errors in opened:
        context.close()
        assert not errors, f"JavaScript errors in {name}: {errors}"


def player(page):
    return page.get_by_test_id("review-player")


def shown_frame(page):
    return int(player(page).get_attribute("data-frame"))


def frame_and_time(page):
    """The frame the page shows and the wall-clock time (ms) it was read at."""
    return page.evaluate("() => [Number(document.querySelector('[data-testid=review-player]').dataset.frame), Date.now()]")


def wait_frame(page, frame, timeout=10_000):
    page.wait_for_function("f => Number(document.querySelector('[data-testid=review-player]')?.dataset.frame) === f", arg=frame, timeout=timeout)


def wait_video_ready(page):
    page.wait_for_function("() => { const v = document.querySelector('[data-testid=review-video]'); return v && v.readyState >= 2; }", timeout=30_000)


def render_clip(page, shot):
    job = post(page, "/api/render-jobs/", {"shot": shot, "kind": "clip"})
    deadline = time.monotonic() + 120
    while job["status"] not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, f"clip render {job['id']} still {job['status']}"
        time.sleep(0.5)
        job = get(page, f"/api/render-jobs/{job['id']}/")
    assert job["status"] == "succeeded", job


def draw(page, points):
    """Press at the first point (0..1 of the picture), move through the rest; the button stays down."""
    box = page.get_by_test_id("annotation-layer").bounding_box()
    at = lambda p: (box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"])  # noqa: E731
    page.mouse.move(*at(points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(point), steps=4)


def test_live_review_with_an_editor_and_a_client(desks, studio, editor_account):
    # --- The director: a clip for the scene's first shot, the editor in the project, a review ----
    director = desks("the director's page")
    sign_in(director)
    project = next(p for p in get(director, "/api/projects/") if p["name"] == DEMO_PROJECT)
    board = get(director, f"/api/projects/{project['id']}/board/")
    scene = board["scenes"][0]
    shot = scene["shots"][0]
    render_clip(director, shot["id"])
    members = get(director, f"/api/projects/{project['id']}/members/")
    if not any(m["username"] == EDITOR_USER for m in members):
        post(director, f"/api/projects/{project['id']}/members/", {"username": EDITOR_USER, "role": "editor"})

    # The way in: "Review" on the scene in the shot list.
    director.goto(f"/projects/{project['id']}")
    director.get_by_test_id(f"scene-{scene['id']}-review").click()
    director.wait_for_url(re.compile(r"/reviews/\d+$"))
    review = int(director.url.rstrip("/").split("/")[-1])
    expect(director.get_by_test_id("review-connection")).to_have_text("live")
    expect(director.get_by_test_id("review-follow-state")).to_contain_text("You are presenting")
    expect(player(director)).to_have_attribute("data-shot", str(shot["id"]))
    wait_video_ready(director)

    # --- The editor joins and follows ----------------------------------------------------------
    editor = desks("the editor's page")
    sign_in(editor, *editor_account)
    editor.goto(f"/reviews/{review}")
    expect(editor.get_by_test_id("review-connection")).to_have_text("live")
    expect(editor.get_by_test_id("review-follow-state")).to_have_text("Following Demo Director")
    wait_video_ready(editor)
    editor.get_by_test_id("review-tab-people").click()
    expect(editor.get_by_test_id("participant")).to_have_count(2)
    expect(editor.locator("[data-testid=participant][data-name='Demo Director'] [data-testid=presenter-badge]")).to_be_visible()

    # A seek by the presenter lands the viewer on the same frame.
    director.get_by_test_id("review-scrub").fill("12")
    wait_frame(director, 12)
    wait_frame(editor, 12)
    expect(editor.get_by_test_id("review-timecode")).to_have_text("00:00:00:12")

    # Play: both pages run on the shared clock; sampled together, they show the same frame ±2.
    director.get_by_test_id("review-play").click()
    expect(player(editor)).to_have_attribute("data-playing", "true")
    samples = []
    for _ in range(10):
        (a, ta), (b, tb) = frame_and_time(director), frame_and_time(editor)
        # Read a few ms apart: carry the editor's reading back to the director's instant.
        samples.append((a, b - (tb - ta) * FPS / 1000))
        time.sleep(0.15)
    drifts = [abs(a - b) for a, b in samples]
    assert max(drifts) <= 2, f"the viewer drifted from the presenter: {samples}"
    assert samples[-1][0] - samples[0][0] >= 15, f"the clip did not play: {samples}"

    # Pause: both stop on exactly the same frame.
    director.get_by_test_id("review-play").click()
    expect(player(director)).to_have_attribute("data-playing", "false")
    expect(player(editor)).to_have_attribute("data-playing", "false")
    paused = shown_frame(director)
    wait_frame(editor, paused)
    assert 30 <= paused < shot_frames(get(director, f"/api/reviews/{review}/content/"), shot["id"])

    # Frame steps and a scrub follow too.
    director.get_by_test_id("review-next-frame").click()
    wait_frame(director, paused + 1)
    wait_frame(editor, paused + 1)
    director.get_by_test_id("review-scrub").fill("40")
    wait_frame(editor, 40)
    expect(editor.get_by_test_id("review-timecode")).to_have_text("00:00:01:16")

    # The editor steps out to look around alone, then rejoins the presenter.
    editor.get_by_test_id("review-prev-frame").click()
    wait_frame(editor, 39)
    expect(editor.get_by_test_id("review-follow-state")).to_have_text("On your own")
    assert shown_frame(director) == 40
    editor.get_by_test_id("review-follow").click()
    wait_frame(editor, 40)

    # --- A stroke, live while drawn and kept afterwards ------------------------------------------
    director.get_by_test_id("tool-pen").click()
    draw(director, [(0.2, 0.3), (0.3, 0.35), (0.4, 0.45), (0.5, 0.5)])
    live = editor.get_by_test_id("live-stroke")
    expect(live).to_have_count(1)  # the button is still down: only the live stroke is there
    expect(editor.locator("[data-testid^=annotation-][data-author]")).to_have_count(0)
    points_while_drawing = live.locator("polyline").get_attribute("points").split()
    assert len(points_while_drawing) >= 3
    director.mouse.up()
    stored = editor.locator("[data-testid^=annotation-][data-author='Demo Director']")
    expect(stored).to_have_count(1)
    expect(live).to_have_count(0, timeout=5_000)  # the stored mark takes over from the live one
    expect(stored).to_have_count(1)
    (annotation,) = get(director, f"/api/annotations/?review={review}")
    assert annotation["frame"] == 40 and annotation["shot"] == shot["id"]
    assert annotation["shapes"][0]["tool"] == "pen" and len(annotation["shapes"][0]["points"]) >= 3
    assert editor.locator(f"[data-testid=annotation-{annotation['id']}] polyline").count() == 1
    # On another frame it is not shown; back on frame 40 it is.
    director.get_by_test_id("review-next-frame").click()
    wait_frame(editor, 41)
    expect(stored).to_have_count(0)
    director.get_by_test_id("review-prev-frame").click()
    wait_frame(editor, 40)
    expect(stored).to_have_count(1)
    director.get_by_test_id("tool-none").click()

    # --- Zoom, laser and control ----------------------------------------------------------------
    director.get_by_test_id("zoom-in").click()
    expect(editor.get_by_test_id("zoom-level")).to_have_text("150%")
    director.get_by_test_id("zoom-reset").click()
    expect(editor.get_by_test_id("zoom-level")).to_have_text("100%")

    director.get_by_test_id("tool-laser").click()
    # The picture eases back from 150% (an 80 ms transition): measure the layer once it has landed,
    # not mid-way (a box measured at 108% put the pointer at 60.8% of the real one).
    zoomed = director.locator(".review-zoom")
    expect(zoomed).to_have_attribute("data-zoom", "1")
    zoomed.evaluate("(el) => Promise.all(el.getAnimations().map((a) => a.finished))")
    box = director.get_by_test_id("annotation-layer").bounding_box()
    director.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4, steps=3)
    laser = editor.get_by_test_id("laser")
    expect(laser).to_have_count(1)
    expect(laser).to_have_attribute("style", re.compile(r"left: 60%; top: 40%"))  # where the director points
    director.get_by_test_id("tool-none").click()  # putting the laser down takes the dot away
    expect(laser).to_have_count(0)

    # The editor asks for control; the director hands it over; the editor now drives both pages.
    editor.get_by_test_id("review-request-control").click()
    director.get_by_test_id("review-hand-over").click()
    expect(editor.get_by_test_id("review-follow-state")).to_contain_text("You are presenting")
    expect(director.get_by_test_id("review-follow-state")).to_have_text(f"Following {EDITOR_NAME}")
    editor.get_by_test_id("review-next-frame").click()
    wait_frame(director, 41)
    editor.get_by_test_id("review-prev-frame").click()
    wait_frame(director, 40)
    editor.get_by_test_id("participant-hand-over").click()  # and back, from the people list
    expect(director.get_by_test_id("review-follow-state")).to_contain_text("You are presenting")

    # --- A client link (approve), opened in a third, anonymous browser ---------------------------
    director.get_by_test_id("review-tab-share").click()
    director.get_by_test_id("share-scope").select_option("approve")
    director.get_by_test_id("share-label").fill("Agency")
    director.get_by_test_id("share-create").click()
    url = director.get_by_test_id("share-url").input_value()
    assert re.search(r"/s/[A-Za-z0-9_\-]{40,}$", url), url

    client = desks("the client's page")
    client.goto(url)
    expect(client.get_by_test_id("guest-join")).to_be_visible()
    client.get_by_test_id("guest-name").fill(CLIENT_NAME)
    client.get_by_test_id("guest-submit").click()
    expect(client.get_by_test_id("review-connection")).to_have_text("live")
    expect(client.get_by_test_id("current-user")).to_have_text(f"{CLIENT_NAME} (guest)")
    expect(client.get_by_test_id("review-follow-state")).to_have_text("Following Demo Director")
    wait_frame(client, 40)
    expect(client.get_by_test_id("review-request-control")).to_have_count(0)  # guests watch; they never present

    # The client comments on the frame; markup stays text, on every page.
    body = "Love the beam here <b>but</b> the boat arrives too late"
    client.get_by_test_id("comment-input").fill(body)
    client.get_by_test_id("comment-submit").click()
    comment_body = director.locator("[data-testid^=comment-][data-testid$=-body]").filter(has_text="Love the beam")
    director.get_by_test_id("review-tab-comments").click()
    expect(comment_body).to_have_text(body)
    assert comment_body.locator("b").count() == 0
    expect(director.get_by_test_id("comments").get_by_text(CLIENT_NAME)).to_be_visible()
    (comment,) = [c for c in get(director, f"/api/comments/?review={review}") if c["body"] == body]
    assert comment["frame"] == 40 and comment["author"] == {"name": CLIENT_NAME, "user": None, "guest": True}

    # The client approves; the director's page shows it as it happens.
    expect(director.get_by_test_id("approval-latest")).to_have_count(0)
    client.get_by_test_id("approval-comment").fill("Good to go.")
    client.get_by_test_id("approve").click()
    latest = director.get_by_test_id("approval-latest")
    expect(latest).to_have_attribute("data-decision", "approved")
    expect(latest).to_contain_text(f"Approved by {CLIENT_NAME}")
    director.get_by_test_id("review-tab-decisions").click()
    expect(director.get_by_test_id("approval-history").locator("[data-decision=approved]")).to_contain_text("Good to go.")
    approvals = get(director, f"/api/approvals/?shot={shot['id']}")
    assert approvals[0]["decision"] == "approved" and approvals[0]["author"]["name"] == CLIENT_NAME and approvals[0]["stale"] is False

    # The session notes list the client's comment with its timecode.
    director.get_by_test_id("review-tab-notes").click()
    expect(director.get_by_test_id(f"note-{comment['id']}")).to_contain_text("00:00:01:16")

    # --- A view-only link: nothing to act with -------------------------------------------------
    director.get_by_test_id("review-tab-share").click()
    director.get_by_test_id("share-scope").select_option("view")
    director.get_by_test_id("share-label").fill("Producer")
    director.get_by_test_id("share-create").click()
    expect(director.get_by_test_id("share-url")).not_to_have_value(url)
    view_url = director.get_by_test_id("share-url").input_value()
    viewer = desks("the view-only guest's page")
    viewer.goto(view_url)
    viewer.get_by_test_id("guest-name").fill("Pat Producer")
    viewer.get_by_test_id("guest-submit").click()
    expect(viewer.get_by_test_id("review-connection")).to_have_text("live")
    wait_frame(viewer, 40)
    expect(viewer.locator("[data-testid^=annotation-][data-author='Demo Director']")).to_have_count(1)  # they do see the marks
    expect(viewer.get_by_test_id("comments-readonly")).to_be_visible()
    for testid in ("approve", "request-changes", "approval-comment", "comment-input", "comment-submit", "tool-pen", "tool-laser"):
        expect(viewer.get_by_test_id(testid)).to_have_count(0)
    expect(viewer.get_by_test_id("approval-latest")).to_contain_text(f"Approved by {CLIENT_NAME}")

    # --- Revoking the client's link ends their session at once ---------------------------------
    links = get(director, f"/api/share-links/?review={review}")
    agency = next(link for link in links if link["label"] == "Agency")
    expect(director.get_by_test_id(f"share-link-{agency['id']}-stats")).to_contain_text("1 decisions")
    director.once("dialog", lambda dialog: dialog.accept())
    director.get_by_test_id(f"share-link-{agency['id']}-revoke").click()
    expect(director.get_by_test_id(f"share-link-{agency['id']}-status")).to_have_text("revoked")
    expect(client.get_by_test_id("link-closed")).to_contain_text("revoked")
    expect(client.get_by_test_id("approve")).to_have_count(0)
    expect(viewer.get_by_test_id("review-connection")).to_have_text("live")  # the other link goes on


def shot_frames(content, shot_id):
    return next(item["frames"] for item in content["items"] if item["shot"]["id"] == shot_id)
