"""The editor's cut brought back from the Export panel: the first scene's timeline is exported,
its first two shots swapped with OpenTimelineIO as an editor would, imported, previewed and
applied; the shot list takes the new order through the room. The original cut is imported again
at the end, so the demo board is left as it was."""

import pytest
from playwright.sync_api import expect

from .helpers import open_demo_project, shot_ids, wait_live

pytestmark = pytest.mark.browser


def import_cut(page, path, expect_text):
    page.get_by_test_id("cut-file").set_input_files(str(path))
    page.get_by_test_id("cut-preview").click()
    expect(page.get_by_test_id("cut-plan")).to_contain_text(expect_text)
    page.get_by_test_id("cut-apply").click()
    expect(page.get_by_test_id("cut-plan")).to_contain_text("Applied")


def test_an_edited_cut_is_previewed_then_reorders_the_shot_list(page, tmp_path):
    import opentimelineio as otio

    open_demo_project(page)
    wait_live(page)
    page.get_by_test_id("exports").click()
    page.get_by_test_id("export-kind").select_option("otio")
    page.get_by_test_id("export-scene").select_option(index=1)
    page.get_by_test_id("export-make").click()
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    original = tmp_path / "original.otio"
    original.write_bytes(open(download.value.path(), "rb").read())
    timeline = otio.adapters.read_from_file(str(original), "otio_json")
    track = timeline.tracks[0]
    clips = list(track)
    assert len(clips) >= 2, "the demo's first scene has two shots or more"
    first, second = (clip.metadata["previs"]["number"] for clip in clips[:2])
    before = shot_ids(page)
    track[:] = []
    for clip in [clips[1], clips[0], *clips[2:]]:
        track.append(clip.deepcopy())
    edited = tmp_path / "edited.otio"
    otio.adapters.write_to_file(timeline, str(edited), "otio_json")

    import_cut(page, edited, "(was 2)")
    # The room's moves reached this tab's shot list: the two shots traded places.
    expect(page.locator("tr.shot-row").nth(0)).to_have_attribute("data-shot", str(before[1]))
    expect(page.locator("tr.shot-row").nth(1)).to_have_attribute("data-shot", str(before[0]))
    assert first != second

    import_cut(page, original, "(was 2)")
    expect(page.locator("tr.shot-row").nth(0)).to_have_attribute("data-shot", str(before[0]))


def test_the_animatic_movie_is_made_with_a_progress_bar_and_downloaded(page, tmp_path):
    import io

    import av

    project = open_demo_project(page)
    wait_live(page)
    page.get_by_test_id("exports").click()
    page.get_by_test_id("export-kind").select_option("animatic")
    page.get_by_test_id("export-scene").select_option(index=1)
    page.get_by_test_id("export-resolution").select_option("720p")
    page.get_by_test_id("export-watermark").fill("For the composer")
    page.get_by_test_id("export-make").click()
    link = page.get_by_test_id("export-download")
    expect(link.or_(page.get_by_test_id("export-progress"))).to_be_visible(timeout=30_000)
    expect(link).to_be_visible(timeout=120_000)
    expect(link).to_contain_text("animatic.mp4")
    with page.expect_download() as download:
        link.click()
    data = open(download.value.path(), "rb").read()
    [export] = [e for e in page.request.get(f"/api/exports/?project={project}").json() if e["kind"] == "animatic"][:1]
    assert export["parameters"]["watermark"] == "For the composer" and export["parameters"]["resolution"] == "720p"
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video))
        assert (video.width, video.height) == (1280, 720) and frames > 1
