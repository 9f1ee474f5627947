"""`python manage.py import_locations FILE [--dry-run]`: see locations/importing.py and README."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from locations.importing import ImportFileError, location_import


class Command(BaseCommand):
    help = (
        "Import locations from a CSV file (comma or semicolon, UTF-8 or Windows-1252). "
        "Reports every bad row and imports the good ones; a re-run updates instead of "
        "duplicating. Exits with status 1 when some row was bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and look up every row, write nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, dry_run: bool, no_progress: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None

        def progress(rows, total):
            return tqdm(
                rows, total=total, unit="row", disable=no_progress or None, file=self.stderr._out
            )

        try:
            report = location_import(data=data, dry_run=dry_run, progress=progress)
        except ImportFileError as error:
            raise CommandError(error.detail) from None

        out = self.stdout
        out.write(
            f"{file}: {report.rows} rows ({report.encoding}, separated by "
            f"{'semicolons' if report.delimiter == ';' else 'commas'})"
        )
        if report.ignored_columns:
            out.write("Ignored columns: " + ", ".join(report.ignored_columns))
        verb = "would be" if dry_run else "were"
        out.write(
            f"{report.created} {verb} created, {report.updated} {verb} updated, "
            f"{report.unchanged} unchanged, {report.bad_rows} bad"
        )
        if report.precisions:
            out.write(
                "Positions: "
                + ", ".join(
                    f"{count} {precision or 'none'}"
                    for precision, count in sorted(report.precisions.items())
                )
            )
        for line in report.fallbacks:
            out.write(self.style.WARNING(line))
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(str(problem)))
        if dry_run:
            out.write("Dry run: nothing was written.")
        if report.problems:
            raise SystemExit(1)
