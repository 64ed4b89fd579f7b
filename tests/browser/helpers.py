"""Shared steps of the browser tests: signing in, opening the demo project, waiting for the room."""

import re

from playwright.sync_api import expect

DEMO_USER, DEMO_PASSWORD, DEMO_PROJECT = "demo", "previs-demo", "Harbour Light"


def sign_in(page, username=DEMO_USER, password=DEMO_PASSWORD):
    page.goto("/login")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/projects")


def open_demo_project(page):
    sign_in(page)
    page.get_by_role("link", name=DEMO_PROJECT).click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    expect(page.get_by_test_id("project-title")).to_have_text(DEMO_PROJECT)
    return int(page.url.rstrip("/").split("/")[-1])


def wait_live(page, timeout=20_000):
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=timeout)


def wait_saved(page, timeout=15_000):
    """Every op this tab made is acknowledged and on its board."""
    expect(page.get_by_test_id("connection")).to_have_attribute("data-pending", "0", timeout=timeout)


def shot_ids(page):
    return [int(row.get_attribute("data-shot")) for row in page.locator("tr.shot-row").all()]


def first_shot_id(page):
    row = page.locator("tr.shot-row").first
    expect(row).to_be_visible()
    return int(row.get_attribute("data-shot"))


def edit_cell(page, testid, value):
    """Click a cell, replace its value, press Enter and wait until the server has it."""
    cell = page.get_by_test_id(testid)
    cell.click()
    editor = cell.locator("textarea, input").first
    editor.fill(value)
    editor.press("Enter")
    expect(cell.locator("textarea, input")).to_have_count(0)
    wait_saved(page)


def open_live_text(page, testid):
    """Open a long-text cell and wait until it is bound to the shared document."""
    cell = page.get_by_test_id(testid)
    cell.click()
    editor = cell.locator("textarea[data-live]")
    expect(editor).to_be_visible()
    return editor


def board_from_api(page, project_id):
    answer = page.request.get(f"/api/projects/{project_id}/board/")
    assert answer.ok, answer.text()
    return answer.json()


def shot_rows_from_api(board):
    return [(shot["id"], shot["number"], shot["description"], shot["lens_mm"]) for scene in board["scenes"] for shot in scene["shots"]]


def shot_rows_on_page(page):
    """(id, number, description, lens) of every shot row, in screen order."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('tr.shot-row')).map((row) => {
            const id = Number(row.dataset.shot);
            const text = (field) => row.querySelector(`[data-testid="shot-${id}-${field}"]`).innerText.trim();
            const description = row.querySelector(`[data-testid="shot-${id}-description"]`);
            const placeholder = description.querySelector('.placeholder');
            return [id, text('number'), placeholder ? '' : description.innerText.trim(), Number(text('lens_mm').replace('mm', ''))];
        })"""
    )


def csrf_headers(page):
    """The page's CSRF token as a header, for API calls made with the page's session."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"X-CSRFToken": token}


def post(page, path, data):
    """POST JSON with the page's session; the answer's body (the test fails on an error)."""
    answer = page.request.post(path, data=data, headers=csrf_headers(page))
    assert answer.ok, f"POST {path}: {answer.status} {answer.text()}"
    return answer.json()


def get(page, path):
    answer = page.request.get(path)
    assert answer.ok, f"GET {path}: {answer.status} {answer.text()}"
    return answer.json()
