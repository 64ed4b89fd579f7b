"""The change log and the text documents now belong to apps.changes (its 0001_initial): they
leave this app's state only; their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("rooms", "0003_remove_appliedop_op_applied_once_appliedop_guest_and_more"),
        ("changes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Change"), migrations.DeleteModel(name="TextDoc")],
            database_operations=[],
        ),
    ]
