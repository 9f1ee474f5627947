# Locations now have a branch that looks after them (locations/0003). A location where
# the sites of exactly one branch took place belongs to that branch; one used by several
# branches (or none) is left to the national office.

from django.db import migrations


def owners_from_sites(apps, schema_editor):
    Location = apps.get_model("locations", "Location")
    Site = apps.get_model("events", "Site")
    db = schema_editor.connection.alias
    branches: dict[int, set[int]] = {}
    for location_id, branch_id in Site.objects.using(db).values_list("location_id", "branch_id"):
        branches.setdefault(location_id, set()).add(branch_id)
    for location_id, ids in branches.items():
        if len(ids) == 1:
            Location.objects.using(db).filter(pk=location_id, branch=None).update(
                branch_id=next(iter(ids))
            )


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0006_address_sharing"),
        ("locations", "0003_location_branch"),
    ]

    operations = [
        migrations.RunPython(owners_from_sites, migrations.RunPython.noop),
    ]
