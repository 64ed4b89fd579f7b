"""The browser's first paint of a 500-shot, 1,000-panel board in headless Debian chromium.

Runs the browser scale test (tests/browser/test_board_scale_browser.py: its studio, its project
builder, its in-page probe) and reports the figures it prints; the last line is JSON:
first_paint_ms (first shot rows on screen), all_rows_ms (every row), board_read_ms (the board's
GET done), each in ms since navigation started.
"""

import json
import os
import subprocess
import sys

from common import log

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST = "tests/browser/test_board_scale_browser.py"
MARK = "board paint "


def main():
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-m", "browser", "-p", "no:cacheprovider", TEST],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith(MARK)]
    if run.returncode != 0 or not lines:
        log(run.stdout[-3000:], run.stderr[-3000:])
        sys.exit(f"{TEST} failed (exit {run.returncode})")
    print(json.dumps(json.loads(lines[-1][len(MARK) :])))


if __name__ == "__main__":
    main()
