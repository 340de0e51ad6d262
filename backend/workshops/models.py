"""Live workshops: the room, its activities, participants' answers and the sequenced log."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 200
IDEA_MAX_LENGTH = 500
DISPLAY_NAME_MAX_LENGTH = 80
JOIN_CODE_LENGTH = 6


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ActivityKind(models.TextChoices):
    IDEA_CAPTURE = "idea_capture", _("Idea capture")
    VOTE = "vote", _("Vote")
    POLL = "poll", _("Quick poll")


class ActivityStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class IdeaStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Participation(models.TextChoices):
    """Who may answer in the room without being vouched for (issue: ballot stuffing)."""

    ACCOUNTS = "accounts", _("Accounts only")
    DEVICE = "device", _("One card per device")
    OPEN = "open", _("Open")


class EventAudience(models.TextChoices):
    ALL = "all", _("Everyone")
    FACILITATORS = "facilitators", _("Facilitators")


class Workshop(models.Model):
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="workshops",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    place = models.CharField(_("place"), max_length=PLACE_MAX_LENGTH, blank=True, default="")
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT
    )
    join_code = models.CharField(
        _("join code"), max_length=JOIN_CODE_LENGTH, blank=True, default="", editable=False
    )
    participation = models.CharField(
        _("participation"),
        max_length=8,
        choices=Participation.choices,
        default=Participation.DEVICE,
    )
    # The last sequence number given to an event of this workshop: incremented under the
    # row's lock in the transaction of the change (see services.events.emit_sequenced).
    last_seq = models.BigIntegerField(_("last sequence number"), default=0, editable=False)
    current_activity = models.ForeignKey(
        "workshops.Activity",
        verbose_name=_("current activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["consultation_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["join_code"],
                condition=Q(status="open"),
                name="workshop_unique_open_join_code",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    title = models.CharField(_("title or question"), max_length=TITLE_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(_("position"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActivityStatus.choices, default=ActivityStatus.PENDING
    )
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    results_visible = models.BooleanField(_("results shown to participants"), default=False)
    idea_kinds = ArrayField(
        models.CharField(max_length=10),
        verbose_name=_("kinds of ideas accepted"),
        default=list,
        blank=True,
    )
    vote = models.OneToOneField(
        "votes.Vote",
        verbose_name=_("vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workshop_activity",
    )
    poll_multiple = models.BooleanField(_("several choices allowed"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["workshop_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "position"], name="activity_unique_position"
            ),
            models.UniqueConstraint(
                fields=["workshop"], condition=Q(status="open"), name="activity_one_open"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PollChoice(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="choices"
    )
    label = models.CharField(_("label"), max_length=TITLE_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("poll choice")
        verbose_name_plural = _("poll choices")
        ordering = ["activity_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "position"], name="poll_choice_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Participant(models.Model):
    """Someone in the room: an account, or a participant card (a phone without an account,
    or a person without a phone the facilitator answers for)."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    card = models.ForeignKey(
        "proposals.ParticipantCard",
        verbose_name=_("participant card"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="workshop_participations",
    )
    display_name = models.CharField(
        _("display name"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True, default=""
    )
    # SHA-256 of the device's resume token; the token itself is shown once.
    resume_token_digest = models.CharField(
        _("resume token (hash)"), max_length=64, blank=True, default="", editable=False
    )
    # SHA-256 of the signed device id of a phone that joined without an account (its card
    # is "anonymous": nobody vouched for it); empty for accounts and facilitators' cards.
    device_digest = models.CharField(
        _("device (hash)"), max_length=64, blank=True, default="", editable=False
    )
    voided_at = models.DateTimeField(_("answers voided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("workshop participant")
        verbose_name_plural = _("workshop participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, card__isnull=True)
                | Q(user__isnull=True, card__isnull=False),
                name="participant_one_person",
            ),
            models.UniqueConstraint(
                fields=["workshop", "user"],
                condition=Q(user__isnull=False),
                name="participant_unique_user",
            ),
            models.UniqueConstraint(
                fields=["workshop", "card"],
                condition=Q(card__isnull=False),
                name="participant_unique_card",
            ),
            models.UniqueConstraint(
                fields=["resume_token_digest"],
                condition=~Q(resume_token_digest=""),
                name="participant_unique_resume_token",
            ),
            models.UniqueConstraint(
                fields=["workshop", "device_digest"],
                condition=~Q(device_digest=""),
                name="participant_unique_device",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.pk)


class PollAnswer(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="poll_answers"
    )
    choice = models.ForeignKey(
        PollChoice, verbose_name=_("choice"), on_delete=models.CASCADE, related_name="answers"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="poll_answers",
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [
            models.UniqueConstraint(
                fields=["choice", "participant"], name="poll_answer_unique_choice"
            ),
        ]
        indexes = [models.Index(fields=["activity", "participant"], name="poll_answer_idx")]

    def __str__(self) -> str:
        return f"{self.participant_id} -> {self.choice_id}"


class Idea(models.Model):
    """A short problem or proposal posted in the room, waiting for the facilitator."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="ideas"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="ideas"
    )
    kind = models.CharField(_("kind"), max_length=10)
    text = models.TextField(_("text"), max_length=IDEA_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=8, choices=IdeaStatus.choices, default=IdeaStatus.PENDING
    )
    contribution = models.ForeignKey(
        "proposals.Contribution",
        verbose_name=_("contribution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["activity_id", "created_at", "id"]
        indexes = [models.Index(fields=["activity", "status"], name="idea_queue_idx")]

    def __str__(self) -> str:
        return self.text[:60]


class WorkshopEvent(models.Model):
    """The sequenced log: what a reconnecting client missed is read from here."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="events"
    )
    seq = models.BigIntegerField(_("sequence number"))
    type = models.CharField(_("type"), max_length=40)
    audience = models.CharField(
        _("audience"), max_length=12, choices=EventAudience.choices, default=EventAudience.ALL
    )
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("workshop event")
        verbose_name_plural = _("workshop events")
        ordering = ["workshop_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "seq"], name="workshop_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id}#{self.seq} {self.type}"
