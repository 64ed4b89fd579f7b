"""The board as a director uses it, in a real browser against the real studio.

Edits go through the shot list's inline cells, the storyboard's upload and the render button;
every check after a reload proves the server stored what the screen showed.
"""

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshot-shotlist.png"
DEMO_USER, DEMO_PASSWORD, DEMO_PROJECT = "demo", "previs-demo", "Harbour Light"

pytestmark = pytest.mark.browser


def sign_in(page):
    page.goto("/login")
    page.get_by_label("Login").fill(DEMO_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/projects")


def open_demo_project(page):
    sign_in(page)
    page.get_by_role("link", name=DEMO_PROJECT).click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    expect(page.get_by_test_id("project-title")).to_have_text(DEMO_PROJECT)
    return int(page.url.rstrip("/").split("/")[-1])


def first_shot_id(page):
    row = page.locator("tr.shot-row").first
    expect(row).to_be_visible()
    return int(row.get_attribute("data-shot"))


def edit_cell(page, testid, value):
    """Click a cell, type into its editor, press Enter and wait for the PATCH to be answered."""
    cell = page.get_by_test_id(testid)
    cell.click()
    editor = cell.locator("textarea, input").first
    editor.fill(value)
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/shots/" in r.url) as answer:
        editor.press("Enter")
    assert answer.value.status == 200, answer.value.text()


def png_bytes(colour=(40, 90, 160)):
    image = Image.new("RGB", (480, 200), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((180, 40, 300, 160), fill=(230, 160, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_shot_list_edits_survive_a_reload(page):
    project_id = open_demo_project(page)
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=20_000)
    shot = first_shot_id(page)

    description = "Establishing: rain sheets across the jetty; the beam finds the boat as it rounds the breakwater."
    edit_cell(page, f"shot-{shot}-description", description)
    edit_cell(page, f"shot-{shot}-lens_mm", "21")
    expect(page.get_by_test_id(f"shot-{shot}-description")).to_have_text(description)
    expect(page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("21mm")

    page.reload()
    expect(page.get_by_test_id(f"shot-{shot}-description")).to_have_text(description)
    expect(page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("21mm")
    assert page.url.endswith(f"/projects/{project_id}")

    # Vocabulary cells are selects: the status pill follows the choice.
    ids = [int(row.get_attribute("data-shot")) for row in page.locator("tr.shot-row").all()]
    for shot_id, status, label in ((ids[0], "approved", "Approved"), (ids[1], "in_review", "In review"), (ids[2], "ready", "Ready")):
        page.get_by_test_id(f"shot-{shot_id}-status").click()
        with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/shots/" in r.url) as answer:
            page.get_by_test_id(f"shot-{shot_id}-status").locator("select").select_option(status)
        assert answer.value.status == 200, answer.value.text()
        expect(page.get_by_test_id(f"shot-{shot_id}-status")).to_have_text(label)

    expect(page.get_by_test_id("connection")).to_have_text("live")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    # A refused value keeps what was typed and says why, next to the cell.
    cell = page.get_by_test_id(f"shot-{shot}-duration_s")
    cell.click()
    cell.locator("input").fill("0")
    cell.locator("input").press("Enter")
    expect(page.get_by_test_id(f"shot-{shot}-duration_s-error")).to_be_visible()
    expect(cell.locator("input")).to_have_value("0")
    cell.locator("input").press("Escape")
    expect(cell).to_have_text("5s")


def test_someone_elses_edit_is_not_overwritten(page):
    open_demo_project(page)
    shot = first_shot_id(page)
    cell = page.get_by_test_id(f"shot-{shot}-notes")
    cell.click()  # editing starts from the version on screen
    version = page.evaluate(
        """async (id) => (await (await fetch(`/api/shots/${id}/`)).json()).version""", shot
    )
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    # Someone else saves first (same API, another client).
    other = page.context.request.patch(
        f"/api/shots/{shot}/",
        data={"notes": "Rain bars on the lens for the whole scene."},
        headers={"X-CSRFToken": token, "If-Match": f'"{version}"', "Referer": page.url},
    )
    assert other.ok, other.text()
    cell.locator("textarea").fill("My note that must not win silently")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/shots/" in r.url) as answer:
        cell.locator("textarea").press("Enter")
    assert answer.value.status == 409
    expect(page.get_by_test_id("toast").last).to_contain_text("your edit was not applied")
    expect(cell).to_have_text("Rain bars on the lens for the whole scene.")


def test_storyboard_upload_survives_a_reload(page):
    project_id = open_demo_project(page)
    page.get_by_test_id("tab-board").click()
    page.wait_for_url(f"**/projects/{project_id}/board")
    panel = page.locator("figure.panel").first
    expect(panel).to_be_visible()
    panel_id = panel.get_attribute("data-testid").split("-")[1]
    before = page.get_by_test_id(f"panel-{panel_id}-image").get_attribute("src") if page.get_by_test_id(f"panel-{panel_id}-image").count() else None

    with page.expect_response(lambda r: r.url.endswith(f"/api/panels/{panel_id}/image/")) as answer:
        page.get_by_test_id(f"panel-{panel_id}-file").set_input_files(
            {"name": "board.png", "mimeType": "image/png", "buffer": png_bytes()}
        )
    assert answer.value.status == 200, answer.value.text()
    uploaded = answer.value.json()["image_url"]
    assert uploaded and uploaded != before
    image = page.get_by_test_id(f"panel-{panel_id}-image")
    expect(image).to_have_attribute("src", uploaded)

    page.reload()
    image = page.get_by_test_id(f"panel-{panel_id}-image")
    expect(image).to_have_attribute("src", uploaded)
    # The picture really loads (served by the studio, not just a URL in the row).
    page.wait_for_function("img => img.complete && img.naturalWidth === 480", arg=image.element_handle())


def test_render_frame_shows_progress_and_becomes_a_panel(page):
    project_id = open_demo_project(page)
    page.goto(f"/projects/{project_id}/board")
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=20_000)
    shot_box = page.locator(".board-shot").last
    shot = shot_box.get_attribute("data-testid").split("-")[-1]

    with page.expect_response(lambda r: r.url.endswith("/api/render-jobs/") and r.request.method == "POST") as answer:
        page.get_by_test_id(f"shot-{shot}-render").click()
    assert answer.value.status == 201, answer.value.text()
    expect(page.get_by_test_id(f"shot-{shot}-progress")).to_be_visible()
    expect(page.get_by_test_id(f"shot-{shot}-render-status")).to_have_text("Done", timeout=90_000)
    expect(page.get_by_test_id(f"shot-{shot}-progress")).to_have_attribute("aria-valuenow", "100")

    frame_url = page.get_by_test_id(f"shot-{shot}-frame").get_attribute("src")
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/panels/" in r.url) as answer:
        page.get_by_test_id(f"shot-{shot}-use-frame").click()
    assert answer.value.status == 200, answer.value.text()
    first_panel = shot_box.locator("figure.panel").first
    expect(first_panel.locator("img")).to_have_attribute("src", frame_url)
    page.reload()
    expect(page.locator(f'[data-testid="board-shot-{shot}"] figure.panel').first.locator("img")).to_have_attribute("src", frame_url)
