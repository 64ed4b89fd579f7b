"""The change log and the text documents move from apps.rooms to apps.changes.

Only Django's idea of which app owns them changes: the tables keep their names (rooms_change,
rooms_textdoc), their rows, indexes and constraints, so nothing is copied or rebuilt. The content
types follow, so the admin's history and any permission granted on them stay attached.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("change", "textdoc")


def content_types_to(app_from, app_to):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in MOVED:
            if not ContentType.objects.filter(app_label=app_to, model=model).exists():
                ContentType.objects.filter(app_label=app_from, model=model).update(app_label=app_to)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("projects", "0001_initial"),
        ("rooms", "0003_remove_appliedop_op_applied_once_appliedop_guest_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Change",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("seq", models.BigIntegerField()),
                        ("action", models.CharField(max_length=16)),
                        ("entity", models.CharField(max_length=32)),
                        ("entity_id", models.BigIntegerField()),
                        ("data", models.JSONField(default=dict)),
                        ("client_op_id", models.CharField(blank=True, default="", max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="changes", to="projects.project")),
                    ],
                    options={
                        "db_table": "rooms_change",
                        "ordering": ["project_id", "seq"],
                        "indexes": [models.Index(fields=["project", "entity", "entity_id"], name="rooms_chang_project_b1b799_idx")],
                        "constraints": [models.UniqueConstraint(fields=("project", "seq"), name="one_change_per_seq")],
                    },
                ),
                migrations.CreateModel(
                    name="TextDoc",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("entity", models.CharField(max_length=32)),
                        ("entity_id", models.BigIntegerField()),
                        ("field", models.CharField(max_length=40)),
                        ("state", models.BinaryField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="projects.project")),
                    ],
                    options={
                        "db_table": "rooms_textdoc",
                        "constraints": [models.UniqueConstraint(fields=("entity", "entity_id", "field"), name="one_doc_per_text_field")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to("rooms", "changes"), content_types_to("changes", "rooms")),
    ]
