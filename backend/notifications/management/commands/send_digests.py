"""`manage.py send_digests`: send every due e-mail digest (run it hourly from cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from backend.notifications.services import digests_send


class Command(BaseCommand):
    help = (
        "Send the e-mail digests that are due (daily or weekly per person), grouping the unread "
        "notifications no digest carried yet. Safe to run often and from several machines."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = digests_send()
        self.stdout.write(
            f"digests sent: {run.people} ({run.notifications} notifications), failed: {run.failed}"
        )
        if run.failed:
            raise SystemExit(1)
