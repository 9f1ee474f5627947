from django.core.management.base import BaseCommand, CommandError

from volunteers.retention import helpers_erase_after_shifts, volunteers_anonymise_inactive


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of volunteers whose last shift, last log-in and "
        "sign-up lie more than VOLUNTEER_RETENTION_MONTHS months back (default 24), and "
        "of helpers without a log-in HELPER_RETENTION_DAYS days after their last shift "
        "(default 30). Safe to run from cron, also twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, help="Override VOLUNTEER_RETENTION_MONTHS for this run."
        )
        parser.add_argument(
            "--helper-days", type=int, help="Override HELPER_RETENTION_DAYS for this run."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count who would be anonymised."
        )

    def handle(self, *args, months=None, helper_days=None, dry_run=False, **options):
        # Both periods checked before either erasure runs: a wrong one must change nothing.
        if months is not None and months < 1:
            raise CommandError("The retention period is at least one month.")
        if helper_days is not None and helper_days < 1:
            raise CommandError("The retention period of helpers is at least one day.")
        try:
            run = volunteers_anonymise_inactive(months=months, dry_run=dry_run)
            helpers = helpers_erase_after_shifts(days=helper_days, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from None
        cutoff = run.cutoff.isoformat(timespec="seconds")
        helper_cutoff = helpers.cutoff.isoformat(timespec="seconds")
        if dry_run:
            self.stdout.write(
                f"would anonymise {run.anonymised} volunteers inactive since {cutoff}"
            )
            self.stdout.write(
                f"would erase {helpers.erased} helpers without a log-in whose last shift "
                f"ended before {helper_cutoff}"
            )
            return
        self.stdout.write(
            f"anonymised {run.anonymised} volunteers inactive since {cutoff}; "
            f"skipped {run.skipped} (done by another run or active again)"
        )
        self.stdout.write(
            f"erased {helpers.erased} helpers without a log-in whose last shift ended "
            f"before {helper_cutoff}; skipped {helpers.skipped} (done by another run or "
            "signed up again)"
        )
