"""Applying room operations: the socket's write path, through the same services and validation
as the REST API.

Each op is applied in one transaction with its AppliedOp record, so it happens at most once
however often the client resends it, and an op that fails leaves nothing behind. Structured
fields are last-writer-wins per field in server order (no version check: a "set" names only the
fields the person changed); long text merges through CRDT updates (apps.rooms.text).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.http import Http404
from rest_framework.exceptions import PermissionDenied, ValidationError

from apps.boards import services as boards
from apps.boards.models import Character, Location, Panel, Scene, Shot
from apps.boards.serializers import CharacterSerializer, LocationSerializer, PanelSerializer, SceneSerializer, ShotSerializer, represent
from apps.projects import editing
from apps.projects.access import require
from apps.projects.models import Project
from apps.projects.permissions import EDIT

from . import text
from .models import AppliedOp
from .protocol import TEXT_FIELDS, CreateOp, DeleteOp, MoveOp, SetOp, TextOp
from .services import applying_op, lock_project


class OpError(Exception):
    def __init__(self, code, detail, errors=None):
        super().__init__(detail)
        self.code, self.detail, self.errors = code, detail, errors


class Kind:
    """How one entity is validated and written."""

    def __init__(self, model, serializer, parent_model, create, update, delete, move=None):
        self.model, self.serializer, self.parent_model = model, serializer, parent_model
        self.create, self.update, self.delete, self.move = create, update, delete, move


KINDS = {
    "scene": Kind(Scene, SceneSerializer, Project, boards.create_scene, boards.update_scene, boards.delete_scene,
                  lambda row, op, user: boards.move_scene(row, op.after, user, None)),
    "shot": Kind(Shot, ShotSerializer, Scene, boards.create_shot, boards.update_shot, boards.delete_shot,
                 lambda row, op, user: boards.move_shot(row, op.after, op.parent, user, None)),
    "panel": Kind(Panel, PanelSerializer, Shot, boards.create_panel, boards.update_panel, boards.delete_panel,
                  lambda row, op, user: boards.move_panel(row, op.after, op.parent, user, None)),
    "character": Kind(Character, CharacterSerializer, Project, boards.create_character, boards.update_character, boards.delete_character),
    "location": Kind(Location, LocationSerializer, Project, boards.create_location, boards.update_location, boards.delete_location),
}


def apply_op(user, project_id, op_id, op, access=None):
    """Apply one op; returns the ack's fields. Raises OpError for the error frame.

    `access` is the caller's access as the room knows it (the socket refreshes it whenever
    memberships change); without it, it is read from the database.
    """
    try:
        if access is None:
            require(user, project_id, EDIT)
        elif not access.allows(EDIT):
            raise PermissionDenied(f"Your role ({access.role}) may not edit in this project.")
        # Field validation needs no lock: it runs before the project's writes are serialised,
        # so the locked part of each op stays short.
        prepared = _prepare(project_id, op)
        with transaction.atomic():
            lock_project(project_id)  # before anything else: see lock_project
            done = AppliedOp.objects.filter(project_id=project_id, actor=user, op_id=op_id).first()
            if done is not None:
                return {"seq": done.seq, "id": done.entity_id, "duplicate": True}
            with applying_op(op_id) as seqs:
                entity_id = _dispatch(user, project_id, op, prepared)
            AppliedOp.objects.create(project_id=project_id, actor=user, op_id=op_id, seq=seqs[-1] if seqs else None, entity_id=entity_id)
            return {"seq": seqs[-1] if seqs else None, "id": entity_id, "duplicate": False}
    except IntegrityError:
        # The same op raced in on another socket and won; answer as for a resend.
        done = AppliedOp.objects.filter(project_id=project_id, actor=user, op_id=op_id).first()
        if done is not None:
            return {"seq": done.seq, "id": done.entity_id, "duplicate": True}
        raise OpError("invalid", "That conflicts with an existing item (numbers and names must be unique).")
    except (Http404, ObjectDoesNotExist):
        raise OpError("not_found", "No such item in this project (it may have been deleted).")
    except PermissionDenied as error:
        raise OpError("forbidden", str(error.detail))
    except ValidationError as error:
        raise OpError("invalid", "Some fields were not accepted.", _flatten(error.detail))
    except text.BadTextUpdate as error:
        raise OpError("invalid", str(error), {"update": [str(error)]})


def _prepare(project_id, op):
    """Validated fields of a set or create op (the row as read now, for a set)."""
    kind = KINDS[op.entity]
    if isinstance(op, SetOp):
        row = _row(kind, project_id, op.id)
        return row, _validated(kind, project_id, op.fields, row)
    if isinstance(op, CreateOp):
        return None, _validated(kind, project_id, op.fields)
    return None, None


def _row(kind, project_id, pk):
    return kind.model.objects.get(pk=pk, project_id=project_id)


def _validated(kind, project_id, fields, instance=None):
    serializer = kind.serializer(instance, data=fields, partial=True, context={"project_id": project_id})
    unknown = set(fields) - set(serializer.fields)
    read_only = {name for name in fields if name in serializer.fields and serializer.fields[name].read_only}
    valid = serializer.is_valid()
    errors = {**(serializer.errors if not valid else {})}
    errors |= {name: ["Unknown field."] for name in unknown} | {name: ["This field cannot be set."] for name in read_only}
    if errors:
        raise ValidationError(errors)  # every problem at once, and nothing written
    return serializer.validated_data


def _dispatch(user, project_id, op, prepared):
    kind = KINDS[op.entity]
    row, fields = prepared
    if isinstance(op, SetOp):
        # The services lock and re-read the row; only the named fields are written.
        kind.update(row, fields, user, None)
        return row.pk
    if isinstance(op, CreateOp):
        if kind.parent_model is Project:
            if op.parent != project_id:
                raise ObjectDoesNotExist
            parent = Project.objects.get(pk=project_id)
        else:
            parent = kind.parent_model.objects.get(pk=op.parent, project_id=project_id)
        row = kind.create(parent, fields, user)
        if op.after is not None and kind.move is not None:
            row = kind.move(row, MoveOp(kind="move", entity=op.entity, id=row.pk, after=op.after), user)
        return row.pk
    if isinstance(op, DeleteOp):
        row = _row(kind, project_id, op.id)
        kind.delete(row, user, None)
        return op.id
    if isinstance(op, MoveOp):
        row = _row(kind, project_id, op.id)
        kind.move(row, op, user)
        return row.pk
    if isinstance(op, TextOp):
        if op.field not in TEXT_FIELDS[op.entity]:
            raise ValidationError({"field": [f"{op.field} is not a text field of a {op.entity}."]})
        update = text.decode_update(op.update)
        row = kind.model.objects.select_for_update().get(pk=op.id, project_id=project_id)  # row first, then its doc
        merged = text.apply_update(project_id, op.entity, row.pk, op.field, update, getattr(row, op.field))
        # Straight to the shared write path: a text field has no rules beyond its CRDT.
        editing.update_fields(
            row, {op.field: merged}, actor=user, expected_version=None, entity=op.entity,
            represent=represent(kind.serializer), text_updates={op.field: op.update},
        )
        return row.pk
    raise ValidationError({"kind": ["Unknown op."]})


def text_state(user, project_id, entity, entity_id, field):
    from apps.projects.permissions import VIEW

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
