"""The change log: recording changes and the project's write lock.

Every service that writes something people must see calls `record_change` inside its
transaction. The change gets the project's next sequence number, is stored, and is broadcast to
the room only after the transaction commits, so nobody sees a change that was rolled back.
"""

import functools
import json
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from apps.projects.models import Project

from .broadcast import broadcast
from .models import Change

# The room op being applied in this context (set by apps.rooms.ops): every change it causes is
# stamped with the client's op id, and its seqs are collected for the ack. A context variable
# rather than a parameter threaded through every service, because one op may cause several
# changes deep inside them (a character edit re-lays out the shots it is in).
_current_op = ContextVar("current_room_op", default=None)


@contextmanager
def applying_op(op_id):
    seqs = []
    token = _current_op.set((op_id, seqs))
    try:
        yield seqs
    finally:
        _current_op.reset(token)


def lock_project(project_id):
    """Take the project's write lock: every write transaction takes it first.

    Writes to one project are serialised in the order they take this lock, which is the order
    of their seqs; and because every writer takes the project before any of its rows, two
    writers can never each hold a row the other needs (no deadlocks on Postgres). No-key
    update, so rows merely referencing the project (inserts) are not blocked by it.
    """
    batch = _batch.get()
    if batch is not None and batch.project_id == project_id:
        return  # the batch took it first thing
    Project.objects.select_for_update(no_key=True).filter(pk=project_id).values_list("pk", flat=True).first()


# --- Several room ops in one transaction ------------------------------------------------------


class ChangeBatch:
    """The room ops of one project applied together, in one transaction (apps.rooms.ops).

    A room op on its own costs a dozen round trips, most of them the same for every op: the
    project lock, the seq, the change and op-log inserts, the commit. A batch pays those once:
    it takes the project lock and reads last_seq first, hands out seqs in memory, keeps the rows
    its ops touch (read and locked in one query per kind), and writes the changes, the op log
    and last_seq together when it ends. Services do not know: `lock_project`, `locked_row` and
    `record_change` consult the batch of the current context.
    """

    def __init__(self, project_id):
        self.project_id = project_id
        self.last_seq = None
        self.changes = []  # (Change, shot_id), in seq order
        self.applied = []  # the room's op log rows (apps.rooms AppliedOp), inserted with the changes
        self.rows = {}  # (model, pk) -> the locked row, or None for "not in this project"

    # The batch's own statements are written out: they run for every batch, and Django takes
    # longer to compile them (and bulk_create to pack its arrays) than the database to run them.

    def lock(self):
        locking = connection.ops.for_update_sql(no_key=connection.features.has_select_for_no_key_update) if connection.features.has_select_for_update else ""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_seq FROM {_table(Project)} WHERE id = %s {locking}", [self.project_id])
            found = cursor.fetchone()
        if found is None:
            raise Project.DoesNotExist
        self.last_seq = found[0]

    def preload(self, model, pks, parents=(), prefetch=()):
        """Read and lock these rows of the project in one query (after the project lock, as
        every writer does), with their `parents` (joined, not locked) and `prefetch` relations;
        a pk that is not the project's is remembered as missing."""
        wanted = {pk for pk in pks if (model, pk) not in self.rows}
        if not wanted:
            return
        rows = model.objects.select_for_update(of=("self",)).filter(pk__in=wanted, project_id=self.project_id)
        if parents:
            rows = rows.select_related(*parents)
        if prefetch:
            rows = rows.prefetch_related(*prefetch)
        for row in rows:
            self.rows[(model, row.pk)] = row
        for pk in wanted:
            self.rows.setdefault((model, pk), None)

    def row(self, model, pk):
        if not _in_project(model):
            return model.objects.select_for_update().get(pk=pk)
        key = (model, pk)
        if key not in self.rows:
            self.rows[key] = model.objects.select_for_update().filter(pk=pk, project_id=self.project_id).first()
        row = self.rows[key]
        if row is None:
            raise model.DoesNotExist
        return row

    def forget_rows(self):
        """After a delete: cascades may have removed rows this batch holds."""
        self.rows.clear()

    def next_seq(self):
        self.last_seq += 1
        return self.last_seq

    def finish(self):
        """Write what the batch collected; its changes go to the room after commit."""
        statements = []
        if self.changes:
            statements += _inserts([change for change, _ in self.changes])
            statements.append((f"UPDATE {_table(Project)} SET last_seq = %s WHERE id = %s", [self.last_seq, self.project_id]))
        if self.applied:
            statements += _inserts(self.applied)
        if not statements:
            return  # every op was a resend or found its row gone
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One round trip: Django's psycopg cursor binds parameters on the client side,
                # which lets one execute carry several statements.
                cursor.execute("; ".join(sql for sql, _ in statements), [param for _, params in statements for param in params])
            else:
                for sql, params in statements:
                    cursor.execute(sql, params)
        if self.changes:
            # One message for the batch: the room sends its changes on together.
            changes = [_change_message(change, shot_id) for change, shot_id in self.changes]
            message = {"type": "room.changes", "changes": changes}
            transaction.on_commit(lambda: broadcast(self.project_id, message))


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _inserts(rows):
    """INSERT … VALUES statements (sql, params) for new rows of one model, as few as the
    database allows. Their ids are not read back (nobody needs them)."""
    meta = type(rows[0])._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
    statements = []
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        params = [field.get_db_prep_save(field.pre_save(row, True), connection) for row in chunk for field in fields]
        statements.append((f"INSERT INTO {_table(type(rows[0]))} ({columns}) VALUES {', '.join([placeholders] * len(chunk))}", params))
    return statements


@functools.cache
def _in_project(model):
    return any(field.name == "project" for field in model._meta.concrete_fields)


_batch = ContextVar("room_change_batch", default=None)


@contextmanager
def change_batch(project_id):
    """Run the body as one batch (inside its transaction)."""
    assert transaction.get_connection().in_atomic_block, "a change batch runs inside the write's transaction"
    batch = ChangeBatch(project_id)
    token = _batch.set(batch)
    try:
        batch.lock()
        yield batch
        batch.finish()
    finally:
        _batch.reset(token)


def locked_row(model, pk):
    """`pk` of `model`, locked for this write (the batch's copy inside a batch)."""
    batch = _batch.get()
    if batch is not None:
        return batch.row(model, pk)
    return model.objects.select_for_update().get(pk=pk)


def rows_removed():
    """A delete happened: a batch must not hand out rows a cascade may have taken."""
    batch = _batch.get()
    if batch is not None:
        batch.forget_rows()


def next_seq(project_id):
    """The project's next sequence number, in one statement (the row stays locked until commit)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Project._meta.db_table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq", [project_id])
        return cursor.fetchone()[0]


def applying_any_op():
    return _current_op.get() is not None


def record_change(project_id, actor, action, entity, entity_id, data, client_op_id="", shot_id=None):
    """Store a change with the project's next seq and broadcast it after commit.

    `shot_id` names the shot the change belongs to (a shot, its panel, comment, annotation or
    approval): review sockets, which see only some shots, forward a change by it."""
    assert transaction.get_connection().in_atomic_block, "record_change must run inside the write's transaction"
    current = _current_op.get()
    if current is not None and not client_op_id:
        client_op_id = current[0]
    batch = _batch.get()
    batched = batch is not None and batch.project_id == project_id
    change = Change(
        project_id=project_id,
        seq=batch.next_seq() if batched else next_seq(project_id),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        data=data,
        client_op_id=client_op_id or "",
    )
    if current is not None:
        current[1].append(change.seq)
    if batched:
        batch.changes.append((change, shot_id))  # stored and broadcast when the batch ends
    else:
        change.save(force_insert=True)
        _broadcast_after_commit(change, shot_id)


def _broadcast_after_commit(change, shot_id):
    message = {"type": "room.change", **_change_message(change, shot_id)}
    transaction.on_commit(lambda: broadcast(change.project_id, message))


def _change_message(change, shot_id):
    """A change as the room's sockets receive it (room.change, or one of room.changes)."""
    # Encoded once here, not once per socket: every room socket sends these bytes as they are.
    frame = json.dumps({"type": "change", "change": change.as_event()}, separators=(",", ":"), cls=DjangoJSONEncoder)
    return {"frame": frame, "entity": change.entity, "shot": shot_id, "seq": change.seq}


def row_changes_since(project_id, entity, entity_id, after_seq):
    """One row's changes after `after_seq`, in seq order: the stored ones and those the current
    batch has recorded but not yet written (an earlier op of the same batch)."""
    stored = list(Change.objects.filter(project_id=project_id, entity=entity, entity_id=entity_id, seq__gt=after_seq).order_by("seq"))
    batch = _batch.get()
    if batch is not None and batch.project_id == project_id:
        stored += [change for change, _ in batch.changes if change.entity == entity and change.entity_id == entity_id and change.seq > after_seq]
    return stored


def changes_since(project_id, after_seq, limit=1000):
    return list(Change.objects.filter(project_id=project_id, seq__gt=after_seq).order_by("seq")[:limit])
