from django.conf import settings
from django.db import models


class Change(models.Model):
    """One change that other people must see, in the order the server applied it.

    `seq` counts up per project without gaps (Project.last_seq); a socket that missed changes
    asks for everything after the last seq it saw. This is also the project's history: who
    changed what, when.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="changes")
    seq = models.BigIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16)  # create / update / delete / move / render
    entity = models.CharField(max_length=32)  # scene / shot / panel / character / location / project / membership / render_job
    entity_id = models.BigIntegerField()
    data = models.JSONField(default=dict)
    client_op_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="one_change_per_seq")]
        indexes = [models.Index(fields=["project", "entity", "entity_id"])]
        ordering = ["project_id", "seq"]

    def as_event(self):
        return {
            "seq": self.seq,
            "action": self.action,
            "entity": self.entity,
            "id": self.entity_id,
            "data": self.data,
            "actor": self.actor_id,
            "client_op_id": self.client_op_id or None,
            "at": self.created_at.isoformat(),
        }


class AppliedOp(models.Model):
    """A client op the room applied, by its client op id: a resent op is acknowledged again
    with the same answer instead of being applied twice. Op ids are the sender's: a member's or
    a share-link guest's."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    guest = models.ForeignKey("review.Guest", null=True, on_delete=models.CASCADE, related_name="+")
    op_id = models.CharField(max_length=64)
    seq = models.BigIntegerField(null=True)
    entity_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "actor", "op_id"], condition=models.Q(actor__isnull=False), name="op_applied_once"),
            models.UniqueConstraint(fields=["project", "guest", "op_id"], condition=models.Q(guest__isnull=False), name="guest_op_applied_once"),
        ]


class TextDoc(models.Model):
    """The CRDT (Yjs/Yrs) state of one long-text field; the plain text lives on the row itself."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    field = models.CharField(max_length=40)
    state = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "entity_id", "field"], name="one_doc_per_text_field")]
