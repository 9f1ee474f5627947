from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.places import DEMO_COORDINATOR, DEMO_ORGANISER, DEMO_PASSWORD, DEMO_VOLUNTEER
from demo.seed import DemoSeeder


class Command(BaseCommand):
    help = (
        "Fill the database with demo editions, sites, shifts, tallies and three demo accounts. "
        "Safe to run again: existing rows are kept, nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off. The demo accounts have a published password.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo accounts have a password "
                "that is published in the README. Use --force if you really mean it."
            )
        created = DemoSeeder().run()
        if created:
            for label, number in sorted(created.items()):
                self.stdout.write(f"created {number} {label}")
        else:
            self.stdout.write("The demo data is already there; nothing was changed.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo accounts ({DEMO_ORGANISER}, {DEMO_COORDINATOR}, {DEMO_VOLUNTEER}) "
                f"use the password {DEMO_PASSWORD!r}."
            )
        )
