"""The right to write is checked by the services themselves, whatever the transport: a service
called directly with a viewer's access, a guest's or another project's refuses, as the REST
views and the room ops (which only pass the caller's access on) report it."""

import pytest
from django.http import Http404
from rest_framework.exceptions import PermissionDenied

from apps.boards import services as boards
from apps.boards.models import Shot
from apps.projects.access import Access, access_for
from apps.projects.permissions import GUEST
from apps.renders import services as renders
from apps.renders.models import RenderJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def shot(project, owner):
    scene = boards.create_scene(project, {}, owner)
    return boards.create_shot(scene, {"description": "wide"}, owner)


def guest_of(project, scope="approve"):
    return Access(project_id=project.pk, role=GUEST, scope=scope)


def test_board_writes_check_edit_in_the_service(shot, project, editor, viewer, outsider, other_project):
    # A member who may edit: written, by them.
    edited = boards.update_shot(shot, {"notes": "by the editor"}, access_for(editor, project.pk), None)
    assert edited.notes == "by the editor"
    # A viewer, by access or as a user: refused, nothing written.
    for caller in (access_for(viewer, project.pk), viewer):
        with pytest.raises(PermissionDenied):
            boards.update_shot(shot, {"notes": "by the viewer"}, caller, None)
        with pytest.raises(PermissionDenied):
            boards.create_panel(shot, {"caption": "p"}, caller)
        with pytest.raises(PermissionDenied):
            boards.move_shot(shot, None, None, caller, None)
    # A guest never edits, whatever the link lets them do.
    with pytest.raises(PermissionDenied):
        boards.delete_shot(shot, guest_of(project), None)
    # Another production: the shot does not exist for them.
    with pytest.raises(Http404):
        boards.update_shot(shot, {"notes": "x"}, outsider, None)
    with pytest.raises(Http404):
        boards.update_shot(shot, {"notes": "x"}, access_for(outsider, other_project.pk), None)
    assert Shot.objects.get(pk=shot.pk).notes == "by the editor"


def test_a_decision_sets_the_status_by_the_approve_right(shot, project, viewer):
    boards.follow_decision(guest_of(project, "approve"), shot, "approved")
    assert Shot.objects.get(pk=shot.pk).status == "approved"
    with pytest.raises(PermissionDenied):
        boards.follow_decision(guest_of(project, "comment"), shot, "changes_requested")
    with pytest.raises(PermissionDenied):
        boards.follow_decision(access_for(viewer, project.pk), shot, "changes_requested")
    assert Shot.objects.get(pk=shot.pk).status == "approved"


def test_the_render_gate_is_the_service(shot, project, editor, viewer, outsider):
    for caller in (viewer, access_for(viewer, project.pk), guest_of(project)):
        with pytest.raises(PermissionDenied):
            renders.create_job(shot=shot, kind="frame", backend="blocking", seed=1, parameters={}, actor=caller)
    with pytest.raises(Http404):
        renders.create_job(shot=shot, kind="frame", backend="blocking", seed=1, parameters={}, actor=outsider)
    assert not RenderJob.objects.exists()
    job = RenderJob.objects.create(project=project, shot=shot, spec={}, spec_hash="x" * 64)
    with pytest.raises(PermissionDenied):
        renders.cancel_job(job, access_for(viewer, project.pk))
    assert renders.cancel_job(job, access_for(editor, project.pk)).status == "cancelled"
    with pytest.raises(PermissionDenied):
        renders.retry_job(job, viewer)


def test_a_panel_of_another_shot_is_refused_by_the_service(shot, project, owner, editor):
    other = boards.create_shot(shot.scene, {}, owner)
    panel = boards.create_panel(other, {"caption": "elsewhere"}, owner)
    with pytest.raises(Exception) as refused:
        renders.create_job(shot=shot, kind="frame", backend="blocking", seed=1, parameters={}, actor=editor, panel=panel)
    assert "panel" in refused.value.detail


def test_a_script_import_checks_edit_in_the_service(project, viewer, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.scripts import services as scripts
    from apps.scripts.models import ScriptImport

    draft = SimpleUploadedFile("draft.fountain", b"INT. KITCHEN - DAY\n\nShe waits.\n")
    with pytest.raises(PermissionDenied):
        scripts.start_import(project, draft, draft_name="", revision_colour="white", actor=viewer)
    with pytest.raises(Http404):
        scripts.start_import(project, draft, draft_name="", revision_colour="white", actor=outsider)
    assert not ScriptImport.objects.exists()


def test_reviews_and_share_links_check_share_in_the_service(shot, project, director, editor):
    from apps.review import services as review

    with pytest.raises(PermissionDenied):
        review.create_review({"project": project, "title": "t", "shot_ids": [shot.pk]}, editor)
    made = review.create_review({"project": project, "title": "t", "shot_ids": [shot.pk]}, director)
    with pytest.raises(PermissionDenied):
        review.create_link(made, {"scope": "view"}, editor)
    link = review.create_link(made, {"scope": "view"}, director)
    with pytest.raises(PermissionDenied):
        review.revoke_link(link, editor)
    assert review.revoke_link(link, director).revoked_at is not None
