"""Delete the expired idempotency records (run it daily, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from backend.idempotency.services import idempotency_records_purge


class Command(BaseCommand):
    help = "Delete idempotency records whose replay window has expired."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_records_purge()
        self.stdout.write(f"Expired idempotency records deleted: {deleted}.")
