"""The write path every edited entity shares: versioned field updates, ranked moves, deletes.

Inside a room op these add no savepoint: any error there propagates and rolls back the whole
op, so a savepoint would only cost two round trips per write. Elsewhere (REST) a caller may
handle an error (a stale version becomes a 409) and go on, so they keep one.

Each write locks the row, checks the version the caller read, changes only the fields it was
given (so two people editing different fields of one shot both win), bumps the version and
records a change for the room, all in one transaction.
"""

from django.db import DatabaseError, connection, transaction
from fractional_indexing import generate_key_between
from rest_framework.exceptions import ValidationError

from apps.projects.concurrency import StaleVersion
from apps.projects.models import Project
from previs.vocabulary import LONG_TEXT_MAX_CHARS, TEXT_FIELDS

from . import text
from .log import applying_any_op, lock_project, locked_row, record_change, rows_removed

TEXT_TOO_LONG = f"At most {LONG_TEXT_MAX_CHARS:,} characters."


def write_transaction():
    """The write's transaction: a savepoint for REST callers, none inside a room op (see above)."""
    return transaction.atomic(savepoint=not applying_any_op())


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def update_fields(instance, changes, *, actor, expected_version, entity, represent, m2m=None, client_op_id="", text_updates=None):
    """Apply `changes` (field -> value) and `m2m` (field -> list of objects) to `instance`.

    `represent(instance, field_names)` gives the wire form of the changed fields for the room.
    `text_updates` (field -> base64 CRDT update) travel with the change when the new text came
    from a live text edit, so the other editors merge that edit instead of replacing their text.
    Returns the fresh instance. Raises StaleVersion when `expected_version` is not current.
    """
    # Serializers refuse long text over the limit (BoundedText); a live text edit's merged
    # text comes here without one, so the same limit is checked for it here.
    for name in TEXT_FIELDS.get(entity, ()):
        if len(changes.get(name) or "") > LONG_TEXT_MAX_CHARS:
            raise ValidationError({name: [TEXT_TOO_LONG]})
    model = type(instance)
    m2m = m2m or {}
    with write_transaction():
        lock_project(project_id_of(instance))
        row = locked_row(model, instance.pk)
        if expected_version is not None and row.version != expected_version:
            raise StaleVersion(row)
        changed = [name for name, value in changes.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, changes[name])
        for name, objects in m2m.items():
            current = set(getattr(row, name).values_list("pk", flat=True))
            wanted = {obj.pk for obj in objects}
            if current != wanted:
                getattr(row, name).set(objects)
                changed.append(name)
        if not changed:
            return row
        row.version += 1
        row.updated_by = _actor(actor)
        write_columns(row, [n for n in changed if n not in m2m] + ["version", "updated_by", "updated_at"])
        data = {"version": row.version, "fields": represent(row, changed)}
        text_updates = dict(text_updates or {})
        for name in changed:
            if name in TEXT_FIELDS.get(entity, ()) and name not in text_updates:
                update = text.follow_plain_write(entity, row.pk, name, getattr(row, name))
                if update:
                    text_updates[name] = update
        if text_updates:
            data["text_updates"] = text_updates  # clients editing these fields live merge them
        record_change(project_id_of(row), actor, "update", entity, row.pk, data, client_op_id, shot_id=shot_id_of(row, entity))
        return row


def create(model, values, *, actor, entity, represent, m2m=None, client_op_id=""):
    with write_transaction():
        row = model(**values, updated_by=_actor(actor))
        lock_project(project_id_of(row))
        row.save()
        for name, objects in (m2m or {}).items():
            getattr(row, name).set(objects)
        record_change(
            project_id_of(row),
            actor,
            "create",
            entity,
            row.pk,
            {"version": row.version, "fields": represent(row, None)},
            client_op_id,
            shot_id=shot_id_of(row, entity),
        )
        return row


def delete(instance, *, actor, expected_version, entity, client_op_id=""):
    model = type(instance)
    with write_transaction():
        lock_project(project_id_of(instance))
        row = locked_row(model, instance.pk)
        if expected_version is not None and row.version != expected_version:
            raise StaleVersion(row)
        project_id, shot_id = project_id_of(row), shot_id_of(row, entity)
        pk = row.pk
        row.delete()
        rows_removed()
        text.forget(entity, pk)
        record_change(project_id, actor, "delete", entity, pk, {}, client_op_id, shot_id=shot_id)


def write_columns(row, names):
    """UPDATE these fields of a locked row: what `row.save(update_fields=names)` does (no model
    here has save signals or a custom save), written out because it runs for every live edit
    and Django takes longer to compile the statement than the database to run it."""
    fields = [row._meta.get_field(name) for name in names]
    values = [field.get_db_prep_save(field.pre_save(row, False), connection) for field in fields]  # pre_save: auto_now
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(row._meta.db_table)} SET {assignments} WHERE {quote(row._meta.pk.column)} = %s", values + [row.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{type(row).__name__} {row.pk} is gone.")


def rank_between(before_rank, after_rank):
    """A key strictly between two neighbours' keys (None = open end)."""
    return generate_key_between(before_rank, after_rank)


def move(instance, *, siblings, parent_field, parent, after, actor, expected_version, entity, client_op_id=""):
    """Place `instance` right after `after` (None = first) among `siblings` under `parent`.

    Only the moved row is written: its rank becomes a key between `after` and whatever follows
    `after` now. Two people moving at once both land where they asked, in a deterministic order
    (rank, then id), and nothing else is renumbered.
    """
    model = type(instance)
    with write_transaction():
        lock_project(project_id_of(instance))
        row = locked_row(model, instance.pk)
        if expected_version is not None and row.version != expected_version:
            raise StaleVersion(row)
        if after is not None and after.pk == row.pk:
            raise ValidationError({"after": ["An item cannot be placed after itself."]})
        others = siblings.exclude(pk=row.pk).order_by("rank", "id")
        if after is None:
            low = None
            high = others.values_list("rank", flat=True).first()
        else:
            low = after.rank
            # The next key strictly greater than `after`'s (rows tied with `after` sort by id,
            # and the new key sorts after all of them).
            high = others.filter(rank__gt=after.rank).values_list("rank", flat=True).first()
        row.rank = rank_between(low, high)
        setattr(row, parent_field, parent)
        row.version += 1
        row.updated_by = _actor(actor)
        write_columns(row, ["rank", parent_field, "version", "updated_by", "updated_at"])
        record_change(
            project_id_of(row),
            actor,
            "move",
            entity,
            row.pk,
            {"version": row.version, "rank": row.rank, parent_field: parent.pk if parent is not None else None},
            client_op_id,
            shot_id=shot_id_of(row, entity),
        )
        return row


def last_rank(siblings):
    return siblings.order_by("-rank", "-id").values_list("rank", flat=True).first()


def shot_id_of(row, entity):
    """The shot a row belongs to, if any (a shot is its own). By the change's entity name, not
    the model: this layer sits under the boards and knows their rows only by what they are called."""
    return row.pk if entity == "shot" else getattr(row, "shot_id", None)


def project_id_of(row):
    """The project a row belongs to (a project is its own)."""
    return row.pk if isinstance(row, Project) else row.project_id
