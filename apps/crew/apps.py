from django.apps import AppConfig


class CrewConfig(AppConfig):
    """A project and its crew: creating a project, its settings, deleting it, its members and
    their roles. Writes here are recorded in the change log (apps.changes)."""

    name = "apps.crew"
    label = "crew"
