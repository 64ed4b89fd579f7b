"""Exports as a director uses them: printed storyboards made from the Export panel, followed to
the end and downloaded; an edited shot list brought back in after its preview."""

import csv
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .helpers import open_demo_project, shot_ids, wait_live

pytestmark = pytest.mark.browser


def test_storyboards_pdf_is_made_and_downloaded_from_the_export_panel(page):
    open_demo_project(page)
    wait_live(page)
    numbers = [page.get_by_test_id(f"shot-{shot}-number").inner_text().strip() for shot in shot_ids(page)[:2]]

    page.get_by_test_id("exports").click()
    page.get_by_test_id("export-kind").select_option("boards_pdf")
    page.get_by_test_id("export-layout").select_option("2")
    page.get_by_test_id("export-orientation").select_option("landscape")
    page.get_by_test_id("export-make").click()
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=60_000)
    expect(link).to_contain_text("storyboards.pdf")
    with page.expect_download() as download:
        link.click()
    data = open(download.value.path(), "rb").read()
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Storyboards" in text and all(number in text for number in numbers), (numbers, text[:300])
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    expect(page.get_by_test_id("exports-recent")).to_contain_text("storyboards.pdf")


def test_an_edited_shot_list_is_previewed_then_applied(page, tmp_path):
    open_demo_project(page)
    wait_live(page)
    shot = shot_ids(page)[0]
    page.get_by_test_id("exports").click()
    page.get_by_test_id("export-kind").select_option("shot_list_csv")
    page.get_by_test_id("export-make").click()
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    lens = rows[0].index("Lens (mm)")
    rows[1][lens] = "18"
    edited = tmp_path / "shot-list.csv"
    with open(edited, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)

    page.get_by_test_id("shot-list-file").set_input_files(str(edited))
    page.get_by_test_id("shot-list-preview").click()
    expect(page.get_by_test_id("shot-list-plan")).to_contain_text("1 changed")
    page.get_by_test_id("shot-list-apply").click()
    expect(page.get_by_test_id("shot-list-plan")).to_contain_text("Applied")
    # The change reached the board through the room, like anyone's edit.
    expect(page.get_by_test_id(f"shot-{shot}-lens_mm")).to_have_text("18mm")
