"""The board as a director uses it, in a real browser against the real studio.

Edits go through the shot list's inline cells (as room ops over the socket), the storyboard's
upload and the render button (REST); every check after a reload proves the server stored what
the screen showed.
"""

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from .helpers import edit_cell, first_shot_id, open_demo_project, open_live_text, wait_live, wait_saved

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshot-shotlist.png"

pytestmark = pytest.mark.browser


def png_bytes(colour=(40, 90, 160)):
    image = Image.new("RGB", (480, 200), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((180, 40, 300, 160), fill=(230, 160, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_shot_list_edits_survive_a_reload(page):
    project_id = open_demo_project(page)
    wait_live(page)
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
        page.get_by_test_id(f"shot-{shot_id}-status").locator("select").select_option(status)
        expect(page.get_by_test_id(f"shot-{shot_id}-status")).to_have_text(label)
        wait_saved(page)
        stored = page.request.get(f"/api/shots/{shot_id}/").json()["status"]
        assert stored == status

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


def test_someone_elses_edit_is_merged_not_overwritten(page):
    """While I type a note, someone else saves that note through the API: their text appears in
    my editor as I type, and what I add is merged with it instead of replacing it."""
    open_demo_project(page)
    wait_live(page)
    shot = first_shot_id(page)
    cell = page.get_by_test_id(f"shot-{shot}-notes")
    editor = open_live_text(page, f"shot-{shot}-notes")
    version = page.evaluate("""async (id) => (await (await fetch(`/api/shots/${id}/`)).json()).version""", shot)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    # Someone else saves first (same API, another client).
    other = page.context.request.patch(
        f"/api/shots/{shot}/",
        data={"notes": "Rain bars on the lens for the whole scene."},
        headers={"X-CSRFToken": token, "If-Match": f'"{version}"', "Referer": page.url},
    )
    assert other.ok, other.text()
    expect(editor).to_have_value("Rain bars on the lens for the whole scene.")  # live, while editing
    editor.press("Control+End")
    editor.press_sequentially(" Keep the lamp practical.")
    editor.press("Enter")
    merged = "Rain bars on the lens for the whole scene. Keep the lamp practical."
    expect(cell).to_have_text(merged)
    wait_saved(page)
    assert page.request.get(f"/api/shots/{shot}/").json()["notes"] == merged


def test_storyboard_upload_survives_a_reload(page):
    project_id = open_demo_project(page)
    page.get_by_test_id("tab-board").click()
    page.wait_for_url(f"**/projects/{project_id}/board")
    panel = page.locator("figure.panel").first
    expect(panel).to_be_visible()
    panel_id = panel.get_attribute("data-testid").split("-")[1]
    before = page.get_by_test_id(f"panel-{panel_id}-image").get_attribute("src") if page.get_by_test_id(f"panel-{panel_id}-image").count() else None

    with page.expect_response(lambda r: r.url.endswith(f"/api/panels/{panel_id}/image/")) as answer:
        page.get_by_test_id(f"panel-{panel_id}-file").set_input_files({"name": "board.png", "mimeType": "image/png", "buffer": png_bytes()})
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
    wait_live(page)
    shot_box = page.locator(".board-shot").last
    shot = shot_box.get_attribute("data-testid").split("-")[-1]

    with page.expect_response(lambda r: r.url.endswith("/api/render-jobs/") and r.request.method == "POST") as answer:
        page.get_by_test_id(f"shot-{shot}-render").click()
    assert answer.value.status == 201, answer.value.text()
    expect(page.get_by_test_id(f"shot-{shot}-progress")).to_be_visible()
    expect(page.get_by_test_id(f"shot-{shot}-render-status")).to_have_text("Done", timeout=90_000)
    expect(page.get_by_test_id(f"shot-{shot}-progress")).to_have_attribute("aria-valuenow", "100")

    frame_url = page.get_by_test_id(f"shot-{shot}-frame").get_attribute("src")
    page.get_by_test_id(f"shot-{shot}-use-frame").click()
    first_panel = shot_box.locator("figure.panel").first
    expect(first_panel.locator("img")).to_have_attribute("src", frame_url)
    wait_saved(page)
    page.reload()
    expect(page.locator(f'[data-testid="board-shot-{shot}"] figure.panel').first.locator("img")).to_have_attribute("src", frame_url)
