"""Structures (associations, CCAS, médiathèques...) and the people who speak for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StructureType(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    CCAS = "ccas", _("CCAS (municipal social action centre)")
    MEDIATHEQUE = "mediatheque", _("Media library")
    CENTRE_SOCIAL = "centre_social", _("Social centre")
    MISSION_LOCALE = "mission_locale", _("Mission locale (youth employment)")
    COLLECTIVITE = "collectivite", _("Local authority")
    ENTREPRISE = "entreprise", _("Company")
    OTHER = "other", _("Other")


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")


class Structure(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=StructureType.choices)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="structures",
    )
    description = models.TextField(_("description"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set by staff who checked the structure is who it says (anyone can create "CCAS de
    # Grenoble"); cleared when its name, type or territory changes.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="structures",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["type"], name="structure_type_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Membership(models.Model):
    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["structure", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.structure} ({self.role})"
