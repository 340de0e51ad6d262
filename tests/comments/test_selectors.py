"""Comment reads: the flat thread with placeholders, and counts per stance."""

from collections.abc import Callable

import pytest

from backend.comments.models import Comment
from backend.comments.selectors import (
    annotate_comment_counts,
    comment_counts_of,
    comment_list_for_contribution,
)
from backend.comments.services import comment_delete
from backend.moderation.services import content_hide
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_deliberation")]


def test_thread_is_flat_oldest_first_and_keeps_removed_comments(
    make_comment: Callable[..., Comment], people: Personas, problem: Contribution
) -> None:
    first = make_comment()
    reply = make_comment(by=people.outsider, parent=first)
    hidden = make_comment(by=people.outsider)
    content_hide(by=people.moderator, comment=hidden, reason="Hors sujet")
    comment_delete(by=people.participant, comment=first)
    listed = list(comment_list_for_contribution(contribution=problem))
    assert [c.pk for c in listed] == [first.pk, reply.pk, hidden.pk]
    assert [c.parent_id for c in listed] == [None, first.pk, None]


def test_counts_per_stance_exclude_hidden_and_deleted(
    make_comment: Callable[..., Comment],
    make_problem: Callable[..., Contribution],
    people: Personas,
    problem: Contribution,
) -> None:
    make_comment(stance="for")
    make_comment(by=people.outsider, stance="for")
    make_comment(stance="against")
    make_comment(stance="neutral")
    hidden = make_comment(stance="against")
    content_hide(by=people.moderator, comment=hidden, reason="Hors sujet")
    comment_delete(by=people.participant, comment=make_comment(stance="for"))
    counted = annotate_comment_counts(Contribution.objects.filter(pk=problem.pk)).get()
    assert comment_counts_of(counted) == {"total": 4, "for": 2, "against": 1, "neutral": 1}


def test_contributions_without_comments_count_zero(problem: Contribution) -> None:
    counted = annotate_comment_counts(Contribution.objects.filter(pk=problem.pk)).get()
    assert comment_counts_of(counted) == {"total": 0, "for": 0, "against": 0, "neutral": 0}
