from django.conf import settings
from django.db import models


class AppliedOp(models.Model):
    """A client op the room applied, by its client op id: a resent op is acknowledged again
    with the same answer instead of being applied twice. Op ids are the sender's: a member's or
    a share-link guest's.

    Part of the room's op dispatch (apps.rooms.ops), not of the change log: only room ops carry
    client op ids, and a sender may be a review guest. A change batch (apps.changes.log) only
    writes these rows with its changes, in the same round trip."""

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
