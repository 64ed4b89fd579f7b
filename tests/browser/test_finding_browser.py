"""Finding things in the shot list, in a real browser against the real studio (issue 16): the search
narrows the list to the shots that mention the words, filters (character, lens) are kept in the URL
and survive a reload, the camera panel and the storyboard tab, a folded scene stays folded after a reload, a shot's thumbnail is its newest
frame render when no panel image is chosen, "?" opens the sheet of shortcuts, and the skip link is
the first tab stop and puts the focus in the grid, which is one tab stop, not fifteen a shot."""

import re
import time
import unicodedata

import pytest
from playwright.sync_api import expect

from .helpers import board_from_api, csrf_headers, open_demo_project, shot_ids, wait_live

pytestmark = pytest.mark.browser


def fold(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def all_shots(board):
    return [(scene, shot) for scene in board["scenes"] for shot in scene["shots"]]


def every_row_painted(page, board):
    expect(page.locator("tr.shot-row")).to_have_count(len(all_shots(board)))


def test_search_narrows_the_list_and_filters_survive_a_reload(page):
    project = open_demo_project(page)
    board = board_from_api(page, project)
    every_row_painted(page, board)
    shots = all_shots(board)
    names = {c["id"]: c["name"] for c in board["characters"]}

    # A word of one shot's action: the list keeps the shots (or scenes) that say it, and that shot.
    scene, target = next((sc, s) for sc, s in shots if len(s["description"].split()) >= 3)
    word = max(re.findall(r"[A-Za-zÀ-ÿ]{4,}", target["description"]), key=len)
    page.get_by_test_id("find-search").fill(word.upper())  # case does not matter
    expect(page.get_by_test_id(f"shot-{target['id']}")).to_be_visible()
    found = shot_ids(page)
    assert target["id"] in found
    by_id = {s["id"]: (sc, s) for sc, s in shots}
    for shot_id in found:
        sc, s = by_id[shot_id]
        text = fold(
            " ".join(
                [
                    sc["number"],
                    sc["heading"],
                    sc["synopsis"],
                    s["number"],
                    s["description"],
                    s["dialogue"],
                    s["props"],
                    s["notes"],
                    *(names[c] for c in s["characters"]),
                ]
            )
        )
        location_names = {loc["id"]: loc["name"] for loc in board["locations"]}
        text += " " + fold(" ".join(location_names.get(x, "") for x in (sc["location"], s["location"]) if x))
        assert fold(word) in text, (shot_id, word)
    expect(page.get_by_test_id("find-count")).to_contain_text(f"{len(found)} of {len(shots)} shots")
    assert re.search(rf"[?&]q={word.upper()}", page.url)
    page.get_by_test_id("find-clear").click()
    expect(page.locator("tr.shot-row")).to_have_count(len(shots))
    assert "?" not in page.url

    # A character and a lens: exactly the shots with both, and still after a reload (from the URL).
    with_cast = next(s for _, s in shots if s["characters"])
    character, lens = with_cast["characters"][0], with_cast["lens_mm"]
    expected = [s["id"] for _, s in shots if character in s["characters"] and s["lens_mm"] == lens]
    page.get_by_test_id("filter-character").select_option(str(character))
    page.get_by_test_id("filter-lens").select_option(label=f"{lens:g} mm" if float(lens).is_integer() else f"{lens:.1f} mm")
    expect(page.locator("tr.shot-row")).to_have_count(len(expected))
    assert shot_ids(page) == expected
    assert f"character={character}" in page.url and "lens=" in page.url
    page.reload()
    expect(page.locator("tr.shot-row")).to_have_count(len(expected))
    assert shot_ids(page) == expected
    expect(page.get_by_test_id("filter-character")).to_have_value(str(character))
    # The camera panel opens and closes over the same list; the storyboard shows the same shots.
    page.get_by_test_id(f"shot-{expected[0]}-camera").click()
    expect(page.get_by_test_id("camera-drawer")).to_be_visible()
    assert f"character={character}" in page.url
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("camera-drawer")).to_have_count(0)
    assert f"character={character}" in page.url
    expect(page.locator("tr.shot-row")).to_have_count(len(expected))
    page.get_by_test_id("tab-board").click()
    expect(page.locator(".board-shot")).to_have_count(len(expected))
    assert f"character={character}" in page.url
    page.get_by_test_id("tab-shots").click()
    expect(page.locator("tr.shot-row")).to_have_count(len(expected))
    # Adding a shot size no shot of that cast and lens has leaves nothing, and a way back.
    sizes = {s["shot_size"] for _, s in shots}
    other = next((size for size in sizes if all(by_id[i][1]["shot_size"] != size for i in expected)), None)
    if other:
        page.get_by_test_id("filter-size").select_option(other)
        expect(page.locator("tr.shot-row")).to_have_count(0)
        page.get_by_test_id("find-nothing").get_by_role("button").click()
        expect(page.locator("tr.shot-row")).to_have_count(len(shots))


def test_a_folded_scene_stays_folded_after_a_reload(page):
    project = open_demo_project(page)
    board = board_from_api(page, project)
    every_row_painted(page, board)
    scene = next(s for s in board["scenes"] if s["shots"])
    first = scene["shots"][0]["id"]
    fold_button = page.get_by_test_id(f"scene-{scene['id']}-fold")
    expect(fold_button).to_have_attribute("aria-expanded", "true")
    fold_button.click()
    expect(page.get_by_test_id(f"shot-{first}")).to_have_count(0)
    expect(fold_button).to_have_attribute("aria-expanded", "false")
    expect(page.locator("tr.shot-row")).to_have_count(len(all_shots(board)) - len(scene["shots"]))
    page.reload()
    expect(page.get_by_test_id(f"scene-{scene['id']}-heading")).to_be_visible()
    expect(page.locator("tr.shot-row")).to_have_count(len(all_shots(board)) - len(scene["shots"]))
    expect(page.get_by_test_id(f"shot-{first}")).to_have_count(0)
    page.get_by_test_id(f"scene-{scene['id']}-fold").click()
    expect(page.get_by_test_id(f"shot-{first}")).to_be_visible()
    assert page.evaluate(f"() => localStorage.getItem('previs-folded-scenes:{project}')") is None


def test_thumbnail_is_the_newest_frame_render_of_a_shot_without_a_chosen_image(page):
    project = open_demo_project(page)
    board = board_from_api(page, project)
    wait_live(page)
    # A new shot, no panel picture: it shows its newest frame render once there is one.
    shot = page.request.post(
        "/api/shots/", data={"scene": board["scenes"][0]["id"], "description": "The keeper trims the wick."}, headers=csrf_headers(page)
    ).json()
    expect(page.get_by_test_id(f"shot-{shot['id']}-thumb")).to_be_attached()
    expect(page.get_by_test_id(f"shot-{shot['id']}-thumb").locator("img")).to_have_count(0)
    job = page.request.post("/api/render-jobs/", data={"shot": shot["id"], "kind": "frame", "parameters": {"width": 320}}, headers=csrf_headers(page)).json()
    deadline = time.monotonic() + 60
    while job["status"] not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, "the frame render did not finish"
        time.sleep(0.2)
        job = page.request.get(f"/api/render-jobs/{job['id']}/").json()
    assert job["status"] == "succeeded", job
    frame = next(o for o in job["outputs"] if o["kind"] == "frame")
    image = page.get_by_test_id(f"shot-{shot['id']}-thumb").locator("img")
    expect(image).to_have_attribute("src", frame["url"])  # arrived live, from the room's job event
    page.reload()
    image.scroll_into_view_if_needed()
    expect(image).to_have_attribute("src", frame["url"])
    expect(image).to_have_attribute("loading", "lazy")
    expect(image).to_have_attribute("alt", f"Rendered frame of shot {shot['number']}")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    # A shot whose first panel has a chosen image shows that image instead (the review's rule).
    chosen = next(((s, s["panels"][0]["image_url"]) for _, s in all_shots(board) if s["panels"] and s["panels"][0]["image_url"]), None)
    if chosen:
        expect(page.get_by_test_id(f"shot-{chosen[0]['id']}-thumb").locator("img")).to_have_attribute("src", chosen[1])


def test_question_mark_opens_the_shortcut_sheet_and_the_skip_link_focuses_the_shot_list(page):
    open_demo_project(page)
    expect(page.locator("tr.shot-row").first).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("?")
    sheet = page.get_by_test_id("shortcut-sheet")
    expect(sheet).to_be_visible()
    for words in (
        "Undo your last change",
        "Move the shot up / down",
        "Open the shot's camera",
        "Search scenes, shots, dialogue and notes",
        "Duplicate the shot",
        "type its code or name",
        "Paste rows from a spreadsheet",
    ):
        expect(sheet).to_contain_text(words)
    expect(sheet.locator(".shortcut", has_text="Alt+2")).to_contain_text("Storyboard")  # from the project's tab list
    page.keyboard.press("Escape")
    expect(sheet).to_have_count(0)

    # "/" puts the caret in the search box.
    page.keyboard.press("/")
    expect(page.get_by_test_id("find-search")).to_be_focused()

    # The skip link is the first tab stop; it lands in the grid.
    page.reload()
    expect(page.locator("tr.shot-row").first).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_test_id("skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to shot list")
    page.keyboard.press("Enter")
    focused = page.evaluate("() => document.activeElement.closest('#shot-list') !== null && document.activeElement.hasAttribute('data-cell')")
    assert focused
    # One tab stop for the whole grid of cells; arrows move inside it.
    assert page.evaluate("() => document.querySelectorAll('#shot-list tr.shot-row [data-cell][tabindex=\"0\"]').length") == 1
    page.keyboard.press("ArrowRight")
    moved = page.evaluate("() => document.activeElement.getAttribute('data-testid')")
    assert moved and moved.endswith("-description"), moved
    assert page.evaluate("() => document.querySelector('#shot-list tr.shot-row [data-cell][tabindex=\"0\"]').dataset.testid") == moved
