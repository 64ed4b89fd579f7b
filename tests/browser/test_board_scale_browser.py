"""A 500-shot, 1,000-panel board in the browser: every row shows, the board read comes gzipped,
and the times from navigation to the first rows and to every row on screen are printed as one
JSON line (speed targets are checked by benchmarks, not by timed tests: bench/board_paint.py
runs this test and reports that line; bench/api.py times the read itself)."""

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, studio_env
from .helpers import sign_in

pytestmark = pytest.mark.browser

SHOTS = 500

# The benchmark's own project builder (bulk inserts: 500 shots in 20 scenes, 2 panels each).
BUILD = f"""
import sys
sys.path.insert(0, "bench")
from api import build_project
project, _user, _shots = build_project({SHOTS}, 2, "Five hundred shots")
print(project.pk)
"""


# Noted in the page itself (no polling delay): the frame in which the first shot row, and then
# the last of them, entered the DOM, in ms since navigation started.
PAINT_PROBE = f"""
window.__boardPaint = {{}};
const rows = document.getElementsByClassName("shot-row");
new MutationObserver(() => {{
  const paint = window.__boardPaint;
  const frame = (key) => requestAnimationFrame(() => (paint[key] = performance.now()));
  if (rows.length && paint.first === undefined) {{ paint.first = null; frame("first"); }}
  if (rows.length >= {SHOTS} && paint.all === undefined) {{ paint.all = null; frame("all"); }}
}}).observe(document, {{ childList: true, subtree: true }});
"""


def test_a_500_shot_board_paints(page, studio, studio_data_dir):
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", BUILD], check=False, cwd=ROOT, env=studio_env(studio_data_dir), capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr
    project_id = int(made.stdout.split()[-1])
    sign_in(page, "bench", "bench-password-1")
    page.add_init_script(PAINT_PROBE)

    with page.expect_response(lambda r: r.url.endswith(f"/api/projects/{project_id}/board/")) as board:
        page.goto(f"/projects/{project_id}")
        expect(page.locator("tr.shot-row").first).to_be_visible(timeout=60_000)
        expect(page.locator("tr.shot-row")).to_have_count(SHOTS, timeout=60_000)
    page.wait_for_function("window.__boardPaint.all > 0")
    # The last row is reachable: scrolled to, it is on screen and its cells take the keyboard.
    last = page.locator("tr.shot-row").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    last.locator("[data-cell]").first.focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("tr.shot-row").nth(SHOTS - 2).locator("[data-cell]").first).to_be_focused()
    paint = page.evaluate("window.__boardPaint")
    fetched_ms = page.evaluate(
        f"Math.max(...performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/projects/{project_id}/board/')).map(e => e.responseEnd))"
    )
    assert board.value.status == 200
    assert board.value.headers.get("content-encoding") == "gzip"
    figures = {"first_paint_ms": round(paint["first"]), "all_rows_ms": round(paint["all"]), "board_read_ms": round(fetched_ms)}
    print(f"\nboard paint {json.dumps(figures)}")
