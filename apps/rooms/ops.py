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
from apps.projects.permissions import EDIT, VIEW

from . import text
from .models import AppliedOp
from .protocol import TEXT_FIELDS, CreateOp, DeleteOp, MoveOp, SetOp, TextOp
from .services import applying_op, lock_project


class OpError(Exception):
    def __init__(self, code, detail, errors=None):
        super().__init__(detail)
        self.code, self.detail, self.errors = code, detail, errors


class Kind:
    """How one board entity is validated and written (any op needs the EDIT action)."""

    def __init__(self, model, serializer, parent_model, create, update, delete, move=None):
        self.model, self.serializer, self.parent_model = model, serializer, parent_model
        self.create, self.update, self.delete, self.move = create, update, delete, move

    def authorize(self, access, op):
        if not access.allows(EDIT) or access.is_guest:
            raise PermissionDenied(f"Your role ({access.role}) may not edit in this project.")

    def prepare(self, project_id, op):
        """Validated fields of a set or create op (the row as read now, for a set). Runs
        before the project's writes are serialised, so the locked part of each op stays short."""
        if isinstance(op, SetOp):
            row = _row(self, project_id, op.id)
            return row, validated(self.serializer, project_id, op.fields, row)
        if isinstance(op, CreateOp):
            return None, validated(self.serializer, project_id, op.fields)
        return None, None

    def apply(self, access, project_id, op, prepared):
        return _dispatch(self, access.user, project_id, op, prepared)


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


def register_kind(entity, kind):
    """Other apps add their entities (apps.review: comment, annotation, approval)."""
    KINDS[entity] = kind


def apply_op(user, project_id, op_id, op, access=None):
    """Apply one op; returns the ack's fields. Raises OpError for the error frame.

    `access` is the caller's access as the socket knows it (refreshed whenever memberships
    change; a share-link guest's comes from the link); without it, it is read from the database.
    """
    try:
        if access is None:
            access = require(user, project_id, VIEW)
        kind = KINDS[op.entity]
        kind.authorize(access, op)
        prepared = kind.prepare(project_id, op)
        with transaction.atomic():
            lock_project(project_id)  # before anything else: see lock_project
            done = _applied(project_id, access, op_id)
            if done is not None:
                return {"seq": done.seq, "id": done.entity_id, "duplicate": True}
            with applying_op(op_id) as seqs:
                entity_id = kind.apply(access, project_id, op, prepared)
            AppliedOp.objects.create(project_id=project_id, actor=access.actor, guest=access.guest, op_id=op_id, seq=seqs[-1] if seqs else None, entity_id=entity_id)
            return {"seq": seqs[-1] if seqs else None, "id": entity_id, "duplicate": False}
    except IntegrityError:
        # The same op raced in on another socket and won; answer as for a resend.
        done = _applied(project_id, access, op_id)
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


def _applied(project_id, access, op_id):
    if access.is_guest:
        return AppliedOp.objects.filter(project_id=project_id, guest=access.guest, op_id=op_id).first()
    return AppliedOp.objects.filter(project_id=project_id, actor=access.user, op_id=op_id).first()


def _row(kind, project_id, pk):
    return kind.model.objects.get(pk=pk, project_id=project_id)


def validated(serializer_class, project_id, fields, instance=None):
    """The op's fields through the entity's REST serializer: every problem at once, nothing written."""
    serializer = serializer_class(instance, data=fields, partial=True, context={"project_id": project_id})
    unknown = set(fields) - set(serializer.fields)
    read_only = {name for name in fields if name in serializer.fields and serializer.fields[name].read_only}
    valid = serializer.is_valid()
    errors = {**(serializer.errors if not valid else {})}
    errors |= {name: ["Unknown field."] for name in unknown} | {name: ["This field cannot be set."] for name in read_only}
    if errors:
        raise ValidationError(errors)
    return serializer.validated_data


def _dispatch(kind, user, project_id, op, prepared):
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
        if kind.move is None:
            raise ValidationError({"entity": [f"A {op.entity} has no order to move in."]})
        row = _row(kind, project_id, op.id)
        kind.move(row, op, user)
        return row.pk
    if isinstance(op, TextOp):
        if op.field not in TEXT_FIELDS.get(op.entity, ()):
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
