"""Idempotency: replay of create requests retried over bad networks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    name = "backend.idempotency"
    verbose_name = _("Idempotency keys")
