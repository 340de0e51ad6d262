"""Contributions (problems and proposals), participant cards, versions and endorsements."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.consultations.models import Theme

TITLE_MAX_LENGTH = 140
BODY_MAX_LENGTH = 5000
SUMMARY_MAX_LENGTH = 1000
LABEL_MAX_LENGTH = 80
PARTNERS_MAX_LENGTH = 1000
HIDDEN_REASON_MAX_LENGTH = 500


class AgeBracket(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    FROM_18_TO_25 = "18_25", _("18 to 25")
    FROM_26_TO_45 = "26_45", _("26 to 45")
    FROM_46_TO_65 = "46_65", _("46 to 65")
    FROM_66_TO_80 = "66_80", _("66 to 80")
    OVER_80 = "over_80", _("Over 80")
    UNKNOWN = "unknown", _("Unknown")


class ConsentNote(models.TextChoices):
    ORAL = "oral", _("Oral consent")
    WRITTEN = "written", _("Written consent")
    GUARDIAN = "guardian", _("Consent of a guardian")


class ContributionKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    PROPOSAL = "proposal", _("Proposal")


class ContributionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HIDDEN = "hidden", _("Hidden")


class Origin(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE = "mobile", _("Mobile app")
    WORKSHOP = "workshop", _("Workshop")
    PAPER = "paper", _("Paper")
    PHONE = "phone", _("Phone")


class Public(models.TextChoices):
    SENIORS = "seniors", _("Seniors")
    JOB_SEEKERS = "job_seekers", _("Job seekers")
    YOUNG_PEOPLE = "young_people", _("Young people")
    DISABLED_PEOPLE = "disabled_people", _("People with disabilities")
    MIGRANTS = "migrants", _("Migrants")
    ISOLATED_PEOPLE = "isolated_people", _("Isolated people")
    OTHER = "other", _("Other")


class ParticipantCard(models.Model):
    """A pseudonymous record for someone with no account or device, kept by facilitators."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="participant_cards",
    )
    label = models.CharField(_("label (pseudonym)"), max_length=LABEL_MAX_LENGTH)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    age_bracket = models.CharField(
        _("age bracket"), max_length=10, choices=AgeBracket.choices, default=AgeBracket.UNKNOWN
    )
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_note = models.CharField(
        _("how consent was given"), max_length=10, choices=ConsentNote.choices
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("participant card")
        verbose_name_plural = _("participant cards")
        ordering = ["consultation_id", "label", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(consent_given=True), name="card_consent_given"),
        ]

    def __str__(self) -> str:
        return self.label


class Contribution(models.Model):
    """A problem or a proposal: one table so lists, search and comments treat them alike."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContributionKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("body"))
    summary_easy_read = models.TextField(_("easy-to-read summary (FALC)"), blank=True, default="")
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    publics = ArrayField(
        models.CharField(max_length=20, choices=Public.choices),
        verbose_name=_("publics affected"),
        default=list,
        blank=True,
    )
    answers = models.ManyToManyField(
        "self",
        verbose_name=_("problems answered"),
        symmetrical=False,
        blank=True,
        related_name="answered_by",
    )
    expected_partners = models.TextField(_("expected partners"), blank=True, default="")
    estimated_cost_eur = models.PositiveIntegerField(
        _("estimated cost (EUR)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ContributionStatus.choices,
        default=ContributionStatus.DRAFT,
    )
    hidden_reason = models.CharField(
        _("reason for hiding"), max_length=HIDDEN_REASON_MAX_LENGTH, blank=True, default=""
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    author_card = models.ForeignKey(
        ParticipantCard,
        verbose_name=_("author (participant card)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("on behalf of the structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    captured_at = models.DateTimeField(_("captured at"), default=timezone.now)
    # How the person a facilitator published for (an account) agreed to it; empty otherwise.
    on_behalf_consent = models.CharField(
        _("consent of the person spoken for"),
        max_length=10,
        choices=ConsentNote.choices,
        blank=True,
        default="",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # Stored counters for the `endorsed` and `commented` orders: kept by the services with
    # F() increments in the transaction that adds or removes the row (comments: visible only).
    endorsement_count = models.PositiveIntegerField(_("endorsements"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("visible comments"), default=0, editable=False)
    # French, accent-free tsvector of title and body, written by the services.
    search_document = SearchVectorField(_("search document"), null=True, editable=False)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(author__isnull=False) & Q(author_card__isnull=True))
                | (Q(author__isnull=True) & Q(author_card__isnull=False)),
                name="contribution_one_author",
            ),
        ]
        indexes = [
            models.Index(
                fields=["consultation", "status", "-published_at"],
                name="contribution_list_idx",
            ),
            GinIndex(fields=["search_document"], name="contribution_search_idx"),
            # The list's `recent` order and its keyset cursor (selectors, api/pagination.py):
            # a page reads 20 index entries instead of sorting the whole consultation.
            models.Index(
                F("consultation"),
                F("status"),
                Coalesce("published_at", "created_at").desc(),
                F("id").desc(),
                name="contribution_recent_idx",
            ),
            # The `endorsed` and `commented` orders: a page reads 20 index entries.
            models.Index(
                F("consultation"),
                F("status"),
                F("endorsement_count").desc(),
                Coalesce("published_at", "created_at").desc(),
                F("id").desc(),
                name="contribution_endorsed_idx",
            ),
            models.Index(
                F("consultation"),
                F("status"),
                F("comment_count").desc(),
                Coalesce("published_at", "created_at").desc(),
                F("id").desc(),
                name="contribution_commented_idx",
            ),
            # Counting a theme's page numbers without reading the table.
            models.Index(fields=["consultation", "status", "theme"], name="contribution_theme_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ContributionVersion(models.Model):
    """The text of a published contribution as it was before an edit."""

    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("body"))
    summary_easy_read = models.TextField(_("easy-to-read summary (FALC)"), blank=True, default="")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)

    class Meta:
        verbose_name = _("contribution version")
        verbose_name_plural = _("contribution versions")
        ordering = ["contribution_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "number"], name="contribution_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution} (v{self.number})"


class Endorsement(models.Model):
    """ "We see it too" on a problem, by a person (account or card), possibly for a structure.

    A person endorses once in their own name and once per structure they speak for.
    """

    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("problem"),
        on_delete=models.CASCADE,
        related_name="endorsements",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    card = models.ForeignKey(
        ParticipantCard,
        verbose_name=_("participant card"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="endorsements",
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(card__isnull=True))
                | (Q(user__isnull=True) & Q(card__isnull=False)),
                name="endorsement_one_person",
            ),
            models.UniqueConstraint(
                fields=["contribution", "user"],
                condition=Q(user__isnull=False, structure__isnull=True),
                name="endorsement_unique_user",
            ),
            models.UniqueConstraint(
                fields=["contribution", "card"],
                condition=Q(card__isnull=False),
                name="endorsement_unique_card",
            ),
            models.UniqueConstraint(
                fields=["contribution", "structure"],
                condition=Q(structure__isnull=False),
                name="endorsement_unique_structure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution} +1"
