"""Applying room operations: the socket's write path, through the same services and validation
as the REST API.

Each op is applied in a transaction with its AppliedOp record, so it happens at most once
however often the client resends it, and an op that fails leaves nothing behind. The ops that
queued up while the previous ones were written go through together, in one transaction
(`apply_ops`): a busy room costs a few round trips per op, not a dozen. Structured
fields are last-writer-wins per field in server order (no version check: a "set" names only the
fields the person changed); long text merges through CRDT updates (apps.changes.text).
"""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.http import Http404
from rest_framework.exceptions import PermissionDenied, ValidationError

from apps.boards import entry
from apps.boards import services as boards
from apps.boards.models import Character, Location, Panel, Scene, Shot
from apps.boards.serializers import CharacterSerializer, LocationSerializer, PanelSerializer, SceneSerializer, ShotSerializer
from apps.changes import text
from apps.changes.conflicts import stale_fields
from apps.changes.log import applying_op, change_batch, locked_row
from apps.projects.access import require
from apps.projects.api import field_names, narrowed
from apps.projects.ids import MAX_ID
from apps.projects.models import Project
from apps.projects.permissions import VIEW
from previs.vocabulary import TEXT_FIELDS

from .models import AppliedOp
from .protocol import CreateOp, DeleteOp, MoveOp, SetOp, TextOp

log = logging.getLogger(__name__)

# Ops run on one thread of their own, not Django's shared "sync" thread (so reads for other
# sockets never queue behind them) and not a pool: writes to a project are serialised by its
# lock anyway, and several threads fighting the event loop for the GIL only make each locked
# write slower (every query gives the GIL away and has to win it back).
OP_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-ops")


class OpError(Exception):
    def __init__(self, code, detail, errors=None):
        super().__init__(detail)
        self.code, self.detail, self.errors = code, detail, errors


class Kind:
    """How one board entity is validated and written (the board services check the caller's
    right: EDIT, never a guest).

    `parent` and `prefetch` name the relations its writes read (a shot's scene, to move it; its
    characters, for its layout): a batch reads them with its rows, at once."""

    batch_rows = True  # its rows are read and locked by the batch (see apply_ops)

    def __init__(self, model, serializer, parent_model, create, update, delete, move=None, parent=None, prefetch=()):
        self.model, self.serializer, self.parent_model = model, serializer, parent_model
        self.create, self.update, self.delete, self.move = create, update, delete, move
        self.parents, self.prefetch = (parent,) if parent else (), prefetch

    def authorize(self, access, op):
        """Refuse early, before the batch's transaction, what the service would refuse: the
        board services' own gate (apps.boards.services.editor), not a second rule."""
        boards.editor(access, access.project_id)

    def prepare(self, project_id, op):
        """Validated fields of a set or create op. Runs before the project's writes are
        serialised, so the locked part of each op stays short. The serializers' rules do not
        depend on the row (no uniqueness validators), so a set is checked without reading it."""
        if isinstance(op, (SetOp, CreateOp)):
            return None, validated(self.serializer, project_id, op.fields)
        return None, None

    def apply(self, access, project_id, op, prepared):
        return _dispatch(self, access, project_id, op, prepared)


class SceneKind(Kind):
    """Scenes also take a typed slugline (a "slugline" field of a create or set: its setting,
    location and time of day, apps.boards.entry), and a scene created after another is inserted
    there with an inserted scene's number (12A)."""

    def prepare(self, project_id, op):
        if isinstance(op, (SetOp, CreateOp)) and "slugline" in op.fields:
            fields = dict(op.fields)
            slugline = fields.pop("slugline")
            if not isinstance(slugline, str):
                raise ValidationError({"slugline": ["A scene heading is text, like EXT. JETTY - DAWN."]})
            return slugline, validated(self.serializer, project_id, fields)
        return super().prepare(project_id, op)

    def apply(self, access, project_id, op, prepared):
        slugline, fields = prepared
        if isinstance(op, CreateOp) and (op.after is not None or slugline is not None):
            if op.parent != project_id:
                raise ObjectDoesNotExist
            project = Project.objects.get(pk=project_id)
            if slugline is not None:
                fields = {**fields, **entry.slugline_fields(project, slugline, access)}
            return entry.insert_scene(project, fields, op.after, access).pk
        if isinstance(op, SetOp) and slugline is not None:
            row = locked_row(self.model, op.id)
            if fields:
                boards.update_scene(row, fields, access, None)
            return entry.set_slugline(row, slugline, access).pk
        return _dispatch(self, access, project_id, op, (None, fields))


class ShotKind(Kind):
    """A shot may also be created as a copy of another ({"duplicate_of": id}) or as its reverse
    ({"reverse_of": id}): the new shot goes right after it, by apps.boards.entry's rules, and is
    undone like any create (by deleting it)."""

    SOURCES = {"duplicate_of": entry.duplicate_shot, "reverse_of": entry.reverse_shot}

    def prepare(self, project_id, op):
        named = [name for name in self.SOURCES if isinstance(op, CreateOp) and name in op.fields]
        if not named:
            return super().prepare(project_id, op)
        name = named[0]
        source = op.fields[name]
        if len(op.fields) > 1:
            raise ValidationError({name: ["A duplicate or a reverse takes its fields from its shot: send only the shot's id."]})
        if isinstance(source, bool) or not isinstance(source, int) or not 1 <= source <= MAX_ID:
            raise ValidationError({name: ["The id of a shot in this project."]})
        return (name, source), {}

    def apply(self, access, project_id, op, prepared):
        source, _ = prepared
        if source is None or not isinstance(op, CreateOp):
            return super().apply(access, project_id, op, prepared)
        name, pk = source
        row = Shot.objects.select_related("scene").filter(pk=pk, project_id=project_id).first()
        if row is None:
            raise ValidationError({name: ["No such shot in this project (it may have been deleted)."]})
        if op.parent != row.scene_id:
            raise ValidationError({"parent": [f"Shot {row.number} is in scene {row.scene.number}: its copy goes there."]})
        return self.SOURCES[name](row, access).pk


KINDS = {
    "scene": SceneKind(
        Scene,
        SceneSerializer,
        Project,
        boards.create_scene,
        boards.update_scene,
        boards.delete_scene,
        lambda row, op, access: boards.move_scene(row, op.after, access, None),
        parent="project",
    ),
    "shot": ShotKind(
        Shot,
        ShotSerializer,
        Scene,
        boards.create_shot,
        boards.update_shot,
        boards.delete_shot,
        lambda row, op, access: boards.move_shot(row, op.after, op.parent, access, None),
        parent="scene",
        prefetch=("characters",),
    ),
    "panel": Kind(
        Panel,
        PanelSerializer,
        Shot,
        boards.create_panel,
        boards.update_panel,
        boards.delete_panel,
        lambda row, op, access: boards.move_panel(row, op.after, op.parent, access, None),
        parent="shot",
    ),
    "character": Kind(Character, CharacterSerializer, Project, boards.create_character, boards.update_character, boards.delete_character),
    "location": Kind(Location, LocationSerializer, Project, boards.create_location, boards.update_location, boards.delete_location),
}


def register_kind(entity, kind):
    """Other apps add their entities (apps.review: comment, annotation, approval)."""
    KINDS[entity] = kind


def apply_op(user, project_id, op_id, op, access=None):
    """Apply one op; returns the ack's fields. Raises OpError for the error frame.

    `access` is the caller's access as the socket knows it (refreshed whenever memberships
    change; a share-link guest's comes from the link); without it, it is read from the database.
    """
    if access is None:
        try:
            access = require(user, project_id, VIEW)
        except Http404:
            raise OpError("not_found", "No such project.")
    result = apply_ops(project_id, [(access, op_id, op)])[0]
    if isinstance(result, OpError):
        raise result
    return result


def apply_ops(project_id, items):
    """Apply a project's ops in order: `items` are (access, op_id, op). One result per item,
    the ack's fields or an OpError.

    They go through together, in one transaction (apps.changes.log.ChangeBatch), unless one
    fails after it began writing: then that transaction is rolled back and each op is applied on
    its own, so a failure costs only its own op. Failures found before anything is written (a
    refused role, invalid fields, a deleted row, a resend) do not need that.
    """
    if len(items) > 1:
        try:
            return _apply_together(project_id, items)
        except Exception:
            log.debug("room %s: a batch of %s ops failed; applying them one by one", project_id, len(items), exc_info=True)
    results = []
    for access, op_id, op in items:
        try:
            results.append(_apply_together(project_id, [(access, op_id, op)])[0])
        except Exception as error:
            results.append(_outcome_of_failure(project_id, access, op_id, error))
    return results


def _apply_together(project_id, items):
    results = [None] * len(items)
    pending = []
    for index, (access, op_id, op) in enumerate(items):
        try:
            kind = KINDS[op.entity]
            kind.authorize(access, op)
            pending.append((index, access, op_id, op, kind, kind.prepare(project_id, op)))
        except Exception as error:  # nothing written yet
            results[index] = _outcome_of_failure(project_id, access, op_id, error)
    if not pending:
        return results
    with transaction.atomic(), change_batch(project_id) as batch:
        # A resend (after a reconnect) is answered as before and not applied again. On its own,
        # an op is looked up in the op log first. Together, the lookup is left to the log's
        # unique constraint: a resend among them fails the insert at the end, and they are
        # applied again one by one, each looked up. Resends are rare; the round trip is not.
        alone = len(items) == 1
        done = _already_applied(project_id, [(access, op_id) for _, access, op_id, *_ in pending]) if alone else {}
        targets, gone = {}, []
        for _, _, _, op, kind, _ in pending:
            if getattr(kind, "batch_rows", False) and not isinstance(op, CreateOp):
                targets.setdefault(kind, set()).add(op.id)
        for kind, pks in targets.items():
            batch.preload(kind.model, pks, kind.parents, kind.prefetch)
        for index, access, op_id, op, kind, prepared in pending:
            key = _sender(access, op_id)
            if key in done:  # applied already (or earlier in this batch): the same answer
                seq, entity_id = done[key]
                results[index] = {"seq": seq, "id": entity_id, "duplicate": True}
                continue
            if kind in targets and not isinstance(op, CreateOp) and batch.rows.get((kind.model, op.id)) is None:
                results[index] = not_found_error()
                gone.append((index, access, op_id))
                continue
            conflicts = {}
            if isinstance(op, SetOp) and op.base_seq is not None:
                prepared, conflicts = _without_stale_fields(project_id, access, op, prepared)
            with applying_op(op_id) as seqs:
                entity_id = kind.apply(access, project_id, op, prepared) if prepared is not None else op.id
            seq = seqs[-1] if seqs else None
            batch.applied.append(AppliedOp(project_id=project_id, actor=access.actor, guest=access.guest, op_id=op_id, seq=seq, entity_id=entity_id))
            done[key] = (seq, entity_id)
            results[index] = {"seq": seq, "id": entity_id, "duplicate": False}
            if conflicts:  # the consumer sends these as the conflict message
                results[index]["conflict"] = {"entity": op.entity, "fields": conflicts}
        if gone and not alone:  # a resent delete finds its row gone: it was this op that took it
            applied = _already_applied(project_id, [(access, op_id) for _, access, op_id in gone])
            for index, access, op_id in gone:
                if _sender(access, op_id) in applied:
                    seq, entity_id = applied[_sender(access, op_id)]
                    results[index] = {"seq": seq, "id": entity_id, "duplicate": True}
    return results


def _without_stale_fields(project_id, access, op, prepared):
    """A set op made on an old board (base_seq): the fields someone else changed since are left
    as they are (apps.changes.conflicts) and named for the conflict message. Returns the
    prepared fields without them (None when nothing is left to write) and the conflicts."""
    user_id = access.actor.pk if access.actor is not None else None
    conflicts = stale_fields(project_id, op.entity, op.id, op.base_seq, op.fields, user_id)
    if not conflicts:
        return prepared, {}
    extra, fields = prepared
    fields = {name: value for name, value in fields.items() if name not in conflicts}
    return ((extra, fields) if fields or extra is not None else None), conflicts


def not_found_error():
    return OpError("not_found", "No such item in this project (it may have been deleted).")


def _sender(access, op_id):
    return ("guest", access.guest.pk, op_id) if access.is_guest else ("user", access.user.pk, op_id)


def _already_applied(project_id, senders):
    """(sender, op id) -> (seq, entity id) of the ops among these already applied, in one query."""
    wanted = {_sender(access, op_id) for access, op_id in senders}
    rows = AppliedOp.objects.filter(project_id=project_id, op_id__in={key[2] for key in wanted}).values_list(
        "actor_id", "guest_id", "op_id", "seq", "entity_id"
    )
    found = {}
    for actor_id, guest_id, op_id, seq, entity_id in rows:
        key = ("guest", guest_id, op_id) if guest_id is not None else ("user", actor_id, op_id)
        if key in wanted:
            found[key] = (seq, entity_id)
    return found


def _outcome_of_failure(project_id, access, op_id, error):
    """What the sender hears about an op that raised: an OpError, or, when the same op raced in
    on another socket and won, the ack of that one."""
    if isinstance(error, OpError):
        return error
    if isinstance(error, IntegrityError):
        done = _already_applied(project_id, [(access, op_id)])
        if done:
            seq, entity_id = next(iter(done.values()))
            return {"seq": seq, "id": entity_id, "duplicate": True}
        return OpError("invalid", "That conflicts with an existing item (numbers and names must be unique).")
    if isinstance(error, (Http404, ObjectDoesNotExist)):
        return not_found_error()
    if isinstance(error, PermissionDenied):
        return OpError("forbidden", str(error.detail))
    if isinstance(error, ValidationError):
        return OpError("invalid", "Some fields were not accepted.", _flatten(error.detail))
    if isinstance(error, text.BadTextUpdate):
        return OpError("invalid", str(error), {"update": [str(error)]})
    log.error("room %s: op %s failed", project_id, op_id, exc_info=error)
    return OpError("internal", "The server could not apply that op; nothing was applied.")


def validated(serializer_class, project_id, fields, instance=None):
    """The op's fields through the entity's REST serializer: every problem at once, nothing written."""
    known, read_only = field_names(serializer_class)
    errors = {name: ["Unknown field."] for name in fields if name not in known}
    errors |= {name: ["This field cannot be set."] for name in fields if name in read_only}
    serializer = narrowed(serializer_class, frozenset(fields) & known - read_only)(instance, data=fields, partial=True, context={"project_id": project_id})
    if not serializer.is_valid():
        errors = serializer.errors | errors
    if errors:
        raise ValidationError(errors)
    return serializer.validated_data


def _dispatch(kind, access, project_id, op, prepared):
    _, fields = prepared
    if isinstance(op, SetOp):
        row = locked_row(kind.model, op.id)  # the batch's copy, read and locked with the others
        kind.update(row, fields, access, None)  # only the named fields are written
        return row.pk
    if isinstance(op, CreateOp):
        if kind.parent_model is Project:
            if op.parent != project_id:
                raise ObjectDoesNotExist
            parent = Project.objects.get(pk=project_id)
        else:
            parent = kind.parent_model.objects.get(pk=op.parent, project_id=project_id)
        row = kind.create(parent, fields, access)
        if op.after is not None and kind.move is not None:
            row = kind.move(row, MoveOp(kind="move", entity=op.entity, id=row.pk, after=op.after), access)
        return row.pk
    if isinstance(op, DeleteOp):
        row = locked_row(kind.model, op.id)
        kind.delete(row, access, None)
        return op.id
    if isinstance(op, MoveOp):
        if kind.move is None:
            raise ValidationError({"entity": [f"A {op.entity} has no order to move in."]})
        row = locked_row(kind.model, op.id)
        kind.move(row, op, access)
        return row.pk
    if isinstance(op, TextOp):
        if op.field not in TEXT_FIELDS.get(op.entity, ()):
            raise ValidationError({"field": [f"{op.field} is not a text field of a {op.entity}."]})
        update = text.decode_update(op.update)
        row = locked_row(kind.model, op.id)  # row first, then its doc
        boards.edit_text(access, row, op.entity, op.field, update, op.update)
        return row.pk
    raise ValidationError({"kind": ["Unknown op."]})


def text_state(user, project_id, entity, entity_id, field):
    try:
        require(user, project_id, VIEW)
        if field not in TEXT_FIELDS.get(entity, ()):
            raise OpError("invalid", f"{field} is not a text field of a {entity}.", {"field": ["Not a text field."]})
        kind = KINDS[entity]
        with transaction.atomic():
            row = kind.model.objects.select_for_update().get(pk=entity_id, project_id=project_id)
            update, value = text.state_of(project_id, entity, row.pk, field, getattr(row, field))
        return {"entity": entity, "id": entity_id, "field": field, "update": update, "text": value}
    except (Http404, ObjectDoesNotExist):
        raise OpError("not_found", "No such item in this project (it may have been deleted).")


def _flatten(detail, prefix=""):
    """DRF error detail → {"field.path": ["message", …]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(detail, list) and detail and all(not isinstance(item, (dict, list)) for item in detail):
        return {prefix.rstrip(".") or "non_field_errors": [str(item) for item in detail]}
    if isinstance(detail, list):
        out = {}
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}{index}."))
        return out
    return {prefix.rstrip(".") or "non_field_errors": [str(detail)]}
