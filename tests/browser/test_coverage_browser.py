"""Coverage in the browser: a draft is imported into a production of its own (its first draft,
whatever other tests import into the demo project), the director opens a scene's Coverage panel,
edits one proposal's lens and accepts it, rejects another, then accepts the rest; a second person's
board receives every shot through the room, without a reload, and the lined script lines them."""

import pytest
from playwright.sync_api import expect

from .helpers import board_from_api, sign_in, wait_live

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
    return next(scene for scene in board["scenes"] if names.get(scene["location"]) == "CHART ROOM")


def open_new_project(page, other_page):
    sign_in(page)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        "/api/projects/", data={"name": "Chart Room (coverage)", "fps": "24", "aspect_ratio": "2.39", "sensor": "super35"}, headers={"X-CSRFToken": csrf}
    )
    assert answer.ok, answer.text()
    project_id = answer.json()["id"]
    sign_in(other_page)
    for desk in (page, other_page):
        desk.goto(f"/projects/{project_id}")
        expect(desk.get_by_test_id("project-title")).to_have_text("Chart Room (coverage)")
    return project_id


def test_accept_a_scenes_coverage_and_a_second_board_sees_the_shots(page, other_page):
    project_id = open_new_project(page, other_page)
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
    assert (
        panel.get_by_test_id("proposal-ots:pieter-facts").inner_text().split("\n")[2]
        == panel.get_by_test_id("proposal-ots:odile-facts").inner_text().split("\n")[2]
    )

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
    two_shot = next(s for s in shots if s["framing"] == "two_shot")
    assert two_shot["lens_mm"] == 32
    # The lined script draws each accepted shot's line, labelled with its number.
    other_page.get_by_test_id("tab-script").click()
    expect(other_page.get_by_test_id("lined-script")).to_be_visible(timeout=15_000)
    expect(other_page.locator(".coverage-label", has_text=two_shot["number"])).to_have_count(1)
    # A reload shows the same decisions.
    page.reload()
    page.get_by_test_id(f"scene-{scene['id']}-coverage").click()
    expect(page.get_by_test_id("proposal-insert:chart")).to_have_attribute("data-status", "rejected", timeout=15_000)
    expect(page.locator(".coverage-card[data-status='accepted']")).to_have_count(total - 1)
