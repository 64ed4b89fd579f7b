"""The change log and the text documents moved from apps.rooms to apps.changes by state-only
migrations: a database at the earlier migration keeps its tables, rows and content types."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

ROOMS_BEFORE_THE_MOVE = ("rooms", "0003_remove_appliedop_op_applied_once_appliedop_guest_and_more")


def test_moving_the_change_log_to_its_own_app_keeps_every_row_and_content_type():
    executor = MigrationExecutor(connection)
    executor.migrate([ROOMS_BEFORE_THE_MOVE, ("changes", None)])
    old = executor.loader.project_state([ROOMS_BEFORE_THE_MOVE]).apps
    user = get_user_model().objects.create(username="keeper")
    project = old.get_model("projects", "Project").objects.create(name="Harbour Light", last_seq=1)
    change = old.get_model("rooms", "Change").objects.create(
        project=project, seq=1, actor_id=user.pk, action="update", entity="shot", entity_id=7, data={"fields": {"lens_mm": 50}}
    )
    doc = old.get_model("rooms", "TextDoc").objects.create(project=project, entity="shot", entity_id=7, field="notes", state=b"\x01\x02")
    old.get_model("rooms", "AppliedOp").objects.create(project=project, actor_id=user.pk, op_id="op-1", seq=1, entity_id=7)
    # As a database made before the move has them: the content types name apps.rooms.
    ContentType.objects.filter(app_label="changes").delete()
    change_type = ContentType.objects.get_or_create(app_label="rooms", model="change")[0]
    ContentType.objects.clear_cache()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from apps.changes.models import Change, TextDoc
    from apps.rooms.models import AppliedOp

    moved = Change.objects.get(pk=change.pk)
    assert (moved.project_id, moved.seq, moved.actor_id, moved.entity_id, moved.data) == (project.pk, 1, user.pk, 7, {"fields": {"lens_mm": 50}})
    assert bytes(TextDoc.objects.get(pk=doc.pk).state) == b"\x01\x02"
    assert AppliedOp.objects.get(op_id="op-1").seq == 1
    # The same content type row, relabelled: admin history and permissions stay attached.
    assert ContentType.objects.get_for_model(Change).pk == change_type.pk
    assert not ContentType.objects.filter(app_label="rooms", model="change").exists()
    assert {Change._meta.db_table, TextDoc._meta.db_table} == {"rooms_change", "rooms_textdoc"}
    # Still one seq per project: the constraint came along with the table.
    with pytest.raises(IntegrityError), transaction.atomic():
        Change.objects.create(project_id=project.pk, seq=1, action="update", entity="shot", entity_id=8)
