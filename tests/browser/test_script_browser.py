"""Importing a script in the browser: upload a draft, watch the worker bring its scenes onto the
board (in a second person's page too), then upload the blue pages, read the dry run and apply it:
the dropped scene shows OMITTED and the rewritten one "script changed" on both pages."""

import pytest
from playwright.sync_api import expect

from .helpers import open_demo_project, wait_live

pytestmark = pytest.mark.browser

WHITE = b"""Title: Fog Bell
Author: Test Writer

INT. BELL TOWER - NIGHT

ISLA (20s) hauls on the ROPE. The bell booms.

ISLA
Ring, you old thing.

EXT. SEA WALL - DAWN

TOMAS watches the fog roll back.

TOMAS
She kept it going all night.

INT. FERRY CABIN - DAY

Passengers doze. A CHILD presses her face to the glass.
"""

BLUE = WHITE.replace(b"She kept it going all night.", b"She kept it going all night. Every hour.").replace(
    b"INT. FERRY CABIN - DAY\n\nPassengers doze. A CHILD presses her face to the glass.\n", b""
)


def upload(page, data, name, colour):
    page.get_by_test_id("import-script").click()
    page.get_by_test_id("script-file").set_input_files({"name": name, "mimeType": "text/plain", "buffer": data})
    page.get_by_test_id("script-colour").select_option(colour)
    page.get_by_test_id("script-upload").click()


def test_import_a_draft_then_merge_the_blue_pages(page, other_page):
    open_demo_project(page)
    open_demo_project(other_page)
    wait_live(page)
    wait_live(other_page)
    scenes_before = other_page.locator("tbody.scene").count()

    upload(page, WHITE, "fog-bell.fountain", "white")
    expect(page.get_by_test_id("script-status")).to_have_attribute("data-status", "applied", timeout=30_000)
    expect(page.get_by_test_id("script-counts")).to_have_text("3 added · 0 changed · 0 omitted · 0 unchanged")
    # The other person's board receives the scenes through the room, without a reload.
    expect(other_page.locator("tbody.scene")).to_have_count(scenes_before + 3, timeout=15_000)
    expect(other_page.locator(".scene-meta", has_text="pg ·")).to_have_count(3)

    page.get_by_role("button", name="Import another draft").click()
    page.get_by_test_id("script-file").set_input_files({"name": "fog-bell-blue.fountain", "mimeType": "text/plain", "buffer": BLUE})
    page.get_by_test_id("script-colour").select_option("blue")
    page.get_by_test_id("script-upload").click()
    expect(page.get_by_test_id("script-status")).to_have_attribute("data-status", "planned", timeout=30_000)
    expect(page.get_by_test_id("script-counts")).to_have_text("0 added · 1 changed · 1 omitted · 1 unchanged")
    expect(other_page.locator(".scene-omitted")).to_have_count(0)  # the dry run wrote nothing

    page.get_by_test_id("script-apply").click()
    expect(page.get_by_test_id("script-status")).to_have_attribute("data-status", "applied", timeout=30_000)
    expect(other_page.locator(".scene-omitted")).to_have_count(1, timeout=15_000)
    changed = other_page.locator(".scene-changed")
    expect(changed).to_have_count(1)
    changed.locator("summary").click()
    expect(changed.locator("pre")).to_contain_text("Every hour.")
    expect(other_page.locator("tbody.scene")).to_have_count(scenes_before + 3)  # omitted, not deleted


def test_a_bad_file_is_refused_in_the_panel(page):
    open_demo_project(page)
    upload(page, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "poster.fountain", "white")
    expect(page.get_by_test_id("script-error")).to_contain_text("binary file")
