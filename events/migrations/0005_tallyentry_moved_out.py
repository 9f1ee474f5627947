# Tally entries moved to the tallies app (see tallies/0001). The table is renamed, so
# existing databases keep every count; the content type moves with it.

from django.db import migrations

from common.migration_helpers import move_content_type


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0004_signup_moved_here"),
        ("tallies", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="tallyentry", table="tallies_tallyentry"),
            ],
            state_operations=[
                migrations.DeleteModel(name="tallyentry"),
            ],
        ),
        migrations.RunPython(
            move_content_type("events", "tallies", "tallyentry"),
            move_content_type("tallies", "events", "tallyentry"),
        ),
    ]
