"""The stored endorsement and comment counters stay equal to a fresh recount."""

import random
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.comments.models import Comment, CommentStatus
from backend.comments.services import comment_create, comment_delete
from backend.consultations.models import Consultation
from backend.core import errors
from backend.moderation.services import content_hide, content_restore
from backend.proposals.models import Contribution, Endorsement, ParticipantCard
from backend.proposals.selectors import contribution_list
from backend.proposals.services import endorsement_add, endorsement_remove
from tests.fixtures.personas import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_diagnostic")]


def _recount(problems: list[Contribution]) -> dict[int, tuple[int, int]]:
    endorsements = Counter(
        Endorsement.objects.filter(contribution__in=problems).values_list(
            "contribution_id", flat=True
        )
    )
    comments = Counter(
        Comment.objects.filter(contribution__in=problems, status=CommentStatus.VISIBLE).values_list(
            "contribution_id", flat=True
        )
    )
    return {p.pk: (endorsements[p.pk], comments[p.pk]) for p in problems}


def _stored(problems: list[Contribution]) -> dict[int, tuple[int, int]]:
    rows = Contribution.objects.filter(pk__in=[p.pk for p in problems]).values_list(
        "pk", "endorsement_count", "comment_count"
    )
    return {pk: (endorsed, commented) for pk, endorsed, commented in rows}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_counters_equal_a_recount_after_any_sequence_of_writes(
    seed: int,
    people: Personas,
    card: ParticipantCard,
    make_problem: Callable[..., Contribution],
) -> None:
    """A random walk through the real services, idempotent repeats and refusals included."""
    rng = random.Random(seed)
    problems = [make_problem(title=f"Problème {n}") for n in range(3)]
    voices: list[User] = [people.participant, people.outsider, people.organizer]
    moderators = [people.moderator, people.organizer]
    comments: list[Comment] = []

    def endorse() -> None:
        problem = rng.choice(problems)
        if rng.random() < 0.2:
            endorsement_add(by=people.facilitator, contribution=problem, on_behalf_of_card=card)
        else:
            endorsement_add(by=rng.choice(voices), contribution=problem)

    def unendorse() -> None:
        problem = rng.choice(problems)
        if rng.random() < 0.2:
            endorsement_remove(by=people.facilitator, contribution=problem, on_behalf_of_card=card)
        else:
            endorsement_remove(by=rng.choice(voices), contribution=problem)

    def comment() -> None:
        visible = [c for c in comments if c.status == CommentStatus.VISIBLE and c.depth < 3]
        parent = rng.choice(visible) if visible and rng.random() < 0.3 else None
        problem = rng.choice(problems) if parent is None else parent.contribution
        assert problem is not None
        comments.append(
            comment_create(
                by=rng.choice(voices),
                contribution=problem,
                body="Pareil chez nous.",
                stance=rng.choice(["for", "against", "neutral"]),
                parent=parent,
            )
        )

    def delete() -> None:
        target = rng.choice(comments)
        assert target.author is not None
        comment_delete(by=target.author, comment=target)

    def hide() -> None:
        content_hide(by=rng.choice(moderators), comment=rng.choice(comments), reason="Hors sujet")

    def restore() -> None:
        hidden = [c for c in comments if c.status == CommentStatus.HIDDEN]
        target = rng.choice(hidden if hidden and rng.random() < 0.8 else comments)
        content_restore(by=rng.choice(moderators), comment=target, reason="Erreur")

    actions: list[Callable[[], None]] = [endorse, endorse, unendorse, comment, comment]
    actions += [delete, hide, restore]
    done: Counter[str] = Counter()
    for _step in range(80):
        action = rng.choice(actions if comments else [endorse, unendorse, comment])
        try:
            action()
        except (errors.Conflict, errors.ValidationFailed):
            continue  # hiding a deleted comment, restoring a visible one...
        finally:
            for known in comments:
                known.refresh_from_db(fields=["status"])
            assert _stored(problems) == _recount(problems), (seed, action.__name__)
        done[action.__name__] += 1
    assert set(done) == {"endorse", "unendorse", "comment", "delete", "hide", "restore"}


def test_counters_are_kept_only_when_a_row_really_changes(
    people: Personas, make_problem: Callable[..., Contribution]
) -> None:
    problem = make_problem()
    endorsement_add(by=people.outsider, contribution=problem)
    endorsement_add(by=people.outsider, contribution=problem)
    endorsement_remove(by=people.participant, contribution=problem)
    posted = comment_create(by=people.outsider, contribution=problem, body="Oui")
    content_hide(by=people.moderator, comment=posted, reason="Spam")
    with pytest.raises(errors.CommentNotEditable):
        comment_delete(by=people.outsider, comment=posted)
    with pytest.raises(errors.AlreadyHidden):
        content_hide(by=people.moderator, comment=posted, reason="Spam")
    assert _stored([problem]) == {problem.pk: (1, 0)}
    content_restore(by=people.moderator, comment=posted, reason="Erreur")
    comment_delete(by=people.outsider, comment=posted)
    comment_delete(by=people.outsider, comment=posted)
    endorsement_remove(by=people.outsider, contribution=problem)
    endorsement_remove(by=people.outsider, contribution=problem)
    assert _stored([problem]) == {problem.pk: (0, 0)}


def _ids(queryset: Iterable[Contribution]) -> list[int]:
    return [c.pk for c in queryset]


def test_endorsed_and_commented_orders_read_the_counters_newest_first_on_ties(
    api_client: APIClient,
    consultation: Consultation,
    people: Personas,
    make_problem: Callable[..., Contribution],
) -> None:
    problems = []
    for n in range(4):
        with time_machine.travel(timezone.now() + timedelta(minutes=n), tick=False):
            problems.append(make_problem(title=f"Problème {n}"))
    oldest, second, third, newest = problems
    for voice in (people.outsider, people.participant):
        endorsement_add(by=voice, contribution=second)
    endorsement_add(by=people.outsider, contribution=oldest)
    endorsement_add(by=people.outsider, contribution=newest)
    for _ in range(3):
        comment_create(by=people.outsider, contribution=third, body="Oui")
    hidden = comment_create(by=people.outsider, contribution=oldest, body="Spam")
    comment_create(by=people.outsider, contribution=oldest, body="Oui")
    content_hide(by=people.moderator, comment=hidden, reason="Spam")
    comment_create(by=people.outsider, contribution=newest, body="Oui")

    def listed(ordering: str) -> list[int]:
        return _ids(
            contribution_list(
                consultation=consultation, user=people.outsider, filters={"ordering": ordering}
            )
        )

    assert listed("endorsed") == [second.pk, newest.pk, oldest.pk, third.pk]
    assert listed("commented") == [third.pk, newest.pk, oldest.pk, second.pk]
    url = f"/api/v1/consultations/{consultation.pk}/contributions/"
    endorsed = api_client.get(url, {"ordering": "endorsed"}).json()["results"]
    assert [(c["id"], c["endorsement_count"]) for c in endorsed] == [
        (second.pk, 2),
        (newest.pk, 1),
        (oldest.pk, 1),
        (third.pk, 0),
    ]
    commented = api_client.get(url, {"ordering": "commented"}).json()["results"]
    assert [(c["id"], c["comment_counts"]["total"]) for c in commented] == [
        (third.pk, 3),
        (newest.pk, 1),
        (oldest.pk, 1),
        (second.pk, 0),
    ]
