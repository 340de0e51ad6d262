"""Comment services: phase gate, provenance, threads, edit window, deletion, events."""

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from backend.comments.models import MAX_DEPTH, Comment, CommentStatus
from backend.comments.policies import EDIT_WINDOW
from backend.comments.services import comment_delete, comment_edit
from backend.consultations.domain import PhaseKind
from backend.core import errors
from backend.moderation.services import content_hide
from backend.proposals.models import Contribution, ContributionStatus, ParticipantCard
from backend.proposals.services import contribution_withdraw
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase, middle_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "phase", [PhaseKind.DIAGNOSTIC, PhaseKind.PROPOSALS, PhaseKind.DELIBERATION]
)
def test_comment_is_allowed_in_the_participation_phases(
    phase: PhaseKind, make_comment: Callable[..., Comment], people: Personas
) -> None:
    with in_phase(phase):
        comment = make_comment(stance="against")
    assert comment.status == CommentStatus.VISIBLE
    assert comment.depth == 0
    assert comment.author == people.participant
    assert comment.entered_by == people.participant
    assert comment.stance == "against"


@pytest.mark.parametrize("phase", [PhaseKind.VOTE, PhaseKind.SYNTHESIS, PhaseKind.RESTITUTION])
def test_comment_is_refused_once_deliberation_is_over(
    phase: PhaseKind, make_comment: Callable[..., Comment]
) -> None:
    with in_phase(phase), pytest.raises(errors.PhaseClosed):
        make_comment()
    assert not Comment.objects.exists()


@pytest.mark.usefixtures("in_deliberation")
def test_replies_go_down_to_the_depth_limit_then_are_refused(
    make_comment: Callable[..., Comment], people: Personas
) -> None:
    parent = make_comment()
    for depth in range(1, MAX_DEPTH + 1):
        parent = make_comment(by=people.outsider, parent=parent, stance="neutral")
        assert parent.depth == depth
    with pytest.raises(errors.ValidationFailed) as raised:
        make_comment(parent=parent)
    assert raised.value.fields is not None
    assert raised.value.fields["parent"][0]["code"] == "too_deep"


@pytest.mark.usefixtures("in_deliberation")
def test_a_reply_must_answer_a_comment_of_the_same_contribution(
    make_comment: Callable[..., Comment], make_problem: Callable[..., Contribution]
) -> None:
    with in_phase(PhaseKind.DIAGNOSTIC):
        other = make_problem(title="Pas de wifi à la médiathèque")
    elsewhere = make_comment(contribution=other)
    with pytest.raises(errors.ValidationFailed) as raised:
        make_comment(parent=elsewhere)
    assert raised.value.fields is not None
    assert raised.value.fields["parent"][0]["code"] == "wrong_contribution"


@pytest.mark.usefixtures("in_deliberation")
def test_text_is_kept_as_typed_and_limits_are_explicit(
    make_comment: Callable[..., Comment],
) -> None:
    sms = "  c trop dur la caf sans ordi !!! "
    assert make_comment(body=sms).body == sms
    with pytest.raises(errors.ValidationFailed) as raised:
        make_comment(body="x" * 2001)
    assert raised.value.fields is not None
    assert raised.value.fields["body"][0]["code"] == "max_length"
    with pytest.raises(errors.ValidationFailed) as raised:
        make_comment(body="   ")
    assert raised.value.fields is not None
    assert raised.value.fields["body"][0]["code"] == "blank"


@pytest.mark.usefixtures("in_deliberation")
@pytest.mark.parametrize("status", [ContributionStatus.HIDDEN, ContributionStatus.DRAFT])
def test_only_published_contributions_take_comments(
    status: str, make_comment: Callable[..., Comment], problem: Contribution
) -> None:
    Contribution.objects.filter(pk=problem.pk).update(status=status)
    with pytest.raises(errors.NotCommentable):
        make_comment()


def test_withdrawn_contributions_take_no_comments(
    make_comment: Callable[..., Comment], problem: Contribution, people: Personas
) -> None:
    with in_phase(PhaseKind.DELIBERATION):
        contribution_withdraw(by=people.participant, contribution=problem)
        with pytest.raises(errors.NotCommentable):
            make_comment(by=people.outsider)


@pytest.mark.usefixtures("in_deliberation")
def test_facilitator_comments_for_a_participant_card(
    make_comment: Callable[..., Comment], people: Personas, card: ParticipantCard
) -> None:
    comment = make_comment(by=people.facilitator, on_behalf_of_card=card, origin="workshop")
    assert comment.author is None
    assert comment.author_card == card
    assert comment.entered_by == people.facilitator
    assert comment.origin == "workshop"


@pytest.mark.usefixtures("in_deliberation")
@pytest.mark.parametrize("extra", [{"origin": "paper"}, {"card": True}])
def test_participant_cannot_speak_for_a_card_nor_claim_a_workshop_origin(
    extra: dict[str, object],
    make_comment: Callable[..., Comment],
    people: Personas,
    card: ParticipantCard,
) -> None:
    kwargs = {"on_behalf_of_card": card} if extra.get("card") else extra
    with pytest.raises(errors.PermissionDenied):
        make_comment(by=people.participant, **kwargs)


def test_author_edits_within_the_window_only(
    make_comment: Callable[..., Comment], people: Personas
) -> None:
    posted_at = middle_of(PhaseKind.DELIBERATION)
    with time_machine.travel(posted_at, tick=False):
        comment = make_comment()
    with time_machine.travel(posted_at + EDIT_WINDOW - timedelta(seconds=1), tick=False):
        edited = comment_edit(
            by=people.participant, comment=comment, body="Corrigé", stance="neutral"
        )
        assert (edited.body, edited.stance) == ("Corrigé", "neutral")
        assert edited.edited_at == timezone.now()
        with pytest.raises(errors.PermissionDenied):
            comment_edit(by=people.outsider, comment=comment, body="Pas à moi")
    with (
        time_machine.travel(posted_at + EDIT_WINDOW + timedelta(seconds=1), tick=False),
        pytest.raises(errors.EditWindowClosed),
    ):
        comment_edit(by=people.participant, comment=comment, body="Trop tard")
    comment.refresh_from_db()
    assert comment.body == "Corrigé"


@pytest.mark.usefixtures("in_deliberation")
def test_delete_keeps_the_row_and_its_replies(
    make_comment: Callable[..., Comment], people: Personas
) -> None:
    comment = make_comment(body="Texte qui reste en base")
    reply = make_comment(by=people.outsider, parent=comment)
    with pytest.raises(errors.PermissionDenied):
        comment_delete(by=people.outsider, comment=comment)
    deleted = comment_delete(by=people.participant, comment=comment)
    assert deleted.status == CommentStatus.DELETED
    assert deleted.deleted_at is not None
    assert Comment.objects.get(pk=comment.pk).body == "Texte qui reste en base"
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    assert comment_delete(by=people.participant, comment=comment).status == "deleted"
    with pytest.raises(errors.CommentNotEditable):
        comment_edit(by=people.participant, comment=comment, body="Je reviens")
    with pytest.raises(errors.ValidationFailed) as raised:
        make_comment(parent=comment)
    assert raised.value.fields is not None
    assert raised.value.fields["parent"][0]["code"] == "not_visible"


@pytest.mark.usefixtures("in_deliberation")
def test_hidden_comments_can_neither_be_edited_nor_deleted_by_their_author(
    make_comment: Callable[..., Comment], people: Personas
) -> None:
    comment = make_comment()
    content_hide(by=people.moderator, comment=comment, reason="x")
    with pytest.raises(errors.CommentNotEditable):
        comment_delete(by=people.participant, comment=comment)
    with pytest.raises(errors.CommentNotEditable):
        comment_edit(by=people.participant, comment=comment, body="Retour")


def test_events_are_sent_only_after_commit(
    make_comment: Callable[..., Comment],
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with (
        in_phase(PhaseKind.DELIBERATION),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        comment = make_comment()
        reply = make_comment(by=people.outsider, parent=comment)
        comment_edit(by=people.participant, comment=comment, body="Modifié")
        comment_delete(by=people.participant, comment=comment)
    assert len(callbacks) == 4
    assert reply.parent_id == comment.pk
