"""A 500-shot, 1,000-panel board in the browser: every row shows, the board read comes gzipped,
and the time from navigation to the whole shot list on screen is printed (speed targets are
checked by benchmarks, not by timed tests; bench/api.py times the read itself)."""

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


def test_a_500_shot_board_paints(page, studio, studio_data_dir):
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", BUILD], cwd=ROOT, env=studio_env(studio_data_dir), capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr
    project_id = int(made.stdout.split()[-1])
    sign_in(page, "bench", "bench-password-1")

    with page.expect_response(lambda r: r.url.endswith(f"/api/projects/{project_id}/board/")) as board:
        page.goto(f"/projects/{project_id}")
        expect(page.locator("tr.shot-row")).to_have_count(SHOTS, timeout=60_000)
    painted_ms = page.evaluate("performance.now()")  # since this document's navigation started
    fetched_ms = page.evaluate(
        f"Math.max(...performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/projects/{project_id}/board/')).map(e => e.responseEnd))"
    )
    assert board.value.status == 200
    assert board.value.headers.get("content-encoding") == "gzip"
    print(f"\n500-shot board: read in {fetched_ms:.0f} ms, every shot row on screen {painted_ms:.0f} ms after navigation")
