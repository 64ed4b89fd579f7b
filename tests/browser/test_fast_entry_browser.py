"""Fast entry on the shot list, in a real browser against the real studio (issue 16): duplicate a
shot and undo it, add the reverse of an over, select three shots and set their status at once (the
other desk sees it), paste five rows from a spreadsheet, type "MCU" into a size cell, type a
slugline into a new scene's heading and find its location in the library, insert and move scenes."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import board_from_api, post, shot_ids, sign_in, wait_live, wait_saved

pytestmark = pytest.mark.browser

NAME = "Jetty Day (fast entry)"


def a_production_of_its_own(page, other_page):
    sign_in(page)
    project = post(page, "/api/projects/", {"name": NAME, "fps": "24", "aspect_ratio": "2.39", "sensor": "super35"})["id"]
    scene = post(page, "/api/scenes/", {"project": project, "setting": "EXT", "time_of_day": "DAY"})["id"]
    mara = post(page, "/api/characters/", {"project": project, "name": "MARA"})["id"]
    jon = post(page, "/api/characters/", {"project": project, "name": "JON"})["id"]
    over = post(
        page,
        "/api/shots/",
        {"scene": scene, "description": "Over Jon onto Mara.", "shot_size": "MS", "framing": "ots", "lens_mm": 50, "characters": [mara, jon]},
    )["id"]
    for index in range(3):
        post(page, "/api/shots/", {"scene": scene, "description": f"Deck {index}."})
    sign_in(other_page)
    for desk in (page, other_page):
        desk.goto(f"/projects/{project}")
        expect(desk.get_by_test_id("project-title")).to_have_text(NAME)
        wait_live(desk)
    return project, scene, over


def shots_of(page, project, scene_id):
    board = board_from_api(page, project)
    return next(s for s in board["scenes"] if s["id"] == scene_id)["shots"]


def test_an_ad_builds_shots_fast(page, other_page):
    project, scene, over = a_production_of_its_own(page, other_page)
    rows = page.locator("tr.shot-row")
    expect(rows).to_have_count(4)

    # Duplicate (from the row's ⋯ menu): the copy lands right after its shot with the scene's next number, then undo.
    page.get_by_test_id(f"shot-{over}-more").click()
    page.get_by_test_id(f"shot-{over}-duplicate").click()
    expect(page.get_by_test_id(f"shot-{over}-duplicate")).to_have_count(0)  # the menu closes once an item is chosen
    expect(rows).to_have_count(5)
    wait_saved(page)
    shots = shots_of(page, project, scene)
    copy = shots[1]
    assert copy["description"] == "Over Jon onto Mara." and copy["number"] == "1E" and copy["lens_mm"] == 50
    expect(page.get_by_test_id(f"shot-{copy['id']}-number")).to_have_text("1E")
    expect(other_page.get_by_test_id(f"shot-{copy['id']}")).to_be_visible()
    page.get_by_test_id(f"shot-{over}-description").focus()
    page.keyboard.press("Escape")
    page.locator("body").press("Control+z")
    expect(page.get_by_test_id(f"shot-{copy['id']}")).to_have_count(0)
    expect(other_page.get_by_test_id(f"shot-{copy['id']}")).to_have_count(0)

    # The reverse of the over: on Jon now, the same size and lens, right after it.
    page.get_by_test_id(f"shot-{over}-more").click()
    page.get_by_test_id(f"shot-{over}-reverse").click()
    expect(rows).to_have_count(5)
    wait_saved(page)
    reverse = shots_of(page, project, scene)[1]
    assert reverse["description"].startswith("Reverse of 1A on JON") and (reverse["shot_size"], reverse["framing"], reverse["lens_mm"]) == ("MS", "ots", 50)
    assert reverse["camera_spec"]["subject_id"] != shots_of(page, project, scene)[0]["camera_spec"]["subject_id"]

    # Select three shots and set their status on all of them; the other desk sees it.
    ids = shot_ids(page)[2:5]
    for shot_id in ids:
        page.get_by_test_id(f"shot-{shot_id}-select").check()
    bar = page.get_by_test_id("selection-bar")
    expect(bar).to_contain_text("3 selected")
    bar.get_by_test_id("bulk-field").select_option("status")
    bar.get_by_test_id("bulk-value").select_option("approved")
    bar.get_by_test_id("bulk-apply").click()
    wait_saved(page)
    for shot_id in ids:
        expect(other_page.get_by_test_id(f"shot-{shot_id}-status")).to_contain_text("Approved")
    bar.get_by_test_id("bulk-clear").click()
    expect(page.get_by_test_id("selection-bar")).to_have_count(0)

    # Type "MCU" into a size cell: the type-ahead takes the code.
    target = ids[0]
    page.get_by_test_id(f"shot-{target}-shot_size").focus()
    page.keyboard.type("MCU")  # the first letter opens the cell's type-ahead
    expect(page.get_by_test_id(f"shot-{target}-shot_size").locator("input")).to_have_value("MCU")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id(f"shot-{target}-shot_size")).to_have_text("MCU")
    wait_saved(page)
    expect(other_page.get_by_test_id(f"shot-{target}-shot_size")).to_have_text("MCU")
    page.get_by_test_id(f"shot-{target}-movement").click()
    page.get_by_test_id(f"shot-{target}-movement").locator("input").fill("doll")
    page.get_by_test_id(f"shot-{target}-movement").locator("input").press("Tab")
    wait_saved(page)
    assert next(s for s in shots_of(page, project, scene) if s["id"] == target)["movement"].startswith("dolly")

    # Paste five rows from a spreadsheet (a header row, labels and codes) after the last shot.
    last = shot_ids(page)[-1]
    tsv = "Action\tSize\tFraming\tLens (mm)\tCharacters\n" + "".join(
        f"Pasted {i}\t{size}\tsingle\t{lens}\tMARA\n" for i, (size, lens) in enumerate([("MCU", 50), ("Close-Up", 85), ("ws", 24), ("MS", 35), ("INS", 100)])
    )
    page.get_by_test_id(f"shot-{last}-notes").focus()
    page.evaluate(
        """([testid, text]) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.querySelector(`[data-testid="${testid}"]`).dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        [f"shot-{last}-notes", tsv],
    )
    expect(rows).to_have_count(10)
    wait_saved(page)
    pasted = shots_of(page, project, scene)[-5:]
    assert [s["description"] for s in pasted] == [f"Pasted {i}" for i in range(5)]
    assert [s["shot_size"] for s in pasted] == ["MCU", "CU", "WS", "MS", "INSERT"]
    assert [s["lens_mm"] for s in pasted] == [50, 85, 24, 35, 100]
    expect(other_page.locator("tr.shot-row")).to_have_count(10)

    # Insert a scene after the first, type its slugline; the location is made in the library.
    page.get_by_test_id(f"scene-{scene}-insert").click()
    wait_saved(page)
    board = board_from_api(page, project)
    new_scene = next(s for s in board["scenes"] if s["id"] != scene)
    assert new_scene["number"] == "2"  # the last scene: the next whole number
    slug = page.get_by_test_id(f"scene-{new_scene['id']}-slugline")
    slug.click()
    slug.locator("input").fill("EXT. LIGHTHOUSE STEPS - DAWN")
    slug.locator("input").press("Enter")
    wait_saved(page)
    board = board_from_api(page, project)
    assert [loc["name"] for loc in board["locations"]] == ["LIGHTHOUSE STEPS"]
    steps = board["locations"][0]["id"]
    expect(page.get_by_test_id(f"scene-{new_scene['id']}-location")).to_have_value(str(steps))
    expect(other_page.get_by_test_id(f"scene-{new_scene['id']}-location")).to_have_value(str(steps))
    expect(other_page.get_by_test_id(f"scene-{new_scene['id']}-time_of_day")).to_have_value("DAWN")
    expect(other_page.get_by_test_id(f"scene-{new_scene['id']}-setting")).to_have_value("EXT")
    other_page.get_by_role("tab", name=re.compile("Library")).click()
    expect(other_page.get_by_test_id(f"location-{steps}")).to_contain_text("LIGHTHOUSE STEPS")

    # A scene inserted between the two takes 1A; moving one up keeps the numbers.
    page.get_by_test_id(f"scene-{scene}-insert").click()
    wait_saved(page)
    numbers = [s["number"] for s in board_from_api(page, project)["scenes"]]
    assert numbers == ["1", "1A", "2"]
    page.get_by_test_id(f"scene-{new_scene['id']}-up").click()
    wait_saved(page)
    assert [s["number"] for s in board_from_api(page, project)["scenes"]] == ["1", "2", "1A"]
