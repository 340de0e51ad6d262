"""Compute the missing or stale embeddings of published contributions (once per text)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.proposals.models import Contribution, ContributionStatus
from backend.suggestions.embeddings import (
    EMBEDDING_FIELDS,
    READ_CHUNK,
    contribution_embeddings_fill,
)


class Command(BaseCommand):
    help = (
        "Compute the sentence embeddings that published contributions lack (after an upgrade, "
        "or for rows inserted outside the services). Texts already embedded are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--consultation", type=int, help="only this consultation")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = Contribution.objects.filter(status=ContributionStatus.PUBLISHED).order_by("id")
        if options.get("consultation"):
            rows = rows.filter(consultation_id=options["consultation"])
        done = 0
        batch: list[Any] = []
        for row in rows.values_list("id", "title", "body", *EMBEDDING_FIELDS).iterator(
            chunk_size=READ_CHUNK
        ):
            batch.append(row)
            if len(batch) == READ_CHUNK:
                contribution_embeddings_fill(batch)
                done += len(batch)
                batch = []
        if batch:
            contribution_embeddings_fill(batch)
            done += len(batch)
        self.stdout.write(f"{done} published contributions have their embedding.")
