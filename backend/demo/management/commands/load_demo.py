"""Load the Grenoble pilot demo data (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from backend.demo.loader import demo_load


class Command(BaseCommand):
    help = "Load the Grenoble pilot demo data; running it again creates nothing new."

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_load()
        if report.created:
            summary = ", ".join(f"{count} {what}" for what, count in sorted(report.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        else:
            self.stdout.write("Demo data already present: nothing to add.")
