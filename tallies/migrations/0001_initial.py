# Tally entries moved here from the events app: counting is its own app above events.
# Only Django's picture of the models changes in this migration; events/0005 renames the
# table, so existing databases keep every count.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("events", "0004_signup_moved_here"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TallyEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("category", models.CharField(choices=[("visitors", "visitors"), ("children", "children"), ("coffees", "cups of coffee"), ("conversations", "conversations")], max_length=20, verbose_name="category")),
                        ("delta", models.IntegerField(verbose_name="change")),
                        ("client_id", models.UUIDField(unique=True, verbose_name="client id")),
                        ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                        ("received_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="received at")),
                        ("device_id", models.CharField(blank=True, max_length=64, verbose_name="device")),
                        ("is_correction", models.BooleanField(default=False, verbose_name="correction")),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        ("sync_id", models.UUIDField(blank=True, editable=False, null=True, verbose_name="upload")),
                        ("recorded_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="recorded by")),
                        ("site", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="tally_entries", to="events.site", verbose_name="site")),
                    ],
                    options={
                        "verbose_name": "tally entry",
                        "verbose_name_plural": "tally entries",
                        "ordering": ["site", "recorded_at", "id"],
                        "indexes": [
                            models.Index(fields=["site", "category"], name="tally_site_category_idx"),
                            models.Index(fields=["site", "recorded_at"], name="tally_site_recorded_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("is_correction", True), models.Q(("delta__gte", -1), ("delta__lte", 50)), _connector="OR"), name="tally_tap_delta_range", violation_error_code="tally_tap_delta_range", violation_error_message="A tap counts between -1 and +50."),
                            models.CheckConstraint(condition=models.Q(("is_correction", False), models.Q(("reason", ""), _negated=True), _connector="OR"), name="tally_correction_has_reason", violation_error_code="tally_correction_has_reason", violation_error_message="A correction needs a reason."),
                            models.CheckConstraint(condition=models.Q(("delta", 0), _negated=True), name="tally_delta_not_zero", violation_error_code="tally_delta_not_zero", violation_error_message="A change of zero counts nothing."),
                        ],
                    },
                ),
            ],
        ),
    ]
