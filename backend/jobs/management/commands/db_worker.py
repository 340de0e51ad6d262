"""`db_worker` of django-tasks-db, which first makes sure every periodic job is scheduled."""

from typing import Any

from django_tasks_db.management.commands import db_worker

from backend.jobs.services import periodic_jobs_schedule


class Command(db_worker.Command):
    help = (
        "Run a database background worker; on start, schedule the periodic jobs (lease "
        "checks, housekeeping) that have no pending run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        scheduled = periodic_jobs_schedule()
        if scheduled and options.get("verbosity", 1) > 0:
            self.stdout.write(f"Periodic jobs scheduled: {', '.join(scheduled)}.")
        super().handle(*args, **options)
