import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("locations", "0002_geocoding_cache"),
    ]

    operations = [
        migrations.AddField(
            model_name="location",
            name="branch",
            field=models.ForeignKey(
                blank=True,
                help_text="The branch that looks after this place: only its coordinators (and the national office) see its address, change it and register sites there.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="locations",
                to="locations.branch",
                verbose_name="branch",
            ),
        ),
    ]
