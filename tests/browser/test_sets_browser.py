"""A location's set on the plan (issue 15): add a piece from the library, drag it, and the other
person's page sees it move; the stored set says where it went."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import open_demo_project, wait_live, wait_saved

pytestmark = pytest.mark.browser


def open_set(page, project_id):
    page.goto(f"{page.url.split('/projects/')[0]}/projects/{project_id}/library")
    wait_live(page)
    row = page.locator("[data-testid^='location-']").first
    location_id = int(row.get_attribute("data-testid").split("-")[1])
    page.get_by_test_id(f"open-set-{location_id}").click()
    expect(page.get_by_test_id(f"set-plan-{location_id}")).to_be_visible()
    return location_id


def test_add_a_piece_drag_it_and_the_other_page_sees_it_move(page, other_page):
    project_id = open_demo_project(page)
    open_demo_project(other_page)
    location_id = open_set(page, project_id)
    open_set(other_page, project_id)

    page.get_by_test_id("set-kind").select_option("car")
    page.get_by_test_id("set-add").click()
    wait_saved(page)
    car = page.locator("[data-testid^='set-piece-car-']").first
    piece_testid = car.get_attribute("data-testid")
    expect(other_page.get_by_test_id(piece_testid)).to_be_visible()
    assert float(other_page.get_by_test_id(piece_testid).get_attribute("data-x")) == 0

    # Drag the car 3 m east on the plan (the plan is 24 m across).
    body = car.locator("rect").first
    box = body.bounding_box()
    plan = page.get_by_test_id(f"set-plan-{location_id}").locator("svg").bounding_box()
    metre = plan["width"] / 24
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 1.5 * metre, y, steps=5)
    page.mouse.move(x + 3 * metre, y, steps=5)
    page.mouse.up()
    wait_saved(page)
    other_car = other_page.get_by_test_id(piece_testid)
    expect(other_car).to_have_attribute("data-x", re.compile(r"^(2\.[89]|3(\.0|\.1)?)\d*$"), timeout=10_000)

    stored = page.evaluate(f"fetch('/api/locations/{location_id}/').then(r => r.json())")
    moved = next(p for p in stored["set_pieces"] if f"set-piece-{p['id']}" == piece_testid)
    assert moved["kind"] == "car" and 2.8 <= moved["position"][0] <= 3.2 and abs(moved["position"][1]) < 0.2
