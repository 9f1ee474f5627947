# Refused taps, counted per upload and reason, for the audit page (issue 14): the
# branch's coordinators see who sent taps the server refused, and why.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0005_tallyentry_moved_out'),
        ('tallies', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TallyRefusal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=32, verbose_name='reason')),
                ('taps', models.PositiveIntegerField(verbose_name='taps')),
                ('counted', models.IntegerField(verbose_name='what they would have counted')),
                ('received_at', models.DateTimeField(verbose_name='received at')),
                ('device_id', models.CharField(blank=True, max_length=64, verbose_name='device')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tally_refusals', to='events.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'refused taps',
                'verbose_name_plural': 'refused taps',
                'ordering': ['site', 'received_at', 'id'],
                'indexes': [models.Index(fields=['site', 'received_at'], name='tally_refusal_site_idx')],
            },
        ),
    ]
