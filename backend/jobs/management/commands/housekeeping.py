"""Run the housekeeping job now (the workers also run it every HOUSEKEEPING_INTERVAL_MINUTES)."""

from typing import Any

from django.core.management.base import BaseCommand

from backend.jobs.services import housekeeping_run


class Command(BaseCommand):
    help = (
        "Prune expired Idempotency-Key records and sessions, old finished task rows and the "
        "old similarity change log, now."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = housekeeping_run()
        for kind, deleted in counts.items():
            self.stdout.write(f"{kind}: {deleted} deleted")
