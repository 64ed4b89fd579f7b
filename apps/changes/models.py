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
        db_table = "rooms_change"  # made by apps.rooms before the changes layer had an app of its own
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


class TextDoc(models.Model):
    """The CRDT (Yjs/Yrs) state of one long-text field; the plain text lives on the row itself."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    field = models.CharField(max_length=40)
    state = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rooms_textdoc"  # made by apps.rooms, like rooms_change
        constraints = [models.UniqueConstraint(fields=["entity", "entity_id", "field"], name="one_doc_per_text_field")]
