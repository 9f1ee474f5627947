# The volunteer profile moved here from the volunteers app (people sit below events). Only
# Django's picture of the models changes in this migration; volunteers/0003 renames the
# table, so existing databases keep every row.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import accounts.tokens


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("locations", "0002_geocoding_cache"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Volunteer",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("phone", models.CharField(blank=True, max_length=30, verbose_name="phone")),
                        ("languages", models.JSONField(blank=True, default=list, help_text="Language codes such as nl, en, ar, ti, fa.", verbose_name="languages spoken")),
                        ("calendar_token", models.CharField(default=accounts.tokens.new_calendar_token, editable=False, max_length=64, unique=True, verbose_name="calendar token")),
                        ("coordinator_calendar_token", models.CharField(default=accounts.tokens.new_calendar_token, editable=False, max_length=64, unique=True, verbose_name="coordinator calendar token")),
                        ("anonymised_at", models.DateTimeField(blank=True, null=True, verbose_name="anonymised at")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("home_branch", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="volunteers", to="locations.branch", verbose_name="home branch")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="volunteer", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "verbose_name": "volunteer",
                        "verbose_name_plural": "volunteers",
                        "ordering": ["user__email"],
                    },
                ),
            ],
        ),
    ]
