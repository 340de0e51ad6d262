"""Background jobs of the plan (run by `manage.py db_worker`)."""

from django_tasks import task

from backend.plans.services.artifacts import artifact_build_execute


@task()
def artifact_build_run(*, build_id: int) -> None:
    """Build a consultation's published files (see `artifact_build_execute`)."""
    artifact_build_execute(build_id=build_id)
