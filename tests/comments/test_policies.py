"""Who may change a comment, and until when."""

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from backend.comments.models import Comment, CommentStatus
from backend.comments.policies import EDIT_WINDOW, can_delete_comment, can_edit_comment
from backend.consultations.domain import PhaseKind
from backend.proposals.models import ParticipantCard
from tests.fixtures.personas import Personas
from tests.fixtures.phases import middle_of

pytestmark = pytest.mark.django_db


def test_author_role_matrix(
    make_comment: Callable[..., Comment], people: Personas, card: ParticipantCard
) -> None:
    now = middle_of(PhaseKind.DELIBERATION)
    with time_machine.travel(now, tick=False):
        own = make_comment()
        for_card = make_comment(by=people.facilitator, on_behalf_of_card=card, origin="workshop")
    expected = {
        "participant": (True, False),
        "facilitator": (False, True),
        "moderator": (False, False),
        "organizer": (False, False),
        "outsider": (False, False),
    }
    for persona, (on_own, on_card) in expected.items():
        user = getattr(people, persona)
        assert can_edit_comment(user=user, obj=own, now=now) is on_own, persona
        assert can_delete_comment(user=user, obj=own) is on_own, persona
        assert can_edit_comment(user=user, obj=for_card, now=now) is on_card, persona
    assert not can_edit_comment(user=AnonymousUser(), obj=own, now=now)
    assert not can_delete_comment(user=AnonymousUser(), obj=own)


def test_edit_window_and_status(make_comment: Callable[..., Comment], people: Personas) -> None:
    now = middle_of(PhaseKind.DELIBERATION)
    with time_machine.travel(now, tick=False):
        comment = make_comment()
    user = people.participant
    assert can_edit_comment(user=user, obj=comment, now=now + EDIT_WINDOW)
    assert not can_edit_comment(user=user, obj=comment, now=now + EDIT_WINDOW + timedelta(0, 1))
    comment.status = CommentStatus.DELETED
    assert not can_edit_comment(user=user, obj=comment, now=now)
