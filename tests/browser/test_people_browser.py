"""People in the real studio: the owner invites by email from the Crew screen, the invitee opens
the link from the studio's outbox (the embedded studio writes each email under .data/mail/),
signs up, edits a shot, is told why Review is locked for an editor; the owner makes them
director, and a director's role selects never offer owner."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import board_from_api, edit_cell, first_shot_id, open_demo_project, wait_live

pytestmark = pytest.mark.browser

INVITEE, INVITEE_EMAIL, INVITEE_PASSWORD = "maya", "maya.reyes@example.com", "tide-lantern-harbour-93"


def invite_link_from_outbox(data_dir, address, timeout=15.0):
    """The invite link in the newest email to `address` the studio wrote to its mail folder."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sorted((data_dir / "mail").glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True):
            text = message.read_text()
            if f"To: {address}" in text:
                return re.search(r"https?://\S+/invites/[A-Za-z0-9_-]+", text).group(0)
        time.sleep(0.2)
    raise AssertionError(f"no invite mail to {address} in {data_dir / 'mail'}")


def options_of(select):
    # The Crew screen draws the members once its request answers ("Loading…" before): wait for the
    # select itself, evaluate_all does not.
    expect(select).to_be_visible()
    return select.locator("option").evaluate_all("options => options.map(o => o.value)")


def test_invite_sign_up_edit_and_roles(page, other_page, studio, studio_data_dir):
    project_id = open_demo_project(page)
    page.get_by_test_id("tab-members").click()
    page.wait_for_url(f"**/projects/{project_id}/members")
    expect(page.get_by_test_id("member-demo")).to_be_visible()
    # The owner may invite with any role.
    assert options_of(page.get_by_test_id("invite-role")) == ["owner", "director", "editor", "viewer"]
    page.get_by_test_id("invite-email").fill(INVITEE_EMAIL)
    page.get_by_test_id("invite-role").select_option("editor")
    page.get_by_test_id("invite-send").click()
    expect(page.get_by_test_id("invite-created")).to_contain_text(INVITEE_EMAIL)
    expect(page.get_by_test_id("invites")).to_contain_text(INVITEE_EMAIL)

    # The invitee opens the emailed link in their own browser and signs up.
    link = invite_link_from_outbox(studio_data_dir, INVITEE_EMAIL)
    assert link.startswith(studio)
    other_page.goto(link)
    expect(other_page.get_by_test_id("invite-offer")).to_contain_text("Harbour Light")
    expect(other_page.get_by_test_id("invite-offer")).to_contain_text("editor")
    expect(other_page.locator("input[name=email]")).to_have_value(INVITEE_EMAIL)
    other_page.locator("input[name=name]").fill("Maya Reyes")
    other_page.locator("input[name=username]").fill(INVITEE)
    other_page.locator("input[name=password]").fill("password")
    other_page.get_by_test_id("sign-up-submit").click()
    expect(other_page.locator(".field-error")).to_contain_text("too common")  # Django's password rules, in the form
    other_page.locator("input[name=password]").fill(INVITEE_PASSWORD)
    other_page.get_by_test_id("sign-up-submit").click()
    other_page.wait_for_url(re.compile(rf"/projects/{project_id}$"))
    expect(other_page.get_by_test_id("current-user")).to_have_text("Maya Reyes")
    expect(other_page.get_by_test_id("role-badge")).to_have_text("editor")
    wait_live(other_page)

    # An editor edits a shot …
    shot = first_shot_id(other_page)
    edit_cell(other_page, f"shot-{shot}-description", "Maya's first pass: slow push on the harbour light")
    descriptions = {s["id"]: s["description"] for scene in board_from_api(page, project_id)["scenes"] for s in scene["shots"]}
    assert descriptions[shot] == "Maya's first pass: slow push on the harbour light"
    # … and sees Review locked, saying who starts reviews.
    locked = other_page.locator("[data-testid$='-review-locked']").first
    expect(locked).to_have_attribute("title", re.compile(r"^Directors and owners start reviews.*You are an editor here\."))
    locked.click(force=True)  # aria-disabled: Playwright would wait for it to be enabled
    expect(other_page.get_by_test_id("toast").first).to_contain_text("Directors and owners start reviews")
    # The Crew screen tells an editor why it offers no invite form.
    other_page.get_by_test_id("tab-members").click()
    expect(other_page.get_by_test_id("members-note")).to_contain_text("Directors and owners invite people and change roles")
    expect(other_page.get_by_test_id("invite-email")).to_have_count(0)

    # The owner sees the new member and makes them director.
    page.reload()
    role = page.get_by_test_id(f"member-{INVITEE}-role")
    expect(role).to_have_value("editor")
    role.select_option("director")
    expect(page.get_by_test_id("toast").first).to_contain_text("Maya Reyes is now director")
    # The used invite left the waiting list (other tests' invites to this project may still wait).
    expect(page.get_by_test_id("invites").locator("tr", has_text=INVITEE_EMAIL)).to_have_count(0)

    # As director, Maya's selects offer no owner: not for an invite, not for her own role, and the
    # owner's role is not hers to change.
    other_page.reload()
    expect(other_page.get_by_test_id("role-badge").first).to_have_text("director")
    assert options_of(other_page.get_by_test_id("invite-role")) == ["director", "editor", "viewer"]
    assert options_of(other_page.get_by_test_id(f"member-{INVITEE}-role")) == ["director", "editor", "viewer"]
    expect(other_page.get_by_test_id("member-demo-role")).to_have_count(0)
    expect(other_page.get_by_test_id("member-demo")).to_contain_text("owner")
    expect(other_page.get_by_test_id("member-demo-remove")).to_have_count(0)
    members = {m["username"]: m["role"] for m in page.request.get(f"/api/projects/{project_id}/members/").json()}
    assert members[INVITEE] == "director" and members["demo"] == "owner"


def no_horizontal_overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_people_pages_fit_a_phone(page):
    """The Crew screen, the sign-in help and the reset page at 390×844, without sideways scrolling."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    expect(page.get_by_test_id("forgot-password")).to_be_visible()
    assert no_horizontal_overflow(page)
    page.get_by_test_id("forgot-password").click()
    page.wait_for_url("**/reset")
    page.locator("input[name=email]").fill("nobody-here@example.com")
    page.get_by_test_id("reset-request").click()
    expect(page.get_by_test_id("reset-sent")).to_contain_text("If a studio login uses that address")  # the same answer for any address
    assert no_horizontal_overflow(page)
    page.goto("/reset/MQ/not-a-real-token")
    page.locator("input[name=password]").fill("tide-lantern-harbour-93")
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-error")).to_contain_text("not valid any more")
    project_id = open_demo_project(page)
    page.goto(f"/projects/{project_id}/members")
    expect(page.get_by_test_id("member-demo")).to_be_visible()
    page.get_by_test_id("invite-link").click()
    expect(page.get_by_test_id("invite-url")).to_have_value(re.compile(r"/invites/[A-Za-z0-9_-]{40,}$"))
    assert no_horizontal_overflow(page)
