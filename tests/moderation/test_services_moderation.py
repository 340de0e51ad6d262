"""Moderation services: reports (idempotent), hiding, restoring, dismissing, the log."""

from collections.abc import Callable

import pytest

from backend.comments.models import Comment, CommentStatus
from backend.comments.services import comment_delete
from backend.consultations.domain import PhaseKind
from backend.core import errors
from backend.moderation.models import ActionKind, ModerationAction, Report, Resolution
from backend.moderation.services import (
    content_hide,
    content_restore,
    report_create,
    report_dismiss,
)
from backend.proposals.models import Contribution, ContributionStatus
from backend.proposals.services import contribution_create, contribution_withdraw
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

pytestmark = pytest.mark.django_db


class TestReport:
    def test_anyone_signed_in_reports(self, problem: Contribution, people: Personas) -> None:
        report, created = report_create(
            by=people.outsider, contribution=problem, reason="spam", text="pub"
        )
        assert created
        assert report.target_kind == "contribution"
        assert report.consultation_id == problem.consultation_id
        assert report.resolved_at is None
        assert report.resolution == ""

    def test_reporting_twice_returns_the_open_report(
        self, problem: Contribution, people: Personas
    ) -> None:
        first, _ = report_create(by=people.outsider, contribution=problem, reason="spam")
        again, created = report_create(by=people.outsider, contribution=problem, reason="abuse")
        assert not created
        assert again.pk == first.pk
        assert Report.objects.count() == 1

    def test_after_a_dismissal_one_may_report_again(
        self, problem: Contribution, people: Personas
    ) -> None:
        first, _ = report_create(by=people.outsider, contribution=problem, reason="spam")
        report_dismiss(by=people.moderator, report=first)
        second, created = report_create(by=people.outsider, contribution=problem, reason="spam")
        assert created
        assert second.pk != first.pk

    def test_a_comment_is_reported(self, comment: Comment, people: Personas) -> None:
        report, created = report_create(
            by=people.participant, comment=comment, reason="personal_data"
        )
        assert created
        assert (report.target_kind, report.comment_id) == ("comment", comment.pk)

    def test_unknown_reason_and_long_text(self, problem: Contribution, people: Personas) -> None:
        with pytest.raises(errors.ValidationFailed) as caught:
            report_create(by=people.outsider, contribution=problem, reason="ugly", text="x" * 1001)
        assert caught.value.fields is not None
        assert set(caught.value.fields) == {"reason", "text"}

    def test_exactly_one_target(
        self, problem: Contribution, comment: Comment, people: Personas
    ) -> None:
        with pytest.raises(errors.ValidationFailed):
            report_create(by=people.outsider, reason="spam")
        with pytest.raises(errors.ValidationFailed):
            report_create(by=people.outsider, contribution=problem, comment=comment, reason="spam")

    def test_hidden_content_is_not_reported(self, problem: Contribution, people: Personas) -> None:
        content_hide(by=people.moderator, contribution=problem, reason="Publicité")
        with pytest.raises(errors.AlreadyHidden):
            report_create(by=people.outsider, contribution=problem, reason="spam")

    def test_withdrawn_contribution_is_not_reported(
        self, problem: Contribution, people: Personas
    ) -> None:
        contribution_withdraw(by=people.participant, contribution=problem)
        with pytest.raises(errors.NotModeratable):
            report_create(by=people.outsider, contribution=problem, reason="spam")

    def test_draft_is_not_found(self, consultation: object, people: Personas) -> None:
        with in_phase(PhaseKind.DIAGNOSTIC):
            draft = contribution_create(
                by=people.participant,
                consultation=consultation,  # type: ignore[arg-type]
                kind="problem",
                title="Brouillon",
                body="Pas fini",
                origin="web",
                publish=False,
            )
        with pytest.raises(errors.NotFound):
            report_create(by=people.outsider, contribution=draft, reason="spam")


class TestHide:
    def test_participant_cannot_hide(self, problem: Contribution, people: Personas) -> None:
        with pytest.raises(errors.PermissionDenied):
            content_hide(by=people.participant, contribution=problem, reason="Non")
        with pytest.raises(errors.PermissionDenied):
            content_hide(by=people.facilitator, contribution=problem, reason="Non")

    def test_moderator_hides_and_resolves_open_reports(
        self, problem: Contribution, people: Personas
    ) -> None:
        report_create(by=people.outsider, contribution=problem, reason="spam")
        report_create(by=people.facilitator, contribution=problem, reason="abuse")
        action = content_hide(
            by=people.moderator, contribution=problem, reason="Message publicitaire"
        )
        problem.refresh_from_db()
        assert problem.status == ContributionStatus.HIDDEN
        assert problem.hidden_reason == "Message publicitaire"
        assert (action.action, action.moderator, action.reason) == (
            ActionKind.HIDE,
            people.moderator,
            "Message publicitaire",
        )
        assert set(Report.objects.values_list("resolution", "resolved_by")) == {
            (Resolution.HIDDEN, people.moderator.pk)
        }

    def test_organizer_may_moderate(self, problem: Contribution, people: Personas) -> None:
        content_hide(by=people.organizer, contribution=problem, reason="Hors sujet")
        problem.refresh_from_db()
        assert problem.status == ContributionStatus.HIDDEN

    def test_hiding_twice_is_a_conflict(self, problem: Contribution, people: Personas) -> None:
        content_hide(by=people.moderator, contribution=problem, reason="Spam")
        with pytest.raises(errors.AlreadyHidden):
            content_hide(by=people.moderator, contribution=problem, reason="Spam")
        assert ModerationAction.objects.count() == 1

    def test_reason_is_required_and_bounded(self, problem: Contribution, people: Personas) -> None:
        with pytest.raises(errors.ValidationFailed):
            content_hide(by=people.moderator, contribution=problem, reason="  ")
        with pytest.raises(errors.ValidationFailed):
            content_hide(by=people.moderator, contribution=problem, reason="x" * 501)

    def test_comment_hidden_and_restored(self, comment: Comment, people: Personas) -> None:
        content_hide(by=people.moderator, comment=comment, reason="Données personnelles")
        comment.refresh_from_db()
        assert (comment.status, comment.hidden_reason) == ("hidden", "Données personnelles")
        content_restore(by=people.moderator, comment=comment, reason="Numéro retiré")
        comment.refresh_from_db()
        assert (comment.status, comment.hidden_reason) == (CommentStatus.VISIBLE, "")

    def test_deleted_comment_is_not_moderatable(self, comment: Comment, people: Personas) -> None:
        with in_phase(PhaseKind.DELIBERATION):
            comment_delete(by=people.outsider, comment=comment)
        with pytest.raises(errors.NotModeratable):
            content_hide(by=people.moderator, comment=comment, reason="Spam")


class TestRestore:
    def test_restore_publishes_again(self, problem: Contribution, people: Personas) -> None:
        content_hide(by=people.moderator, contribution=problem, reason="Spam")
        action = content_restore(by=people.moderator, contribution=problem, reason="Erreur")
        problem.refresh_from_db()
        assert (problem.status, problem.hidden_reason) == (ContributionStatus.PUBLISHED, "")
        assert action.action == ActionKind.RESTORE
        assert list(ModerationAction.objects.values_list("action", flat=True)) == [
            "restore",
            "hide",
        ]

    def test_restoring_what_is_not_hidden(self, problem: Contribution, people: Personas) -> None:
        with pytest.raises(errors.NotHidden):
            content_restore(by=people.moderator, contribution=problem, reason="Erreur")

    def test_participant_cannot_restore(self, problem: Contribution, people: Personas) -> None:
        content_hide(by=people.moderator, contribution=problem, reason="Spam")
        with pytest.raises(errors.PermissionDenied):
            content_restore(by=people.participant, contribution=problem, reason="Erreur")


class TestDismiss:
    def test_dismiss_resolves_every_open_report_of_the_target(
        self,
        problem: Contribution,
        publish_problem: Callable[..., Contribution],
        people: Personas,
    ) -> None:
        other = publish_problem(title="Autre")
        first, _ = report_create(by=people.outsider, contribution=problem, reason="spam")
        report_create(by=people.facilitator, contribution=problem, reason="abuse")
        elsewhere, _ = report_create(by=people.outsider, contribution=other, reason="spam")
        action = report_dismiss(by=people.moderator, report=first, reason="Rien d'abusif")
        assert (action.action, action.contribution_id) == (ActionKind.DISMISS, problem.pk)
        assert Report.objects.filter(resolution=Resolution.DISMISSED).count() == 2
        elsewhere.refresh_from_db()
        assert elsewhere.resolved_at is None
        problem.refresh_from_db()
        assert problem.status == ContributionStatus.PUBLISHED

    def test_dismissing_a_handled_report(self, problem: Contribution, people: Personas) -> None:
        report, _ = report_create(by=people.outsider, contribution=problem, reason="spam")
        content_hide(by=people.moderator, contribution=problem, reason="Spam")
        with pytest.raises(errors.ReportResolved) as caught:
            report_dismiss(by=people.moderator, report=report)
        assert caught.value.details == {"resolution": "hidden"}

    def test_participant_cannot_dismiss(self, problem: Contribution, people: Personas) -> None:
        report, _ = report_create(by=people.outsider, contribution=problem, reason="spam")
        with pytest.raises(errors.PermissionDenied):
            report_dismiss(by=people.participant, report=report)
