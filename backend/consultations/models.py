"""Consultation rounds, their dated phases and the per-consultation roles."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    BigIntegerRangeField,
    DateTimeRangeField,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    EMPLOI = "emploi", _("Employment")
    MOBILITE = "mobilite", _("Mobility")
    SANTE = "sante", _("Health")
    LOGEMENT = "logement", _("Housing")
    CONSOMMATION = "consommation", _("Consumption")
    LIEN_SOCIAL = "lien_social", _("Social ties")
    EDUCATION = "education", _("Education")
    ACCES_DROITS = "acces_droits", _("Access to rights (online procedures)")
    EQUIPEMENT = "equipement", _("Equipment")
    CONNEXION = "connexion", _("Connectivity")
    COMPETENCES = "competences", _("Digital skills")


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class PhaseKind(models.TextChoices):
    DIAGNOSTIC = "diagnostic", _("Diagnostic (problems)")
    PROPOSALS = "proposals", _("Proposals")
    DELIBERATION = "deliberation", _("Deliberation")
    VOTE = "vote", _("Vote")
    SYNTHESIS = "synthesis", _("Synthesis")
    RESTITUTION = "restitution", _("Restitution (published plan)")


class RoleKind(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer")
    FACILITATOR = "facilitator", _("Facilitator")
    MODERATOR = "moderator", _("Moderator")


class Consultation(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    summary_easy_read = models.TextField(_("easy-to-read summary (FALC)"), blank=True, default="")
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    themes = ArrayField(
        models.CharField(max_length=20, choices=Theme.choices),
        verbose_name=_("themes"),
        default=list,
        blank=True,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.DRAFT,
    )
    replicated_from = models.ForeignKey(
        "self",
        verbose_name=_("replicated from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replicas",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status"], name="consultation_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class SingletonRange(Func):
    """[id, id] as an int8range: lets a GiST exclusion compare ids without btree_gist."""

    function = "INT8RANGE"
    template = "%(function)s(%(expressions)s, %(expressions)s, '[]')"
    output_field = BigIntegerRangeField()


class Phase(models.Model):
    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="phases",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PhaseKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["consultation_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="phase_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["consultation", "position"],
                name="phase_unique_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            ExclusionConstraint(
                name="phase_no_overlap",
                expressions=[
                    (SingletonRange("consultation"), RangeOperators.OVERLAPS),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} — {self.get_kind_display()}"


class ConsultationRole(models.Model):
    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="consultation_roles",
    )
    role = models.CharField(_("role"), max_length=12, choices=RoleKind.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("consultation role")
        verbose_name_plural = _("consultation roles")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "user", "role"], name="consultation_role_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.consultation}"
