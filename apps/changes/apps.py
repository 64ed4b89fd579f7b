from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """The changes layer: the shared write path, the change log and its locking, the room
    broadcast and the CRDT text documents. Every domain app writes through it; it imports only
    apps.projects."""

    name = "apps.changes"
    label = "changes"
