"""Suggestions: similar contributions for a draft, suggested clusters as a background job."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "backend.suggestions"
    verbose_name = _("Merge suggestions")

    def ready(self) -> None:
        from django.conf import settings

        from backend.core import hooks
        from backend.suggestions.services import similarity_contribution_changed
        from backend.synthesis.domain.semantic import limit_blas_threads

        limit_blas_threads(settings.SIMILARITY_BLAS_THREADS)
        # Proposals and moderation log their changes here without importing suggestions.
        hooks.register(hooks.CONTRIBUTION_CHANGED, similarity_contribution_changed)
