"""Everything the platform holds about one person, for `GET /me/export/` (GDPR art. 15, 20).

One query per kind of datum; values only (no model instance), as JSON-ready dictionaries.
"""

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import AccessToken, User
from backend.comments.models import Comment
from backend.consultations.models import ConsultationRole
from backend.core import errors
from backend.moderation.models import Report
from backend.notifications.models import Notification, NotificationPreference
from backend.proposals.models import Contribution, Endorsement, ParticipantCard
from backend.structures.models import Membership
from backend.votes.models import BallotLine
from backend.workshops.models import Idea, Participant, PollAnswer

EXPORT_FORMAT_VERSION = 1


def _rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    return [dict(row) for row in queryset.values(*fields)]


def personal_data_export(*, user: User) -> dict[str, Any]:
    """The person's data as a JSON-ready dictionary (see frontend-contract/privacy.md)."""
    profile = (
        User.objects.filter(pk=user.pk)
        .values(
            "id",
            "email",
            "display_name",
            "territory_id",
            "territory__name",
            "is_active",
            "is_staff",
            "date_joined",
            "last_login",
        )
        .get()
    )
    mine = Q(author=user) | Q(entered_by=user)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "profile": profile,
        "structures": _rows(
            Membership.objects.filter(user=user).order_by("joined_at", "id"),
            "structure_id",
            "structure__name",
            "structure__type",
            "role",
            "joined_at",
        ),
        "consultation_roles": _rows(
            ConsultationRole.objects.filter(user=user).order_by("granted_at", "id"),
            "consultation_id",
            "consultation__title",
            "role",
            "granted_at",
        ),
        "contributions": _rows(
            Contribution.objects.filter(mine).order_by("created_at", "id"),
            "id",
            "consultation_id",
            "kind",
            "status",
            "title",
            "body",
            "summary_easy_read",
            "theme",
            "origin",
            "author_id",
            "author_card_id",
            "entered_by_id",
            "on_behalf_consent",
            "structure_id",
            "captured_at",
            "created_at",
            "published_at",
        ),
        "comments": _rows(
            Comment.objects.filter(mine).order_by("created_at", "id"),
            "id",
            "contribution_id",
            "parent_id",
            "stance",
            "status",
            "body",
            "origin",
            "author_id",
            "author_card_id",
            "entered_by_id",
            "created_at",
            "edited_at",
        ),
        "ballots": _rows(
            BallotLine.objects.filter(Q(voter_user=user) | Q(entered_by=user)).order_by(
                "vote_id", "item_id", "id"
            ),
            "vote_id",
            "vote__title",
            "item_id",
            "value",
            "voter_user_id",
            "voter_card_id",
            "structure_id",
            "origin",
            "paper_reference",
            "captured_at",
            "cast_at",
            "updated_at",
        ),
        "endorsements": _rows(
            Endorsement.objects.filter(Q(user=user) | Q(entered_by=user)).order_by("id"),
            "contribution_id",
            "user_id",
            "card_id",
            "structure_id",
            "created_at",
        ),
        "participant_cards_entered": _rows(
            ParticipantCard.objects.filter(created_by=user).order_by("created_at", "id"),
            "id",
            "consultation_id",
            "label",
            "territory_id",
            "age_bracket",
            "consent_note",
            "created_at",
        ),
        "workshops": _rows(
            Participant.objects.filter(user=user).order_by("created_at", "id"),
            "workshop_id",
            "workshop__title",
            "display_name",
            "created_at",
        ),
        "workshop_ideas": _rows(
            Idea.objects.filter(participant__user=user).order_by("id"),
            "id",
            "activity_id",
            "text",
            "status",
            "created_at",
        ),
        "workshop_poll_answers": _rows(
            PollAnswer.objects.filter(participant__user=user).order_by("id"),
            "activity_id",
            "choice_id",
            "answered_at",
        ),
        "reports_filed": _rows(
            Report.objects.filter(reporter=user).order_by("created_at", "id"),
            "id",
            "contribution_id",
            "comment_id",
            "reason",
            "text",
            "created_at",
            "resolution",
        ),
        "access_tokens": _rows(
            AccessToken.objects.filter(user=user).order_by("created_at", "id"),
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
        ),
        "notifications": _rows(
            Notification.objects.filter(recipient=user).order_by("created_at", "id"),
            "id",
            "kind",
            "consultation_id",
            "candidate_action_id",
            "programme_id",
            "regional_action_id",
            "action_title",
            "decision",
            "answer",
            "status",
            "previous_status",
            "contributions",
            "created_at",
            "read_at",
            "emailed_at",
        ),
        "notification_preferences": _rows(
            NotificationPreference.objects.filter(user=user),
            "email_digest",
            "language",
            "last_digest_at",
            "updated_at",
        ),
    }


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    raise TypeError(type(value).__name__)


def personal_data_zip(*, user: User) -> bytes:
    """The export as `donnees-personnelles.json` inside a ZIP."""
    data = json.dumps(
        personal_data_export(user=user),
        default=_json_default,
        ensure_ascii=False,
        indent=2,
        sort_keys=True,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees-personnelles.json", data)
    return buffer.getvalue()


def participant_card_get(*, card_id: int) -> ParticipantCard:
    """A participant card with its consultation (the erasure service checks who may erase it);
    NotFound otherwise."""
    card = ParticipantCard.objects.select_related("consultation").filter(pk=card_id).first()
    if card is None:
        raise errors.NotFound()
    return card
