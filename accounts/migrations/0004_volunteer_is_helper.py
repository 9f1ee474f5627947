from django.db import migrations, models
from django.db.models import Q


def mark_helpers(apps, schema_editor):
    """Helpers are those with a personal link, and the erased ones that came as helpers
    (their `HelperOrigin` stays); a helper who made their own account kept their origin but
    has neither."""
    Volunteer = apps.get_model("accounts", "Volunteer")
    Volunteer.objects.filter(
        Q(link_token__isnull=False) | Q(anonymised_at__isnull=False, helper_origin__isnull=False)
    ).update(is_helper=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_person_language_and_helpers"),
        ("volunteers", "0004_site_invitation_and_helper_origin"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="is_helper",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="helper without a log-in"
            ),
        ),
        migrations.RunPython(mark_helpers, migrations.RunPython.noop),
    ]
