# The summaries kept beside the tally entries ("Fast at national scale"): the hourly
# totals per site and category that every figure reads (`TallyHour`), and what each person
# and device added per minute, which the limits read (`TallyMinuteCount`). Both are filled
# here from the entries already stored, with one INSERT … SELECT each; from then on the
# tally service keeps them in the transaction that stores entries (tallies/summary.py).
# The SQL is written out here rather than imported, so that this migration keeps doing
# what it did when the app's code moves on.

import django.db.models.deletion
from django.db import migrations, models

# The hour and minute of an entry's time in UTC: Europe/Amsterdam's hours are UTC hours
# (its offset is a whole number of hours). SQLite holds datetimes as UTC text.
TRUNCATE = {
    "postgresql": "date_trunc('{unit}', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    "sqlite": "strftime('{format}', recorded_at)",
}
SQLITE_FORMATS = {"hour": "%%Y-%%m-%%d %%H:00:00", "minute": "%%Y-%%m-%%d %%H:%%M:00"}


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    hour = TRUNCATE[vendor].format(unit="hour", format=SQLITE_FORMATS["hour"])
    minute = TRUNCATE[vendor].format(unit="minute", format=SQLITE_FORMATS["minute"])
    adding = "delta > 0 AND NOT is_correction"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tallies_tallyhour (site_id, category, hour, total, entries, corrections) "
            f"SELECT site_id, category, {hour}, SUM(delta), COUNT(*), "
            "SUM(CASE WHEN is_correction THEN 1 ELSE 0 END) FROM tallies_tallyentry "
            f"GROUP BY site_id, category, {hour}",
            [],
        )
        cursor.execute(
            "INSERT INTO tallies_tallyminutecount (site_id, counter, category, minute, added) "
            "SELECT site_id, counter, category, minute, SUM(delta) FROM ("
            "SELECT site_id, 'u' || CAST(recorded_by_id AS TEXT) AS counter, category, "
            f"{minute} AS minute, delta FROM tallies_tallyentry "
            f"WHERE recorded_by_id IS NOT NULL AND {adding} "
            "UNION ALL "
            f"SELECT site_id, 'd' || device_id, category, {minute}, delta "
            f"FROM tallies_tallyentry WHERE device_id <> '' AND {adding}"
            ") adding GROUP BY site_id, counter, category, minute",
            [],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0005_tallyentry_moved_out'),
        ('tallies', '0002_tally_refusals'),
    ]

    operations = [
        migrations.CreateModel(
            name='TallyHour',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(choices=[('visitors', 'visitors'), ('children', 'children'), ('coffees', 'cups of coffee'), ('conversations', 'conversations')], max_length=20, verbose_name='category')),
                ('hour', models.DateTimeField(verbose_name='hour')),
                ('total', models.BigIntegerField(verbose_name='total')),
                ('entries', models.PositiveIntegerField(verbose_name='entries')),
                ('corrections', models.PositiveIntegerField(verbose_name='corrections')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tally_hours', to='events.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'hourly total',
                'verbose_name_plural': 'hourly totals',
                'ordering': ['site', 'hour', 'category'],
                'constraints': [models.UniqueConstraint(fields=('site', 'category', 'hour'), name='tally_hour_site_category_hour')],
            },
        ),
        migrations.CreateModel(
            name='TallyMinuteCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(choices=[('visitors', 'visitors'), ('children', 'children'), ('coffees', 'cups of coffee'), ('conversations', 'conversations')], max_length=20, verbose_name='category')),
                ('counter', models.CharField(max_length=80, verbose_name='person or device')),
                ('minute', models.DateTimeField(verbose_name='minute')),
                ('added', models.PositiveIntegerField(verbose_name='added')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'taps per minute',
                'verbose_name_plural': 'taps per minute',
                'ordering': ['site', 'counter', 'category', 'minute'],
                'constraints': [models.UniqueConstraint(fields=('site', 'counter', 'category', 'minute'), name='tally_minute_count_key')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
