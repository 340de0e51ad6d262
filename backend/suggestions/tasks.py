"""Background jobs of the suggestions (run by `manage.py db_worker`)."""

from django_tasks import task

from backend.suggestions.services import suggestion_run_execute


@task()
def suggestion_run_compute(*, run_id: int) -> None:
    """Compute the suggested clusters of a queued run (see `suggestion_run_execute`)."""
    suggestion_run_execute(run_id=run_id)
