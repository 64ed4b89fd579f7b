"""The real studio in a subprocess (as `make run` starts it) and Debian's chromium driving it.

The server owns its own fresh SQLite database and media folder (STUDIO_DATA_DIR), so these tests
use no pytest-django database fixtures. Playwright never downloads a browser here: it launches
/usr/bin/chromium.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_USER, DEMO_PASSWORD, DEMO_PROJECT = "demo", "previs-demo", "Harbour Light"
START_TIMEOUT_S = 180  # migrate + seed (with a real render per shot) on two shared cores


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path, lines=40):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def studio_env(data_dir):
    """The environment of the studio subprocess (and of management commands run against it)."""
    env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    # A fresh embedded studio: no external database, broker or channel layer.
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def studio_data_dir(tmp_path_factory):
    """The running studio's STUDIO_DATA_DIR: its SQLite database and media."""
    return tmp_path_factory.mktemp("studio-data")


@pytest.fixture(scope="session")
def studio(studio_data_dir):
    """Base URL of a running studio: migrated, demo seeded, embedded worker, Daphne."""
    data_dir = studio_data_dir
    log_path = data_dir / "server.log"
    port = _free_port()
    env = studio_env(data_dir)
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runstudio", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"runstudio exited with {process.returncode}:\n{_log_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{base}/api/auth/session/", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # 403 when signed out: the server is up
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"runstudio did not answer on {base} within {START_TIMEOUT_S} s:\n{_log_tail(log_path)}")
                time.sleep(0.25)
        try:
            urllib.request.urlopen(f"{base}/login", timeout=10)
        except urllib.error.HTTPError as error:
            pytest.fail(f"/login answered {error.code}: the browser app is not built (run `make frontend`).")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium); Playwright must not download its own.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _desk(browser, studio, name):
    """A browser context of its own (cookies, socket) that fails the test on JavaScript errors."""
    context = browser.new_context(base_url=studio, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in {name}: {errors}"


@pytest.fixture
def page(browser, studio):
    yield from _desk(browser, studio, "the page")


@pytest.fixture
def other_page(browser, studio):
    """A second, independent browser: someone else at another desk."""
    yield from _desk(browser, studio, "the other page")
