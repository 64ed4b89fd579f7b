"""Layouts, themes and print in the real studio (issue 16): every page at a tablet's 1024×768 and a
phone's 390×844 without the page scrolling sideways; the shot list's columns readable on the
tablet and a card a shot on the phone; a header that does not print over itself; the light theme
from the system's preference and a switch that is remembered; the shot list and storyboards
printed to PDF light, with every shot, a page a scene and the project on every page; a pen's
pressure kept in the marks it draws; the share panel's Revoke button inside the panel; a guest's
name over a clip."""

import io
import re
import time
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .helpers import DEMO_PROJECT, get, post, sign_in

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
PRINT_PROJECT = "Print Check Day"
PRINT_SCENES = 4
SHOTS_PER_SCENE = 16  # 64 shots: more than the shot list paints in its first pass


@contextmanager
def desk(browser, studio, viewport, **options):
    """A browser context of its own at a window size; JavaScript errors fail the test."""
    context = browser.new_context(base_url=studio, viewport=viewport, **options)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def sideways_overflow(page):
    """How far the page scrolls sideways (0: it does not), with what sticks out when it does."""
    return page.evaluate("""() => {
        const root = document.scrollingElement, over = root.scrollWidth - root.clientWidth;
        if (over <= 0) return 0;
        const out = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5);
        return [over, out.slice(0, 6).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)];
    }""")


def settle(page):
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


@pytest.fixture(scope="module")
def demo(browser, studio):
    """The demo project's ids, a review of its first scene and a client link to it."""
    with desk(browser, studio, TABLET) as page:
        sign_in(page)
        project = next(p for p in get(page, "/api/projects/") if p["name"] == DEMO_PROJECT)
        board = get(page, f"/api/projects/{project['id']}/board/")
        scene = board["scenes"][0]
        review = post(page, "/api/reviews/", {"project": project["id"], "scene": scene["id"]})
        link = post(
            page,
            "/api/share-links/",
            {
                "review": review["id"],
                "scope": "comment",
                "watermark": True,
                "label": "Agency producer, her assistant and the client's brand manager",
            },
        )
        return {"project": project["id"], "scene": scene["id"], "shot": scene["shots"][0]["id"], "review": review["id"], "link": link}


@pytest.fixture(scope="module")
def print_board(browser, studio):
    """A production of 64 shots in four scenes, made over the API, each shot marked to be found in a PDF."""
    with desk(browser, studio, TABLET) as page:
        sign_in(page)
        project = post(page, "/api/projects/", {"name": PRINT_PROJECT, "fps": "24", "aspect_ratio": "2.39", "sensor": "super35"})
        scenes = []
        for s in range(1, PRINT_SCENES + 1):
            scene = post(
                page, "/api/scenes/", {"project": project["id"], "setting": "EXT", "time_of_day": "NIGHT", "synopsis": f"Synopsis of scene marker S{s}Q"}
            )
            scenes.append(scene["id"])
            for n in range(1, SHOTS_PER_SCENE + 1):
                post(page, "/api/shots/", {"scene": scene["id"], "description": f"Marker P{s}X{n:02d} the keeper climbs to the lamp room"})
        return {"project": project["id"], "scenes": scenes}


# --- No page scrolls sideways, at 1024×768 and at 390×844 -----------------------------------------


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_no_page_scrolls_sideways(browser, studio, demo, viewport):
    project, shot, review = demo["project"], demo["shot"], demo["review"]
    pages = [
        ("projects", "/projects", lambda p: expect(p.get_by_role("link", name=DEMO_PROJECT)).to_be_visible()),
        ("shot list", f"/projects/{project}", lambda p: expect(p.locator("tr.shot-row").first).to_be_visible()),
        ("storyboard", f"/projects/{project}/board", lambda p: expect(p.locator(".board-shot").first).to_be_visible()),
        ("library", f"/projects/{project}/library", lambda p: expect(p.locator(".library")).to_be_visible()),
        ("camera panel", f"/projects/{project}/shots/{shot}", lambda p: expect(p.locator(".camera-drawer")).to_be_visible()),
        ("review", f"/reviews/{review}", lambda p: expect(p.get_by_test_id("review-player")).to_be_visible()),
    ]
    overflow = {}
    with desk(browser, studio, viewport) as page:
        sign_in(page)
        for name, path, ready in pages:
            page.goto(path)
            ready(page)
            settle(page)
            overflow[name] = sideways_overflow(page)
        # The review's share panel: the link list with a long label, and its Revoke button inside the panel.
        page.goto(f"/reviews/{review}")
        page.get_by_test_id("review-tab-share").click()
        revoke = page.get_by_test_id(f"share-link-{demo['link']['id']}-revoke")
        expect(revoke).to_be_visible()
        settle(page)
        overflow["review share panel"] = sideways_overflow(page)
        button, item = revoke.bounding_box(), page.get_by_test_id(f"share-link-{demo['link']['id']}").bounding_box()
        assert item["x"] <= button["x"] and button["x"] + button["width"] <= item["x"] + item["width"] + 0.5, (button, item)
        assert button["x"] + button["width"] <= viewport["width"]

    with desk(browser, studio, viewport) as guest:
        guest.goto(demo["link"]["url"])
        expect(guest.get_by_test_id("guest-join")).to_be_visible()
        settle(guest)
        overflow["share link: name"] = sideways_overflow(guest)
        guest.get_by_test_id("guest-name").fill("Cora Client")
        guest.get_by_test_id("guest-submit").click()
        expect(guest.get_by_test_id("review-player")).to_be_visible()
        settle(guest)
        overflow["share link: review"] = sideways_overflow(guest)
    assert overflow == {name: 0 for name in overflow}, overflow


# --- The shot list on a tablet and on a phone ------------------------------------------------------

WORDS_BROKEN = """() => {
  // Every word of every visible text cell on one line box: a word broken across lines has two.
  const broken = [];
  for (const cell of document.querySelectorAll("tr.shot-row td.text-cell")) {
    if (!cell.offsetParent || cell.getBoundingClientRect().width === 0) continue; // a collapsed column
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_shot_list_columns_stay_readable_on_a_tablet(browser, studio, demo):
    with desk(browser, studio, TABLET) as page:
        sign_in(page)
        page.goto(f"/projects/{demo['project']}")
        expect(page.locator("tr.shot-row").first).to_be_visible()
        settle(page)
        widths = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.shots-table thead tr:not(.print-head) th')]
            .filter((th) => th.getBoundingClientRect().width > 0).map((th) => [th.className.replace('col-', ''), th.getBoundingClientRect().width]))""")
        # The action keeps a readable measure (it collapsed to ~60 px), the key columns stay.
        assert widths["description"] >= 200, widths
        for key in ("number", "characters", "shot_size", "angle", "movement", "lens_mm", "props", "notes", "status", "actions"):
            assert key in widths, f"{key} hidden at 1024 px: {widths}"
        # Lower-priority columns give way (they are on the card and in the camera panel).
        for key in ("framing", "rig", "fps", "dialogue"):
            assert key not in widths, f"{key} still shown at 1024 px: {widths}"
        # No header label cut, the table fits the window (no sideways scrolling of the list either).
        cut = page.evaluate(
            "() => [...document.querySelectorAll('.shots-table thead tr:not(.print-head) th')].filter((th) => th.clientWidth > 0 && th.scrollWidth > th.clientWidth + 1).map((th) => th.className)"
        )
        assert cut == []
        scroll = page.locator(".table-scroll")
        assert scroll.evaluate("(el) => el.scrollWidth - el.clientWidth") <= 0
        assert page.evaluate(WORDS_BROKEN) == []
        # Every shot is still a row of the table.
        assert page.locator("tr.shot-row").first.evaluate("(row) => getComputedStyle(row).display") == "table-row"


def test_shot_list_is_a_card_a_shot_on_a_phone(browser, studio, demo):
    with desk(browser, studio, PHONE, has_touch=True, is_mobile=True) as page:
        sign_in(page)
        page.goto(f"/projects/{demo['project']}")
        row = page.locator("tr.shot-row").first
        expect(row).to_be_visible()
        settle(page)
        assert row.evaluate("(row) => getComputedStyle(row).display") == "flex"
        expect(page.locator(".shots-table thead")).to_be_hidden()
        card = row.bounding_box()
        assert card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"], card
        description = row.locator("[data-testid$=-description]")
        assert description.bounding_box()["width"] >= card["width"] - 4  # the action across the card
        # Every field is on the card, the coded ones with what they are.
        shot = demo["shot"]
        for field, label in (
            ("lens_mm", "Lens"),
            ("shot_size", "Size"),
            ("framing", "Framing"),
            ("rig", "Rig"),
            ("fps", "FPS"),
            ("props", "Props"),
            ("notes", "Notes"),
        ):
            cell = page.get_by_test_id(f"shot-{shot}-{field}")
            expect(cell).to_be_visible()
            assert cell.evaluate("(cell) => getComputedStyle(cell, '::before').content") == f'"{label}"'
        # Cards stack down the page, one under the other.
        second = page.locator("tr.shot-row").nth(1).bounding_box()
        assert second["y"] >= card["y"] + card["height"]
        assert page.evaluate(WORDS_BROKEN) == []
        # A card is still edited in place.
        page.get_by_test_id(f"shot-{shot}-notes").click()
        expect(page.get_by_test_id(f"shot-{shot}-notes").locator("textarea")).to_be_visible()
        page.keyboard.press("Escape")


def boxes_overlap(a, b):
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


@pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
def test_the_header_does_not_print_over_itself(browser, studio, demo, viewport):
    with desk(browser, studio, viewport) as page:
        sign_in(page)
        page.goto(f"/projects/{demo['project']}")
        expect(page.get_by_test_id("connection")).to_have_text("live")
        settle(page)
        parts = {
            "brand": page.locator(".topbar .brand"),
            "title": page.get_by_test_id("project-title"),
            "tabs": page.locator(".topbar .tabs"),
            "import": page.get_by_test_id("import-script"),
            "export": page.get_by_test_id("exports"),
            "connection": page.get_by_test_id("connection"),
            "theme": page.get_by_test_id("theme-switch"),
            "sign out": page.get_by_role("button", name="Sign out"),
        }
        boxes = {}
        for name, locator in parts.items():
            expect(locator).to_be_visible()
            boxes[name] = locator.bounding_box()
            assert 0 <= boxes[name]["x"] and boxes[name]["x"] + boxes[name]["width"] <= viewport["width"] + 0.5, (name, boxes[name])
        names = list(boxes)
        overlapping = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if boxes_overlap(boxes[a], boxes[b])]
        assert overlapping == [], (overlapping, boxes)
        # The tabs are links that still fit their labels.
        for tab in ("shots", "board", "library"):
            assert page.get_by_test_id(f"tab-{tab}").evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")


# --- Themes ----------------------------------------------------------------------------------------


def background_lightness(page):
    """The page's background, 0 (black) … 255 (white)."""
    rgb = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return (red + green + blue) / 3


def test_light_theme_follows_the_system_and_the_switch_is_remembered(browser, studio, demo):
    with desk(browser, studio, TABLET, color_scheme="light") as page:
        sign_in(page)
        page.goto(f"/projects/{demo['project']}")
        expect(page.locator("tr.shot-row").first).to_be_visible()
        assert background_lightness(page) > 200  # the system asks for light: light
        assert page.evaluate("() => document.documentElement.dataset.theme") is None
        expect(page.get_by_test_id("theme-switch")).to_have_value("system")
        text = page.get_by_test_id("project-title").evaluate("(el) => getComputedStyle(el).color")
        assert sum(int(v) for v in re.findall(r"\d+", text)[:3]) / 3 < 100  # dark text on it

        page.get_by_test_id("theme-switch").select_option("dark")
        assert background_lightness(page) < 60
        page.reload()
        expect(page.locator("tr.shot-row").first).to_be_visible()
        assert background_lightness(page) < 60  # remembered across a reload, against the system's light
        expect(page.get_by_test_id("theme-switch")).to_have_value("dark")
        assert page.evaluate("() => localStorage.getItem('previs-theme')") == "dark"

        page.get_by_test_id("theme-switch").select_option("system")
        assert background_lightness(page) > 200
        assert page.evaluate("() => localStorage.getItem('previs-theme')") is None

    with desk(browser, studio, TABLET, color_scheme="dark") as page:
        sign_in(page)
        assert background_lightness(page) < 60  # the system asks for dark: dark
        page.get_by_test_id("theme-switch").select_option("light")
        page.goto(f"/reviews/{demo['review']}")
        expect(page.get_by_test_id("review-player")).to_be_visible()
        assert background_lightness(page) > 200
        expect(page.get_by_test_id("theme-switch")).to_have_value("light")


# --- Print ------------------------------------------------------------------------------------------


def pdf_pages(page):
    page.emulate_media(media="print")
    data = page.pdf(format="A4", landscape=True, print_background=True)
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_the_shot_list_prints_every_shot_a_scene_a_page(browser, studio, print_board):
    with desk(browser, studio, {"width": 1440, "height": 900}, color_scheme="dark") as page:
        sign_in(page)
        page.evaluate("() => localStorage.setItem('previs-theme', 'dark')")  # printing is light even so
        page.goto(f"/projects/{print_board['project']}")
        expect(page.locator("tr.shot-row").first).to_be_visible()
        page.emulate_media(media="print")
        assert background_lightness(page) > 240
        assert page.locator("tr.shot-row").count() == PRINT_SCENES * SHOTS_PER_SCENE  # every row, none held back
        texts = pdf_pages(page)

    shots_on = [set(re.findall(r"P(\d)X(\d\d)", text)) for text in texts]
    printed = set().union(*shots_on)
    assert printed == {(str(s), f"{n:02d}") for s in range(1, PRINT_SCENES + 1) for n in range(1, SHOTS_PER_SCENE + 1)}, sorted(printed)
    # A scene a page: no page holds shots of two scenes, scenes run in order, each starts with its heading.
    scenes_on = [sorted({s for s, _ in shots}) for shots in shots_on]
    assert all(len(scenes) <= 1 for scenes in scenes_on), scenes_on
    order = [scenes[0] for scenes in scenes_on if scenes]
    assert order == sorted(order) and len(set(order)) == PRINT_SCENES
    for scene in range(1, PRINT_SCENES + 1):
        first = next(i for i, scenes in enumerate(scenes_on) if scenes == [str(scene)])
        assert f"S{scene}Q" in texts[first], f"scene {scene}'s first page has no heading"
    # The project and the date on every page; none of the studio's controls.
    today = time.strftime("%Y")
    for number, text in enumerate(texts, 1):
        assert PRINT_PROJECT in text and "Shot list" in text and today in text, f"page {number}: {text[:200]}"
        for chrome in ("Sign out", "+ Shot in scene", "+ Scene", "Delete scene", "Click or Enter to edit"):
            assert chrome not in text, f"page {number} prints {chrome!r}"
    assert len(texts) >= PRINT_SCENES


def test_storyboards_print_a_scene_a_page(browser, studio, print_board):
    with desk(browser, studio, {"width": 1440, "height": 900}) as page:
        sign_in(page)
        page.goto(f"/projects/{print_board['project']}/board")
        expect(page.locator(".board-shot")).to_have_count(PRINT_SCENES * SHOTS_PER_SCENE)
        texts = pdf_pages(page)
    scenes_on = [sorted(set(re.findall(r"S(\d)Q", text))) for text in texts]
    assert all(len(scenes) <= 1 for scenes in scenes_on), scenes_on
    assert sorted({s for scenes in scenes_on for s in scenes}) == [str(s) for s in range(1, PRINT_SCENES + 1)]
    for number, text in enumerate(texts, 1):
        if re.search(r"S\dQ", text):  # a scene's first page carries the header
            assert PRINT_PROJECT in text and "Storyboards" in text, f"page {number}: {text[:200]}"
        for chrome in ("Sign out", "Render frame", "Camera", "Drop image or click to upload"):
            assert chrome not in text, f"page {number} prints {chrome!r}"


# --- A pen on a tablet ------------------------------------------------------------------------------


def test_a_pen_stroke_keeps_its_pressure(browser, studio, demo):
    with desk(browser, studio, TABLET, has_touch=True) as page:
        sign_in(page)
        page.goto(f"/reviews/{demo['review']}")
        expect(page.get_by_test_id("review-connection")).to_have_text("live")
        page.get_by_test_id("tool-pen").click()
        layer = page.get_by_test_id("annotation-layer")
        box = layer.bounding_box()
        before = {a["id"] for a in get(page, f"/api/annotations/?review={demo['review']}")}

        # A real stylus through the browser's input pipeline: light at the start, pressing harder.
        cdp = page.context.new_cdp_session(page)
        steps = 12
        points = [
            (box["x"] + box["width"] * (0.2 + 0.5 * i / steps), box["y"] + box["height"] * (0.3 + 0.3 * i / steps), 0.1 + 0.85 * i / steps)
            for i in range(steps + 1)
        ]
        x, y, force = points[0]
        cdp.send(
            "Input.dispatchMouseEvent",
            {"type": "mousePressed", "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1, "pointerType": "pen", "force": force},
        )
        for x, y, force in points[1:]:
            cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y, "button": "left", "buttons": 1, "pointerType": "pen", "force": force})
        cdp.send(
            "Input.dispatchMouseEvent",
            {"type": "mouseReleased", "x": x, "y": y, "button": "left", "buttons": 0, "clickCount": 1, "pointerType": "pen", "force": 0},
        )

        deadline = time.monotonic() + 10
        while True:
            made = [a for a in get(page, f"/api/annotations/?review={demo['review']}") if a["id"] not in before]
            if made or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(made) == 1, made
        (shape,) = made[0]["shapes"]
        assert shape["tool"] == "pen" and len(shape["points"]) >= 8
        pressures = [point[2] for point in shape["points"]]
        assert min(pressures) < 0.35 and max(pressures) > 0.8, pressures  # stored with each point
        # Drawn thin where the pen was light and thick where it pressed.
        stored = page.get_by_test_id(f"annotation-{made[0]['id']}")
        expect(stored).to_be_visible()
        widths = [float(w) for w in stored.locator("line").evaluate_all("(lines) => lines.map((l) => l.getAttribute('stroke-width'))")]
        assert len(set(widths)) > 3 and max(widths) > 1.8 * min(widths), widths


# --- The guest's name over a clip --------------------------------------------------------------------


def test_a_guest_sees_their_name_over_clips(browser, studio, demo):
    with desk(browser, studio, TABLET) as director:
        sign_in(director)
        job = post(director, "/api/render-jobs/", {"shot": demo["shot"], "kind": "clip"})
        deadline = time.monotonic() + 180
        while job["status"] not in ("succeeded", "failed", "cancelled"):
            assert time.monotonic() < deadline, f"clip render {job['id']} still {job['status']}"
            time.sleep(0.5)
            job = get(director, f"/api/render-jobs/{job['id']}/")
        assert job["status"] == "succeeded", job
        plain = post(director, "/api/share-links/", {"review": demo["review"], "scope": "view", "watermark": False, "label": "No watermark"})

    with desk(browser, studio, PHONE) as guest:
        guest.goto(demo["link"]["url"])
        guest.get_by_test_id("guest-name").fill("Wendy Watermark")
        guest.get_by_test_id("guest-submit").click()
        expect(guest.get_by_test_id("review-video")).to_be_visible()
        mark = guest.get_by_test_id("clip-watermark")
        expect(mark).to_be_visible()
        expect(mark.locator(".watermark-foot")).to_contain_text("Wendy Watermark")
        expect(mark.locator(".watermark-foot")).to_contain_text(DEMO_PROJECT)
        # It covers the picture and takes no clicks (drawing and the transport work through it).
        picture, covered = guest.locator(".review-picture").bounding_box(), mark.bounding_box()
        assert abs(picture["width"] - covered["width"]) < 1 and abs(picture["height"] - covered["height"]) < 1
        assert mark.evaluate("(el) => getComputedStyle(el).pointerEvents") == "none"
        # Stamps in a row never run into each other.
        gaps = mark.locator(".watermark-row").first.evaluate(
            "(row) => { const r = [...row.children].map((s) => s.getBoundingClientRect()); return r.slice(1).map((b, i) => b.left - r[i].right); }"
        )
        assert gaps and min(gaps) > 10, gaps
        assert sideways_overflow(guest) == 0

    with desk(browser, studio, TABLET) as other:
        other.goto(plain["url"])
        other.get_by_test_id("guest-name").fill("Nora Nomark")
        other.get_by_test_id("guest-submit").click()
        expect(other.get_by_test_id("review-video")).to_be_visible()
        expect(other.get_by_test_id("clip-watermark")).to_have_count(0)
