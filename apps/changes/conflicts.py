"""No silent loss: an edit made on an old board does not overwrite what someone else wrote since.

A set op that names the seq of the board it was made on (`base_seq`: the browser sends it for
an edit that could not go out live) is checked field by field against the change log: a field
that someone else changed after that seq keeps their value, and the sender is told (the room's
conflict message) with the value now and who set it. The sender's own later changes (this
person, in any tab) are no conflict: they are the same hand. Fields nobody else touched are
written as usual.
"""

from .log import row_changes_since


def stale_fields(project_id, entity, entity_id, base_seq, wanted, user_id):
    """{field: {"mine", "current", "seq", "actor"}} for each field of `wanted` (field -> the
    value asked for) that someone other than `user_id` changed after `base_seq`. Runs inside
    the write's transaction, after the project lock: no change can slip in between."""
    current, theirs = {}, {}
    for change in row_changes_since(project_id, entity, entity_id, base_seq):
        fields = (change.data or {}).get("fields") or {}
        for name in wanted.keys() & fields.keys():
            current[name] = fields[name]
            if change.actor_id is None or change.actor_id != user_id:
                theirs[name] = (change.seq, change.actor_id)
    return {name: {"mine": wanted[name], "current": current[name], "seq": seq, "actor": actor} for name, (seq, actor) in theirs.items()}
