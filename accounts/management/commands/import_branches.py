"""`python manage.py import_branches FILE [--dry-run] [--skip-bad-rows]`: see
accounts/coordinator_invites.py and README ("Branches and coordinators from a spreadsheet")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.coordinator_invites import BranchImportConflict, ImportFileError, branch_import


class Command(BaseCommand):
    help = (
        "Import branches and their coordinators from a CSV or Excel (.xlsx) file: columns "
        "name, town, province, coordinators (e-mail addresses). New coordinators are invited "
        "by mail to set their password. A file with a bad row imports nothing (unless "
        "--skip-bad-rows); a re-run changes nothing. Exits with status 1 when a row was bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="import the good rows of a file that has bad ones",
        )

    def handle(self, *args, file: Path, dry_run: bool, skip_bad_rows: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            report = branch_import(data=data, dry_run=dry_run, skip_bad_rows=skip_bad_rows)
        except (ImportFileError, BranchImportConflict) as error:
            raise CommandError(error.detail) from None

        out = self.stdout
        out.write(f"{file}: {len(report.file.rows)} rows ({report.file.kind})")
        if report.file.ignored_columns:
            out.write("Ignored columns: " + ", ".join(report.file.ignored_columns))
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(str(problem)))
        for note in report.file.notes:
            out.write(self.style.WARNING(str(note)))
        if report.problems and not dry_run and not report.written:
            self.stderr.write(
                self.style.ERROR(
                    f"{len(report.bad_rows)} bad rows: nothing was imported. Fix them, or "
                    "import the good rows with --skip-bad-rows."
                )
            )
            raise SystemExit(1)
        verb = "would be" if dry_run else "were"
        out.write(
            f"Branches: {report.created} {verb} created, {report.updated} {verb} updated, "
            f"{report.unchanged} unchanged, {len(report.bad_rows)} bad rows"
        )
        out.write(
            f"Coordinators: {report.new_coordinators} {verb} added, {report.new_accounts} new "
            f"accounts, {report.invitations} invitation mails "
            + ("would be queued" if dry_run else "queued (the worker sends them)")
        )
        if dry_run:
            out.write("Dry run: nothing was written.")
        if report.problems:
            raise SystemExit(1)
