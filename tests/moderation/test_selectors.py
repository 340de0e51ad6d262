"""Moderation reads: the queue (grouped, counted, oldest first) and the log (newest first)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from backend.comments.models import Comment
from backend.consultations.models import Consultation
from backend.moderation.selectors import moderation_log, moderation_queue, moderation_queue_items
from backend.moderation.services import content_hide, content_restore, report_create
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas

pytestmark = pytest.mark.django_db


def _queue(consultation: Consultation) -> list[Any]:
    return moderation_queue_items(list(moderation_queue(consultation=consultation)))


def test_queue_groups_targets_oldest_first(
    consultation: Consultation,
    publish_problem: Callable[..., Contribution],
    make_comment: Callable[..., Comment],
    people: Personas,
) -> None:
    older, newer = publish_problem(title="Ancien"), publish_problem(title="Récent")
    comment = make_comment(on=newer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        report_create(by=people.outsider, contribution=older, reason="spam")
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        report_create(by=people.outsider, contribution=newer, reason="off_topic")
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        report_create(by=people.participant, comment=comment, reason="personal_data", text="tél")
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        report_create(by=people.facilitator, contribution=older, reason="abuse", text="insulte")

    items = _queue(consultation)

    assert [(item.target_kind, item.report_count) for item in items] == [
        ("contribution", 2),
        ("contribution", 1),
        ("comment", 1),
    ]
    assert items[0].contribution == older
    assert items[0].latest_reasons == ["abuse", "spam"]
    assert items[0].latest_texts == ["insulte"]
    assert items[2].comment == comment


def test_resolved_reports_leave_the_queue(
    consultation: Consultation, problem: Contribution, people: Personas
) -> None:
    report_create(by=people.outsider, contribution=problem, reason="spam")
    content_hide(by=people.moderator, contribution=problem, reason="Spam")
    assert _queue(consultation) == []


def test_queue_query_count_is_constant(
    consultation: Consultation,
    publish_problem: Callable[..., Contribution],
    make_comment: Callable[..., Comment],
    people: Personas,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def report_some(n: int) -> None:
        for index in range(n):
            contribution = publish_problem(title=f"Problème {index}")
            report_create(by=people.outsider, contribution=contribution, reason="spam")
            report_create(by=people.outsider, comment=make_comment(on=contribution), reason="spam")

    report_some(1)
    with django_assert_num_queries(3):
        assert len(_queue(consultation)) == 2
    report_some(5)
    with django_assert_num_queries(3):
        assert len(_queue(consultation)) == 12


def test_log_newest_first_in_one_query(
    consultation: Consultation,
    problem: Contribution,
    comment: Comment,
    people: Personas,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    content_hide(by=people.moderator, contribution=problem, reason="Spam")
    content_hide(by=people.organizer, comment=comment, reason="Insulte")
    content_restore(by=people.moderator, contribution=problem, reason="Erreur")
    with django_assert_num_queries(1):
        entries = [
            (
                entry.action,
                entry.moderator and entry.moderator.display_name,
                entry.comment and entry.comment.pk,
            )
            for entry in moderation_log(consultation=consultation)
        ]
    assert entries == [
        ("restore", "Marc Modérateur", None),
        ("hide", "Olga Organisatrice", comment.pk),
        ("hide", "Marc Modérateur", None),
    ]
