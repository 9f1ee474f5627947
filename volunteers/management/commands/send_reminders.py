from django.core.management.base import BaseCommand, CommandError

from volunteers.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Mail volunteers about their coming shifts (days before, and on the morning). "
        "Run it every few minutes from cron; a reminder is never sent twice."
    )

    def handle(self, *args, **options):
        run = reminders_send()
        self.stdout.write(
            f"sent {run.sent}, already sent by another run {run.already_sent}, "
            f"failed (tried again next run) {run.failed}"
        )
        if run.failed:
            raise CommandError(f"{run.failed} reminders could not be sent; see the log.")
