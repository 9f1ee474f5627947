# Each shift stores how many of its sign-ups are confirmed, so that lists read places
# without counting sign-ups and a claim takes its place with one conditional UPDATE. The
# counts of existing shifts are filled from their sign-ups here, in one UPDATE; a count is
# never negative (a constraint).

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_counts(apps, schema_editor):
    Shift = apps.get_model("events", "Shift")
    Signup = apps.get_model("events", "Signup")
    db = schema_editor.connection.alias
    confirmed = (
        Signup.objects.using(db)
        .filter(shift=OuterRef("pk"), status="confirmed")
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Shift.objects.using(db).update(
        confirmed_count=Coalesce(Subquery(confirmed, output_field=IntegerField()), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_location_owners"),
    ]

    operations = [
        migrations.AddField(
            model_name="shift",
            name="confirmed_count",
            field=models.IntegerField(default=0, editable=False, verbose_name="confirmed places"),
        ),
        migrations.RunPython(fill_counts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="shift",
            constraint=models.CheckConstraint(
                condition=models.Q(("confirmed_count__gte", 0)),
                name="shift_confirmed_count_not_negative",
            ),
        ),
    ]
