"""Two people on one board, each in their own browser: every change appears in the other's page
without a reload, a dropped connection catches up to exactly the database's board, concurrent
typing in one text field merges, and each sees who is there and what they are editing."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    board_from_api,
    edit_cell,
    open_demo_project,
    open_live_text,
    shot_ids,
    shot_rows_from_api,
    shot_rows_on_page,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser


def norm(rows):
    return [(id_, number, " ".join(description.split()), float(lens)) for id_, number, description, lens in rows]


def both_open(page, other_page):
    project_id = open_demo_project(page)
    open_demo_project(other_page)
    wait_live(page)
    wait_live(other_page)
    return project_id


def expect_same_board(page, other_page, project_id):
    """Both pages show exactly the shots (order, numbers, descriptions, lenses) the API has."""
    wait_saved(page)
    wait_saved(other_page)
    stored = norm(shot_rows_from_api(board_from_api(page, project_id)))
    for p in (page, other_page):
        p.wait_for_function("n => document.querySelectorAll('tr.shot-row').length === n", arg=len(stored), timeout=10_000)
        expect(p.locator("tr.shot-row[data-shot^='-']")).to_have_count(0)  # no optimistic rows left
    assert norm(shot_rows_on_page(page)) == stored
    assert norm(shot_rows_on_page(other_page)) == stored


def test_edit_add_and_move_appear_in_the_other_page(page, other_page):
    project_id = both_open(page, other_page)
    first, second = shot_ids(page)[:2]

    edit_cell(page, f"shot-{first}-lens_mm", "85")
    expect(other_page.get_by_test_id(f"shot-{first}-lens_mm")).to_have_text("85mm")
    edit_cell(page, f"shot-{first}-description", "The beam sweeps the harbour once.")
    expect(other_page.get_by_test_id(f"shot-{first}-description")).to_have_text("The beam sweeps the harbour once.")

    scene = page.locator("tbody.scene").first.get_attribute("data-testid").split("-")[1]
    before = shot_ids(other_page)
    page.get_by_test_id(f"scene-{scene}-add-shot").click()
    # The new shot opens its description for typing; leave it.
    expect(page.locator("tr.shot-row textarea")).to_be_visible()
    page.keyboard.press("Escape")
    wait_saved(page)
    new = [id_ for id_ in shot_ids(page) if id_ not in before and id_ > 0]
    assert len(new) == 1
    expect(other_page.get_by_test_id(f"shot-{new[0]}")).to_be_visible()

    # Alt+↓ on a focused cell moves the first shot below the second.
    page.get_by_test_id(f"shot-{first}-number").focus()
    page.keyboard.press("Alt+ArrowDown")
    wait_saved(page)
    assert shot_ids(page).index(first) == shot_ids(page).index(second) + 1
    other_page.wait_for_function(
        "([a, b]) => { const ids = Array.from(document.querySelectorAll('tr.shot-row')).map(r => Number(r.dataset.shot));"
        " return ids.indexOf(a) === ids.indexOf(b) + 1; }",
        arg=[first, second],
    )
    expect_same_board(page, other_page, project_id)

    # Undo (Ctrl+Z, outside any field) moves it back, for everyone.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    wait_saved(page)
    other_page.wait_for_function(
        "([a, b]) => { const ids = Array.from(document.querySelectorAll('tr.shot-row')).map(r => Number(r.dataset.shot));"
        " return ids.indexOf(a) + 1 === ids.indexOf(b); }",
        arg=[first, second],
    )
    expect_same_board(page, other_page, project_id)


def test_undo_and_redo_reach_the_server_and_the_other_page(page, other_page):
    """Ctrl+Z / Ctrl+Shift+Z outside a field send the reversing op (frontend/src/state/pending.ts):
    an edit and a move are undone and redone for everyone, not just on this page."""
    project_id = both_open(page, other_page)
    first, second = shot_ids(page)[:2]
    lens_cell = f"shot-{first}-lens_mm"
    before = page.get_by_test_id(lens_cell).inner_text().strip()
    after = "50mm" if before == "135mm" else "135mm"

    def lens_everywhere(text):
        expect(page.get_by_test_id(lens_cell)).to_have_text(text)
        wait_saved(page)
        expect(other_page.get_by_test_id(lens_cell)).to_have_text(text)
        assert float(page.request.get(f"/api/shots/{first}/").json()["lens_mm"]) == float(text.removesuffix("mm"))

    def outside_a_field(keys):
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press(keys)

    edit_cell(page, lens_cell, after.removesuffix("mm"))
    lens_everywhere(after)
    outside_a_field("Control+z")
    lens_everywhere(before)
    outside_a_field("Control+Shift+z")
    lens_everywhere(after)

    # A move, undone: the shot goes back above its old neighbour, on both pages and in the database.
    page.get_by_test_id(f"shot-{first}-number").focus()
    page.keyboard.press("Alt+ArrowDown")
    wait_saved(page)
    assert shot_ids(page).index(first) == shot_ids(page).index(second) + 1
    outside_a_field("Control+z")
    page.wait_for_function(
        "([a, b]) => { const ids = Array.from(document.querySelectorAll('tr.shot-row')).map(r => Number(r.dataset.shot));"
        " return ids.indexOf(a) + 1 === ids.indexOf(b); }",
        arg=[first, second],
    )
    expect_same_board(page, other_page, project_id)


def test_offline_page_catches_up_to_the_database(page, other_page):
    project_id = both_open(page, other_page)
    ids = shot_ids(page)

    other_page.context.set_offline(True)
    expect(other_page.get_by_test_id("connection")).to_have_text("reconnecting…", timeout=10_000)
    # Meanwhile: edits, a new shot and a move in the connected page …
    edit_cell(page, f"shot-{ids[1]}-description", "Offline test: the keeper climbs the stair.")
    edit_cell(page, f"shot-{ids[2]}-lens_mm", "24")
    scene = page.locator("tbody.scene").first.get_attribute("data-testid").split("-")[1]
    page.get_by_test_id(f"scene-{scene}-add-shot").click()
    expect(page.locator("tr.shot-row textarea")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_test_id(f"shot-{ids[0]}-number").focus()
    page.keyboard.press("Alt+ArrowDown")
    wait_saved(page)
    # … and an edit in the offline page, queued until the socket is back.
    edit_cell_offline = other_page.get_by_test_id(f"shot-{ids[3]}-lens_mm")
    edit_cell_offline.click()
    edit_cell_offline.locator("input").fill("135")
    edit_cell_offline.locator("input").press("Enter")
    expect(edit_cell_offline).to_have_text("135mm")  # shown at once
    expect(other_page.get_by_test_id("unsaved")).to_have_text("1 unsaved")

    other_page.context.set_offline(False)
    wait_live(other_page)
    expect(other_page.get_by_test_id(f"shot-{ids[1]}-description")).to_have_text("Offline test: the keeper climbs the stair.")
    expect(page.get_by_test_id(f"shot-{ids[3]}-lens_mm")).to_have_text("135mm")
    expect_same_board(page, other_page, project_id)
    assert page.locator("table.shots-table").inner_text() == other_page.locator("table.shots-table").inner_text()


def test_concurrent_typing_in_one_field_merges(page, other_page):
    project_id = both_open(page, other_page)
    shot = shot_ids(page)[4]
    edit_cell(page, f"shot-{shot}-description", "Gulls wheel over the mast.")
    expect(other_page.get_by_test_id(f"shot-{shot}-description")).to_have_text("Gulls wheel over the mast.")

    mine = open_live_text(page, f"shot-{shot}-description")
    theirs = open_live_text(other_page, f"shot-{shot}-description")
    mine.press("Control+End")
    theirs.press("Control+Home")
    # Interleaved typing: each page's words arrive in the other's open editor as it types.
    for a, b in zip(("Slowly", "now."), ("Dawn:", "grey")):
        mine.press_sequentially(f" {a}")
        theirs.press_sequentially(f"{b} ")
    expected = "Dawn: grey Gulls wheel over the mast. Slowly now."
    expect(mine).to_have_value(expected)
    expect(theirs).to_have_value(expected)
    mine.press("Enter")
    theirs.press("Enter")
    for p in (page, other_page):
        expect(p.get_by_test_id(f"shot-{shot}-description")).to_have_text(expected)
        wait_saved(p)
    stored = next(s for scene in board_from_api(page, project_id)["scenes"] for s in scene["shots"] if s["id"] == shot)
    assert stored["description"] == expected


def test_presence_shows_who_is_here_and_what_they_edit(page, other_page):
    project_id = both_open(page, other_page)
    # Both tabs are the demo user: one avatar, two tabs.
    avatar = other_page.locator("[data-testid^='avatar-']")
    expect(avatar).to_have_count(1)
    expect(avatar).to_have_attribute("data-tabs", "2")

    shot = shot_ids(page)[0]
    name = page.get_by_test_id("current-user").inner_text()
    page.get_by_test_id(f"shot-{shot}-dialogue").click()
    remote = other_page.get_by_test_id(f"shot-{shot}-dialogue")
    expect(remote).to_have_class(lambda_class := __import__("re").compile(r"\bcell-locked\b"))
    expect(remote).to_have_attribute("data-editor", name)
    expect(page.get_by_test_id(f"shot-{shot}-dialogue")).not_to_have_class(lambda_class)  # not for one's own edit
    page.keyboard.press("Escape")
    expect(remote).not_to_have_class(lambda_class)

    # Pointers on the storyboard grid.
    page.goto(f"/projects/{project_id}/board")
    other_page.goto(f"/projects/{project_id}/board")
    wait_live(page)
    wait_live(other_page)
    box = page.locator(".cursor-area").bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 150)
    page.mouse.move(box["x"] + 220, box["y"] + 160)
    expect(other_page.get_by_test_id("remote-cursor")).to_have_count(1)
    expect(other_page.get_by_test_id("remote-cursor")).to_contain_text(name)


def test_a_signed_out_page_says_so_and_stops_reconnecting(page):
    open_demo_project(page)
    wait_live(page)
    # Signed out (the session cookie is gone, as after signing out in another tab); the open
    # socket lives on until it has to reconnect.
    page.context.clear_cookies()
    page.context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_have_text("reconnecting…", timeout=10_000)
    page.context.set_offline(False)
    expect(page.get_by_test_id("connection")).to_have_text("signed out", timeout=15_000)
    expect(page.get_by_test_id("sign-in-again")).to_have_attribute("href", re.compile(r"^/login\?next=%2Fprojects%2F\d+$"))
    # It says why and stays so: no more attempts after the refusal.
    attempts = []
    page.on("websocket", lambda socket: attempts.append(socket.url))
    page.wait_for_timeout(4_000)
    assert attempts == []
    expect(page.get_by_test_id("connection")).to_have_text("signed out")
