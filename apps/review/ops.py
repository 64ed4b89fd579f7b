"""Comments, annotations and approvals as room ops: the same path (validation, lock, change
log, broadcast, idempotency) as every board edit, with review rules instead of the EDIT role.

Registered with apps.rooms.ops in ReviewConfig.ready().
"""

from rest_framework.exceptions import PermissionDenied, ValidationError

from apps.boards.models import Shot
from apps.rooms.ops import validated
from apps.rooms.protocol import CreateOp, DeleteOp, SetOp

from . import services
from .models import Annotation, Comment
from .serializers import AnnotationSerializer, ApprovalCreateSerializer, CommentSerializer


class ReviewKind:
    """A row on a shot that anyone allowed to comment may write (its service checks the rest:
    authorship, the link's scope, the shots a guest may reach)."""

    def __init__(self, model, serializer, create, update, delete):
        self.model, self.serializer = model, serializer
        self.create, self.update, self.delete = create, update, delete

    def authorize(self, access, op):
        if not isinstance(op, (CreateOp, SetOp, DeleteOp)):
            raise ValidationError({"kind": [f"A {op.kind} op does not apply to a {op.entity}."]})

    def prepare(self, project_id, op):
        if isinstance(op, SetOp):
            row = self.model.objects.select_related("shot").get(pk=op.id, project_id=project_id)
            return row, validated(self.serializer, project_id, op.fields, row)
        if isinstance(op, CreateOp):
            return None, validated(self.serializer, project_id, op.fields)
        return None, None

    def apply(self, access, project_id, op, prepared):
        row, fields = prepared
        if isinstance(op, CreateOp):
            shot = Shot.objects.get(pk=op.parent, project_id=project_id)
            return self.create(access, shot, dict(fields)).pk
        if isinstance(op, SetOp):
            return self.update(access, row, dict(fields)).pk
        row = self.model.objects.select_related("shot").get(pk=op.id, project_id=project_id)
        self.delete(access, row)
        return op.id


class ApprovalKind(ReviewKind):
    """Approvals are created, never changed or deleted."""

    def __init__(self):
        super().__init__(None, ApprovalCreateSerializer, None, None, None)

    def authorize(self, access, op):
        if not isinstance(op, CreateOp):
            raise PermissionDenied("Approvals are a record: make a new decision instead of changing one.")

    def prepare(self, project_id, op):
        fields = {**op.fields, "shot": op.parent}
        return None, validated(self.serializer, project_id, fields)

    def apply(self, access, project_id, op, prepared):
        _row, fields = prepared
        shot = Shot.objects.get(pk=op.parent, project_id=project_id)
        return services.record_decision(access, shot, fields["decision"], fields["fingerprint"], fields.get("comment", "")).pk


KINDS = {
    "comment": ReviewKind(Comment, CommentSerializer, services.create_comment, services.update_comment, services.delete_comment),
    "annotation": ReviewKind(Annotation, AnnotationSerializer, services.create_annotation, services.update_annotation, services.delete_annotation),
    "approval": ApprovalKind(),
}
