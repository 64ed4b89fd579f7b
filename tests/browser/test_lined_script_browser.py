"""The lined script in the browser: a draft imported in the UI, its pages laid out like the page,
lines selected with the mouse become a new shot whose coverage line (labelled with its number)
appears here and on a second person's script view, clicking the line opens the shot's camera,
and the shot list links back to the line ("p.1 · 4 lines")."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import sign_in, wait_live

pytestmark = pytest.mark.browser

DRAFT = b"""Title: Night Ferry
Author: Test Writer

INT. FERRY BRIDGE - NIGHT

CAPTAIN ODILE (50s) checks the RADAR. Rain lashes the glass.

ODILE
(to herself)
Twelve knots and falling.

MATEO (O.S.)
Captain, the car deck is flooding.

EXT. FERRY DECK - NIGHT

MATEO runs along the rail with a TORCH.
"""


def upload(page, data, name):
    page.get_by_test_id("import-script").click()
    page.get_by_test_id("script-file").set_input_files({"name": name, "mimeType": "text/plain", "buffer": data})
    page.get_by_test_id("script-upload").click()
    expect(page.get_by_test_id("script-status")).to_have_attribute("data-status", "applied", timeout=30_000)
    page.get_by_test_id("script-import").get_by_role("button", name="Close").click()


def element(page, text, exact=False):
    """The printed element whose text starts with `text` (is exactly it, with exact)."""
    pattern = re.compile(rf"^\s*{re.escape(text)}" + (r"\s*$" if exact else ""))
    return page.locator(".script-el").filter(has_text=pattern).first


def open_new_project(page, other_page):
    """A production of its own: the demo project's first draft is another test's to import."""
    sign_in(page)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        "/api/projects/", data={"name": "Night Ferry (lined)", "fps": "24", "aspect_ratio": "2.39", "sensor": "super35"}, headers={"X-CSRFToken": csrf}
    )
    assert answer.ok, answer.text()
    project_id = answer.json()["id"]
    sign_in(other_page)
    for desk in (page, other_page):
        desk.goto(f"/projects/{project_id}")
        expect(desk.get_by_test_id("project-title")).to_have_text("Night Ferry (lined)")
    return project_id


def test_select_lines_make_a_shot_see_its_line_and_open_it(page, other_page):
    project_id = open_new_project(page, other_page)
    wait_live(page)
    wait_live(other_page)
    upload(page, DRAFT, "night-ferry.fountain")

    page.get_by_test_id("tab-script").click()
    page.wait_for_url(re.compile(rf"/projects/{project_id}/script$"))
    script = page.get_by_test_id("lined-script")
    expect(script).to_be_visible()
    heading = element(page, "INT. FERRY BRIDGE - NIGHT")
    expect(heading).to_be_visible()
    # Laid out like the page: Courier-like 12 pt, the action at 1.5", cues at 3.7", dialogue at 2.5".
    assert page.evaluate("() => getComputedStyle(document.querySelector('.script-page')).fontSize") == "16px"  # 12pt
    page_box = page.get_by_test_id("script-page-1").bounding_box()

    def inches_from_left(text, exact=False):
        return round((element(page, text, exact).bounding_box()["x"] - page_box["x"]) / 96, 2)

    assert inches_from_left("CAPTAIN ODILE") == 1.5 and inches_from_left("ODILE", exact=True) == 3.7
    assert inches_from_left("Twelve knots") == 2.5 and inches_from_left("(to herself)") == 3.1
    scene_numbers = page.get_by_test_id("script-page-1").locator(".script-scene-number")
    expect(scene_numbers).to_have_count(4)  # both sides of both headings

    other_page.goto(f"/projects/{project_id}/script")
    wait_live(other_page)
    expect(other_page.get_by_test_id("lined-script")).to_be_visible()
    expect(other_page.locator(".coverage-line")).to_have_count(0)

    # Drag from the action line down to Mateo's line.
    start, end = element(page, "CAPTAIN ODILE").bounding_box(), element(page, "Captain, the car deck").bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(end["x"] + 20, end["y"] + 5, steps=8)
    page.mouse.up()
    expect(page.locator(".script-selected")).to_have_count(6)  # action, cue, parenthetical, dialogue, cue, dialogue
    bar = page.get_by_test_id("lines-selected")
    expect(bar).to_contain_text("6 lines selected")
    bar.get_by_test_id("new-shot-from-lines").click()

    line = page.locator(".coverage-line")
    expect(line).to_have_count(1, timeout=15_000)
    number = line.locator(".coverage-label").inner_text()
    assert number == "1A", number  # scene 1's first shot
    shot_id = int(line.get_attribute("data-coverage"))
    # The line runs from the action line to Mateo's dialogue.
    box, top, bottom = line.bounding_box(), element(page, "CAPTAIN ODILE").bounding_box(), element(page, "Captain, the car deck").bounding_box()
    assert abs(box["y"] - top["y"]) < 2 and abs((box["y"] + box["height"]) - (bottom["y"] + bottom["height"])) < 2
    # Someone else's script view gets the line live.
    expect(other_page.locator(f'[data-coverage="{shot_id}"] .coverage-label')).to_have_text(number, timeout=15_000)

    line.click()
    page.wait_for_url(re.compile(rf"/projects/{project_id}/script/shots/{shot_id}$"))
    expect(page.get_by_test_id("camera-shot-number")).to_have_text(number)
    page.get_by_test_id("camera-close").click()

    # The shot list shows the shot's lines and links back to them.
    page.get_by_test_id("tab-shots").click()
    link = page.get_by_test_id(f"shot-{shot_id}-lines")
    expect(link).to_have_text("p.1 · 6 lines")
    expect(page.get_by_test_id(f"shot-{shot_id}-dialogue")).to_contain_text("MATEO: Captain, the car deck is flooding.")
    link.click()
    page.wait_for_url(re.compile(rf"/projects/{project_id}/script#shot-{shot_id}$"))
    expect(page.locator(f'[data-coverage="{shot_id}"].coverage-focus')).to_have_count(1)
