from django.core.management.base import BaseCommand, CommandError

from volunteers.retention import volunteers_anonymise_inactive


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of volunteers whose last shift, last log-in and "
        "sign-up lie more than VOLUNTEER_RETENTION_MONTHS months back (default 24). "
        "Safe to run from cron, also twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, help="Override VOLUNTEER_RETENTION_MONTHS for this run."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count who would be anonymised."
        )

    def handle(self, *args, months=None, dry_run=False, **options):
        try:
            run = volunteers_anonymise_inactive(months=months, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from None
        cutoff = run.cutoff.isoformat(timespec="seconds")
        if dry_run:
            self.stdout.write(
                f"would anonymise {run.anonymised} volunteers inactive since {cutoff}"
            )
            return
        self.stdout.write(
            f"anonymised {run.anonymised} volunteers inactive since {cutoff}; "
            f"skipped {run.skipped} (done by another run or active again)"
        )
