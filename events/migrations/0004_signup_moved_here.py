# Sign-ups moved here from the volunteers app: a site, its shifts and their sign-ups are
# one aggregate. Only Django's picture of the models changes in this migration;
# volunteers/0003 renames the table, so existing databases keep every row.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_volunteer_moved_here"),
        ("events", "0003_site_location_free_after_cancel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Signup",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("status", models.CharField(choices=[("confirmed", "confirmed"), ("waitlisted", "waitlisted"), ("cancelled", "cancelled")], max_length=20, verbose_name="status")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="signed up at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmed at")),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True, verbose_name="cancelled at")),
                        ("shift", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="signups", to="events.shift", verbose_name="shift")),
                        ("volunteer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="signups", to="accounts.volunteer", verbose_name="volunteer")),
                    ],
                    options={
                        "verbose_name": "sign-up",
                        "verbose_name_plural": "sign-ups",
                        "ordering": ["shift", "created_at", "id"],
                        "indexes": [
                            models.Index(fields=["shift", "status"], name="signup_shift_status_idx"),
                            models.Index(fields=["volunteer", "status"], name="signup_volunteer_status_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("status__in", ["confirmed", "waitlisted"])), fields=("shift", "volunteer"), name="signup_one_active_per_shift_volunteer", violation_error_message="This volunteer already has a place on this shift."),
                        ],
                    },
                ),
            ],
        ),
    ]
