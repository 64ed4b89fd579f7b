"""No silent loss in the real studio: an edit made offline survives a reload and reaches the
server and the other desk when the connection is back; an offline edit to a field a colleague
changed meanwhile keeps theirs and offers "Use mine"; leaving with unsent edits asks first; a
banner says the board is offline and how many edits wait."""

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .conftest import ROOT, studio_env
from .helpers import DEMO_PROJECT, board_from_api, edit_cell, open_demo_project, shot_ids, wait_live, wait_saved

pytestmark = pytest.mark.browser

DIRECTOR_USER, DIRECTOR_PASSWORD = "dana-offline", "harbour-dusk-17"


@pytest.fixture(scope="module")
def director_account(studio, studio_data_dir):
    """A second person on the demo project (a director), made with the studio's management shell."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from apps.projects.models import Membership, Project\n"
        f"user, _ = get_user_model().objects.get_or_create(username={DIRECTOR_USER!r}, defaults={{'first_name': 'Dana', 'last_name': 'Director'}})\n"
        f"user.set_password({DIRECTOR_PASSWORD!r}); user.save()\n"
        f"project = Project.objects.filter(name={DEMO_PROJECT!r}).order_by('pk').first()\n"
        "Membership.objects.get_or_create(project=project, user=user, defaults={'role': 'director'})\n"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=studio_env(studio_data_dir), check=True, capture_output=True, timeout=120)
    return DIRECTOR_USER, DIRECTOR_PASSWORD


def open_as(page, username, password):
    page.goto("/login")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/projects")
    page.get_by_role("link", name=DEMO_PROJECT).first.click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    wait_live(page)
    return int(page.url.rstrip("/").split("/")[-1])


class Network:
    """A desk's connection. The browser's offline mode fires the page's "offline" event, on
    which state/socket.ts drops its socket; but Chromium's offline emulation lets a new
    WebSocket through, so while offline the room's sockets are also refused here."""

    def __init__(self, page):
        self.page, self.down = page, False
        page.context.route_web_socket(re.compile(r"/ws/"), self.route)

    def route(self, socket):
        if self.down:
            socket.close()
        else:
            socket.connect_to_server()

    def off(self):
        self.down = True
        self.page.context.set_offline(True)
        expect(self.page.get_by_test_id("connection")).to_have_text("reconnecting…", timeout=10_000)

    def on(self):
        self.down = False
        self.page.context.set_offline(False)


def edit_offline(page, testid, value):
    cell = page.get_by_test_id(testid)
    cell.click()
    cell.locator("input").fill(value)
    cell.locator("input").press("Enter")
    expect(cell.locator("input")).to_have_count(0)


def lens_in_api(page, project_id, shot):
    board = board_from_api(page, project_id)
    return next(float(s["lens_mm"]) for scene in board["scenes"] for s in scene["shots"] if s["id"] == shot)


def test_an_offline_edit_survives_a_reload_and_reaches_the_other_desk(page, other_page):
    network = Network(page)
    project_id = open_demo_project(page)
    open_demo_project(other_page)
    wait_live(page)
    wait_live(other_page)
    shot = shot_ids(page)[5]
    edit_cell(page, f"shot-{shot}-lens_mm", "40")
    expect(other_page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("40mm")

    network.off()
    edit_offline(page, f"shot-{shot}-lens_mm", "50")
    expect(page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("50mm")  # shown at once
    expect(page.get_by_test_id("offline-banner")).to_contain_text("Offline — 1 edit waiting")

    # Reloaded while still offline: the page is gone (the browser's own error page), the edit
    # only in IndexedDB. Leaving is allowed when the browser asks.
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.reload()
    except PlaywrightError:
        pass  # net::ERR_INTERNET_DISCONNECTED
    expect(page.get_by_test_id("project-title")).to_have_count(0)
    assert lens_in_api(other_page, project_id, shot) == 40.0

    network.on()
    page.goto(f"/projects/{project_id}")
    wait_live(page)
    wait_saved(page)
    expect(page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("50mm")
    expect(other_page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("50mm")
    expect(page.get_by_test_id("offline-banner")).to_have_count(0)
    assert lens_in_api(other_page, project_id, shot) == 50.0


def test_an_offline_edit_does_not_overwrite_a_colleagues_newer_value(page, other_page, director_account):
    network = Network(page)
    project_id = open_as(page, *director_account)  # Dana, who goes offline
    open_demo_project(other_page)  # the demo user, who stays online
    wait_live(other_page)
    shot = shot_ids(page)[6]

    network.off()
    edit_offline(page, f"shot-{shot}-lens_mm", "32")
    edit_cell(other_page, f"shot-{shot}-lens_mm", "75")  # meanwhile, online

    network.on()
    wait_live(page)
    wait_saved(page)
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("lens mm")
    expect(conflict).to_contain_text("75")
    expect(conflict).to_contain_text("Yours: 32")
    # Theirs is kept, on both desks and on the server.
    expect(page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("75mm")
    expect(other_page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("75mm")
    assert lens_in_api(page, project_id, shot) == 75.0

    # Dana chooses hers after all: written, and the colleague sees it.
    conflict.get_by_test_id("use-mine").click()
    expect(page.get_by_test_id("conflict")).to_have_count(0)
    wait_saved(page)
    expect(page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("32mm")
    expect(other_page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("32mm")
    assert lens_in_api(other_page, project_id, shot) == 32.0


def test_leaving_with_unsent_edits_asks_first(page):
    network = Network(page)
    open_demo_project(page)
    wait_live(page)
    shot = shot_ids(page)[3]
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    # Everything saved: leaving asks nothing.
    edit_cell(page, f"shot-{shot}-lens_mm", "28")
    page.reload()
    wait_live(page)
    assert dialogs == []

    network.off()
    edit_offline(page, f"shot-{shot}-lens_mm", "135")
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert dialogs == ["beforeunload"]


def test_the_offline_banner_says_how_many_edits_wait(page):
    network = Network(page)
    open_demo_project(page)
    wait_live(page)
    expect(page.get_by_test_id("offline-banner")).to_have_count(0)
    shots = shot_ids(page)[1:3]
    network.off()
    banner = page.get_by_test_id("offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Offline — 0 edits waiting")
    expect(banner).to_contain_text("Reconnecting…")
    for shot, lens in zip(shots, ("33", "43")):
        edit_offline(page, f"shot-{shot}-lens_mm", lens)
    expect(banner).to_contain_text("Offline — 2 edits waiting")
    network.on()
    wait_live(page)
    wait_saved(page)
    expect(banner).to_have_count(0)
