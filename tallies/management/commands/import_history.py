"""`python manage.py import_history FILE --name NAME --kind KIND [--slug SLUG] [--dry-run]
[--create-branches]`: see tallies/history_import.py and README ("Past editions from a
spreadsheet")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tallies.history_import import HistoryImportConflict, ImportFileError, history_import


class Command(BaseCommand):
    help = (
        "Import a past edition from a CSV or Excel (.xlsx) file with one row per site "
        "(location, branch, date, opens, closes, and a column per counted category): the "
        "edition, its locations, its sites as published history and its totals as imported "
        "tally entries, in one transaction. A file with a bad row imports nothing; a re-run "
        "changes nothing. Exits with status 1 when a row was bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True, help="the edition's name")
        parser.add_argument("--kind", required=True, help="the kind of action day (its slug)")
        parser.add_argument("--slug", default="", help="the edition's slug (default: from name)")
        parser.add_argument("--description", default="", help="the edition's public text")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--create-branches",
            action="store_true",
            help="create the branches the file names that do not exist yet",
        )

    def handle(self, *args, file: Path, dry_run: bool, create_branches: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            report = history_import(
                data=data,
                name=options["name"],
                kind=options["kind"],
                slug=options["slug"],
                description=options["description"],
                dry_run=dry_run,
                create_branches=create_branches,
            )
        except (ImportFileError, HistoryImportConflict) as error:
            raise CommandError(error.detail) from None

        out = self.stdout
        out.write(f"{file}: {len(report.rows)} rows ({report.file_kind})")
        if report.ignored_columns:
            out.write("Ignored columns: " + ", ".join(report.ignored_columns))
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(str(problem)))
        if report.problems:
            self.stderr.write(
                self.style.ERROR(
                    f"{len(report.bad_rows)} bad rows: nothing was imported. Fix them and "
                    "import the file again."
                )
            )
            raise SystemExit(1)
        verb = "would be" if dry_run else "were"
        edition = "existing, imported before" if report.existing_edition else f"new ({verb} made)"
        out.write(f"Edition {report.name} ({report.slug}) on {report.date}: {edition}")
        out.write(
            f"Locations: {report.locations_created} {verb} created, "
            f"{report.locations_matched} matched; branches: {report.branches_created} {verb} "
            f"created; sites: {report.sites_created} {verb} created, {report.sites_unchanged} "
            "unchanged"
        )
        out.write(
            f"Tally entries: {report.entries_created} {verb} stored, {report.corrections} "
            f"corrections; totals in the file: "
            + ", ".join(f"{slug} {total}" for slug, total in report.totals.items())
        )
        if not report.changed:
            out.write("Nothing changed: the edition is as the file says.")
        if dry_run:
            out.write("Dry run: nothing was written.")
