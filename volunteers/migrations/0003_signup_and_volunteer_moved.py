# Sign-ups moved to events (one aggregate with their shifts) and volunteer profiles to
# accounts (people). Their tables are renamed, so existing databases keep every row; the
# models' content types move with them.

import django.db.models.deletion
from django.db import migrations, models

from common.migration_helpers import move_content_type


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_volunteer_moved_here"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0004_signup_moved_here"),
        ("volunteers", "0002_staffing_appeal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="remindersent",
                    name="signup",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reminders", to="events.signup", verbose_name="sign-up"),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="signup", table="events_signup"),
                migrations.AlterModelTable(name="volunteer", table="accounts_volunteer"),
            ],
            state_operations=[
                migrations.DeleteModel(name="signup"),
                migrations.DeleteModel(name="volunteer"),
            ],
        ),
        migrations.RunPython(
            move_content_type("volunteers", "events", "signup"),
            move_content_type("events", "volunteers", "signup"),
        ),
        migrations.RunPython(
            move_content_type("volunteers", "accounts", "volunteer"),
            move_content_type("accounts", "volunteers", "volunteer"),
        ),
    ]
