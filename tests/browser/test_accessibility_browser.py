"""WCAG 2.2 AA in the real studio (issue 16), checked with axe-core (frontend/node_modules/axe-core,
pinned in frontend/package.json): every page of the studio, signed in and signed out, in the light
and the dark theme, has no serious or critical violation (contrast, names of buttons and fields,
landmarks, ARIA). The shot list is checked with its shortcut sheet open too."""

import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import DEMO_PROJECT, post, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = ("serious", "critical")


@contextmanager
def desk(browser, studio, theme):
    """A browser context of its own whose system preference is `theme` (the studio follows it)."""
    context = browser.new_context(
        base_url=studio, viewport={"width": 1280, "height": 860}, color_scheme=theme, bypass_csp=True
    )  # axe-core is injected as a script the page's CSP would refuse
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def settle(page):
    page.wait_for_load_state("networkidle")
    # Transitions (a drawer sliding in, a fading toast) are over before colours are measured.
    page.wait_for_timeout(400)


def violations(page):
    """axe-core's serious and critical WCAG 2.2 A/AA violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `cd frontend && npm ci`.")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })", WCAG_22_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(f"{n['target']} {n.get('failureSummary', '')[:160]!r}" for n in v["nodes"][:4])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.fixture(scope="module")
def places(browser, studio):
    """Ids and links for every page: the demo project, a shot, a review, a client link, an invite."""
    with desk(browser, studio, "dark") as page:
        sign_in(page)
        project = next(p for p in page.request.get("/api/projects/").json() if p["name"] == DEMO_PROJECT)
        board = page.request.get(f"/api/projects/{project['id']}/board/").json()
        scene = board["scenes"][0]
        review = post(page, "/api/reviews/", {"project": project["id"], "scene": scene["id"]})
        link = post(page, "/api/share-links/", {"review": review["id"], "scope": "comment", "watermark": True, "label": "Client"})
        invite = post(page, f"/api/projects/{project['id']}/invites/", {"role": "editor"})
        # A finished render, so the storyboard, the camera panel and the thumbnails show theirs.
        job = post(page, "/api/render-jobs/", {"shot": scene["shots"][0]["id"], "kind": "frame", "parameters": {"width": 320}})
        deadline = time.monotonic() + 60
        while job["status"] not in ("succeeded", "failed", "cancelled"):
            assert time.monotonic() < deadline, "the frame render did not finish"
            time.sleep(0.2)
            job = page.request.get(f"/api/render-jobs/{job['id']}/").json()
        return {"project": project["id"], "shot": scene["shots"][0]["id"], "review": review["id"], "link": link["url"], "invite": invite["url"]}


def check(page, name, found):
    page_violations = violations(page)
    if page_violations:
        found[name] = page_violations


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_has_no_serious_or_critical_violation(browser, studio, places, theme):
    found = {}
    project = places["project"]
    with desk(browser, studio, theme) as page:
        # Signed out: sign-in, password reset (ask for a link, and a link's page), an invite, a client link.
        page.goto("/login")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        settle(page)
        check(page, "sign-in", found)
        page.goto("/reset")
        expect(page.locator("form")).to_be_visible()
        settle(page)
        check(page, "password reset: ask", found)
        page.goto("/reset/MQ/not-a-real-token")
        expect(page.locator("main, form, .login-card").first).to_be_visible()
        settle(page)
        check(page, "password reset: new password", found)
        page.goto(places["invite"])
        expect(page.locator("form, .login-card").first).to_be_visible()
        settle(page)
        check(page, "invite (signed out)", found)
        page.goto(places["link"])
        expect(page.get_by_test_id("guest-join")).to_be_visible()
        settle(page)
        check(page, "client link: join", found)
        page.get_by_test_id("guest-name").fill("Dana (agency)")
        page.get_by_test_id("guest-join").locator("button[type=submit]").click()
        expect(page.get_by_test_id("review-player")).to_be_visible()
        settle(page)
        check(page, "client link: review", found)

    with desk(browser, studio, theme) as page:
        sign_in(page)
        settle(page)
        check(page, "projects", found)
        pages = [
            ("shot list", f"/projects/{project}", lambda p: expect(p.locator("tr.shot-row").first).to_be_visible()),
            ("storyboard", f"/projects/{project}/board", lambda p: expect(p.locator(".board-shot").first).to_be_visible()),
            ("library", f"/projects/{project}/library", lambda p: expect(p.locator(".library")).to_be_visible()),
            ("camera panel", f"/projects/{project}/shots/{places['shot']}", lambda p: expect(p.locator(".camera-drawer")).to_be_visible()),
            ("script", f"/projects/{project}/script", lambda p: expect(p.locator(".project-main > *").first).to_be_visible()),
            ("crew", f"/projects/{project}/members", lambda p: expect(p.locator(".members")).to_be_visible()),
            ("review", f"/reviews/{places['review']}", lambda p: expect(p.get_by_test_id("review-player")).to_be_visible()),
            ("invite (signed in)", re.sub(r"^https?://[^/]+", "", places["invite"]), lambda p: expect(p.locator("form, .login-card").first).to_be_visible()),
        ]
        for name, path, ready in pages:
            page.goto(path)
            ready(page)
            settle(page)
            check(page, name, found)
        # The shot list with its shortcut sheet open (a modal dialog).
        page.goto(f"/projects/{project}")
        expect(page.locator("tr.shot-row").first).to_be_visible()
        page.locator("body").click(position={"x": 5, "y": 400})
        page.keyboard.press("?")
        expect(page.get_by_test_id("shortcut-sheet")).to_be_visible()
        settle(page)
        check(page, "shortcut sheet", found)

    assert found == {}, "\n".join(f"[{theme}] {name}:\n  " + "\n  ".join(items) for name, items in found.items())
