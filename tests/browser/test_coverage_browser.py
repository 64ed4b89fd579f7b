"""Coverage in the browser: a draft is imported, the director opens a scene's Coverage panel,
edits one proposal's lens and accepts it, rejects another, then accepts the rest; a second person's
board receives every shot through the room, without a reload."""

import pytest
from playwright.sync_api import expect

from .helpers import board_from_api, open_demo_project, wait_live

pytestmark = pytest.mark.browser

DRAFT = b"""Title: Chart Room

INT. CHART ROOM - NIGHT

ODILE spreads the CHART across the table. PIETER leans in.

ODILE
Here. The rocks are further out than the old chart says!

PIETER
(slowly)
Then the light has been warning ships off the wrong water for twenty years, and nobody in this town ever thought to check it.

ODILE
No.
"""


def import_draft(page):
    page.get_by_test_id("import-script").click()
    page.get_by_test_id("script-file").set_input_files({"name": "chart-room.fountain", "mimeType": "text/plain", "buffer": DRAFT})
    page.get_by_test_id("script-upload").click()
    expect(page.get_by_test_id("script-status")).to_have_attribute("data-status", "applied", timeout=30_000)
    page.get_by_role("button", name="Close").click()


def chart_room_scene(page, project_id):
    board = board_from_api(page, project_id)
    names = {location["id"]: location["name"] for location in board["locations"]}
    return next(scene for scene in board["scenes"] if names.get(scene["location"]) == "CHART ROOM" and not scene["shots"])


def test_accept_a_scenes_coverage_and_a_second_board_sees_the_shots(page, other_page):
    project_id = open_demo_project(page)
    open_demo_project(other_page)
    wait_live(page)
    wait_live(other_page)
    import_draft(page)
    scene = chart_room_scene(page, project_id)
    expect(other_page.get_by_test_id(f"scene-{scene['id']}")).to_be_visible(timeout=15_000)
    other_rows = other_page.get_by_test_id(f"scene-{scene['id']}").locator("tr.shot-row")
    expect(other_rows).to_have_count(0)

    page.get_by_test_id(f"scene-{scene['id']}-coverage").click()
    panel = page.get_by_test_id("coverage-panel")
    expect(panel.get_by_test_id("proposal-master")).to_be_visible(timeout=15_000)
    cards = panel.locator(".coverage-card")
    total = cards.count()
    assert total >= 8  # master, two-shot, both overs, singles, close-ups, reaction, insert
    # Each card says size, lens, move and duration; the overs are matched.
    expect(panel.get_by_test_id("proposal-ots:pieter-facts")).to_contain_text("mm")
    assert panel.get_by_test_id("proposal-ots:pieter-facts").inner_text().split("\n")[2] == panel.get_by_test_id("proposal-ots:odile-facts").inner_text().split("\n")[2]

    # Edit the two-shot's lens, then accept it: one shot, numbered in the scene.
    panel.get_by_test_id("proposal-two_shot-edit-toggle").click()
    panel.get_by_test_id("proposal-two_shot-lens").fill("32")
    panel.get_by_test_id("proposal-two_shot-accept").click()
    expect(panel.get_by_test_id("proposal-two_shot")).to_have_attribute("data-status", "accepted")
    expect(other_rows).to_have_count(1, timeout=15_000)

    # Reject the insert: it stays rejected and is not taken by "Accept all".
    panel.get_by_test_id("proposal-insert:chart-reject").click()
    expect(panel.get_by_test_id("proposal-insert:chart")).to_have_attribute("data-status", "rejected")
    panel.get_by_test_id("coverage-accept-all").click()
    expect(panel.locator(".coverage-card[data-status='accepted']")).to_have_count(total - 1, timeout=30_000)

    # The other person's board received every shot live, the edited lens included.
    expect(other_rows).to_have_count(total - 1, timeout=15_000)
    board = board_from_api(other_page, project_id)
    shots = next(s for s in board["scenes"] if s["id"] == scene["id"])["shots"]
    assert len(shots) == total - 1
    assert any(s["framing"] == "two_shot" and s["lens_mm"] == 32 for s in shots)
    # A reload shows the same decisions.
    page.reload()
    page.get_by_test_id(f"scene-{scene['id']}-coverage").click()
    expect(page.get_by_test_id("proposal-insert:chart")).to_have_attribute("data-status", "rejected", timeout=15_000)
    expect(page.locator(".coverage-card[data-status='accepted']")).to_have_count(total - 1)
