"""Merges and splits: nothing deleted, one active cluster per contribution, exact undo."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.core import errors
from backend.moderation.services import content_hide
from backend.proposals.models import Contribution, ContributionStatus, Endorsement
from backend.proposals.services import contribution_withdraw
from backend.synthesis import selectors
from backend.synthesis.models import ClusterMember, MergeKind, MergeLogEntry
from backend.synthesis.services import contributions_merge, merge_undo
from backend.votes.models import BallotLine
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.synthesis.conftest import Field

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_synthesis")]


def _merge(field: Field, people: Personas, contributions: list[Contribution], **extra: object):  # type: ignore[no-untyped-def]
    return contributions_merge(
        by=extra.pop("by", people.organizer),  # type: ignore[arg-type]
        consultation=field.consultation,
        contribution_ids=[c.pk for c in contributions],
        reason=extra.pop("reason", "Même constat : la préfecture en ligne"),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def _active(contribution: Contribution) -> int | None:
    member = ClusterMember.objects.filter(
        contribution=contribution, removed_at__isnull=True
    ).first()
    return member.cluster_id if member else None


class TestMerge:
    def test_merge_keeps_the_originals_and_logs_who_when_why(
        self, field: Field, people: Personas
    ) -> None:
        first, second = field.problems[:2]
        endorsements_before = Endorsement.objects.count()
        entry = _merge(field, people, [first, second], title="Préfecture en ligne")
        assert entry.kind == MergeKind.MERGE
        assert entry.by == people.organizer
        assert entry.reason == "Même constat : la préfecture en ligne"
        assert sorted(entry.contributions.values_list("pk", flat=True)) == [first.pk, second.pk]
        assert entry.cluster.title == "Préfecture en ligne"
        for original in (first, second):
            fresh = Contribution.objects.get(pk=original.pk)
            assert fresh.status == ContributionStatus.PUBLISHED
            assert fresh.author_id == original.author_id
            assert fresh.title == original.title
            assert _active(fresh) == entry.cluster_id
        assert Endorsement.objects.count() == endorsements_before

    def test_the_default_title_is_the_first_contribution_s(
        self, field: Field, people: Personas
    ) -> None:
        entry = _merge(field, people, field.problems[:2])
        assert entry.cluster.title == field.problems[0].title

    def test_items_already_voted_on_can_be_merged(self, field: Field, people: Personas) -> None:
        voted = field.proposals[:2]
        lines_before = BallotLine.objects.filter(item__in=voted).count()
        assert lines_before == 3
        entry = _merge(field, people, voted)
        assert {_active(p) for p in voted} == {entry.cluster_id}
        assert BallotLine.objects.filter(item__in=voted).count() == lines_before

    def test_a_facilitator_may_merge(self, field: Field, people: Personas) -> None:
        entry = _merge(field, people, field.problems[:2], by=people.facilitator)
        assert entry.by == people.facilitator

    def test_merge_into_an_existing_cluster(self, field: Field, people: Personas) -> None:
        entry = _merge(field, people, field.problems[:2])
        more = _merge(field, people, [field.problems[2]], into_cluster=entry.cluster)
        assert more.cluster_id == entry.cluster_id
        assert _active(field.problems[2]) == entry.cluster_id

    def test_a_contribution_in_another_cluster_is_refused(
        self, field: Field, people: Personas
    ) -> None:
        entry = _merge(field, people, field.problems[:2])
        with pytest.raises(errors.AlreadyMerged) as refused:
            _merge(field, people, [field.problems[1], field.problems[2]])
        assert refused.value.code == "already_merged"
        assert refused.value.details == {
            "contributions": [field.problems[1].pk],
            "clusters": [entry.cluster_id],
        }
        assert _active(field.problems[2]) is None

    def test_merging_a_member_into_its_own_cluster_is_refused(
        self, field: Field, people: Personas
    ) -> None:
        entry = _merge(field, people, field.problems[:2])
        with pytest.raises(errors.AlreadyMerged):
            _merge(field, people, [field.problems[0]], into_cluster=entry.cluster)

    @pytest.mark.parametrize(
        ("reason", "code"), [("", "blank"), ("   ", "blank"), ("x" * 1001, "max_length")]
    )
    def test_a_reason_is_required(
        self, field: Field, people: Personas, reason: str, code: str
    ) -> None:
        with pytest.raises(errors.ValidationFailed) as refused:
            _merge(field, people, field.problems[:2], reason=reason)
        assert refused.value.fields is not None
        assert refused.value.fields["reason"][0]["code"] == code
        assert not MergeLogEntry.objects.exists()

    def test_a_new_cluster_needs_two_contributions(self, field: Field, people: Personas) -> None:
        with pytest.raises(errors.ValidationFailed) as refused:
            _merge(field, people, [field.problems[0], field.problems[0]])
        assert refused.value.fields is not None
        assert refused.value.fields["contribution_ids"][0]["code"] == "too_few"

    def test_only_published_contributions_of_the_consultation(
        self,
        field: Field,
        people: Personas,
        make_consultation: Callable[..., Consultation],
    ) -> None:
        other = make_consultation(title="Lyon")
        with in_phase(PhaseKind.DIAGNOSTIC):
            stranger = Contribution.objects.create(
                consultation=other,
                kind="problem",
                title="Ailleurs",
                body="x",
                territory=other.territory,
                origin="web",
                entered_by=people.participant,
                author=people.participant,
                status=ContributionStatus.PUBLISHED,
            )
            contribution_withdraw(by=people.participant, contribution=field.problems[2])
        content_hide(by=people.moderator, contribution=field.proposals[2], reason="Publicité")
        with pytest.raises(errors.ValidationFailed) as refused:
            _merge(
                field,
                people,
                [field.problems[0], stranger, field.problems[2], field.proposals[2]],
            )
        assert refused.value.fields is not None
        assert [e["code"] for e in refused.value.fields["contribution_ids"]] == [
            "not_found",
            "not_published",
            "not_published",
        ]

    @pytest.mark.parametrize("persona", ["moderator", "participant", "outsider"])
    def test_other_people_may_not_merge(self, field: Field, people: Personas, persona: str) -> None:
        with pytest.raises(errors.PermissionDenied):
            _merge(field, people, field.problems[:2], by=getattr(people, persona))

    def test_merging_is_for_the_synthesis_phase(self, field: Field, people: Personas) -> None:
        with in_phase(PhaseKind.VOTE), pytest.raises(errors.PhaseClosed):
            _merge(field, people, field.problems[:2])


class TestUndo:
    def test_undo_restores_the_previous_state_and_is_logged(
        self, field: Field, people: Personas
    ) -> None:
        entry = _merge(field, people, field.problems[:2])
        split = merge_undo(by=people.facilitator, merge_entry=entry, reason="Pas le même public")
        assert split.kind == MergeKind.SPLIT
        assert split.undoes_id == entry.pk
        assert split.reason == "Pas le même public"
        assert sorted(split.contributions.values_list("pk", flat=True)) == sorted(
            p.pk for p in field.problems[:2]
        )
        assert all(_active(p) is None for p in field.problems[:2])
        assert list(selectors.cluster_list(consultation=field.consultation)) == []
        # Both log lines stay public.
        log = list(selectors.merge_log_list(consultation=field.consultation))
        assert [e.pk for e in log] == [split.pk, entry.pk]
        # They can be merged again, differently.
        again = _merge(field, people, [field.problems[0], field.problems[2]])
        assert _active(field.problems[0]) == again.cluster_id

    def test_undoing_twice_is_a_conflict(self, field: Field, people: Personas) -> None:
        entry = _merge(field, people, field.problems[:2])
        split = merge_undo(by=people.organizer, merge_entry=entry, reason="Erreur")
        with pytest.raises(errors.MergeAlreadyUndone) as refused:
            merge_undo(by=people.organizer, merge_entry=entry, reason="Encore")
        assert refused.value.details == {"split": split.pk}

    def test_merges_into_a_cluster_are_undone_latest_first(
        self, field: Field, people: Personas
    ) -> None:
        entry = _merge(field, people, field.problems[:2])
        later = _merge(field, people, [field.problems[2]], into_cluster=entry.cluster)
        with pytest.raises(errors.MergeNotLatest) as refused:
            merge_undo(by=people.organizer, merge_entry=entry, reason="Erreur")
        assert refused.value.details == {"later_merge": later.pk}
        merge_undo(by=people.organizer, merge_entry=later, reason="Pas le même sujet")
        assert _active(field.problems[2]) is None
        assert _active(field.problems[0]) == entry.cluster_id
        merge_undo(by=people.organizer, merge_entry=entry, reason="Erreur")
        assert _active(field.problems[0]) is None

    def test_a_dissolved_cluster_takes_no_more_merges(self, field: Field, people: Personas) -> None:
        entry = _merge(field, people, field.problems[:2])
        merge_undo(by=people.organizer, merge_entry=entry, reason="Erreur")
        with pytest.raises(errors.ClusterDissolved):
            _merge(field, people, [field.problems[2]], into_cluster=entry.cluster)

    def test_a_split_is_not_undone(self, field: Field, people: Personas) -> None:
        entry = _merge(field, people, field.problems[:2])
        split = merge_undo(by=people.organizer, merge_entry=entry, reason="Erreur")
        with pytest.raises(errors.NotFound):
            merge_undo(by=people.organizer, merge_entry=split, reason="Erreur")

    def test_a_reason_is_required(self, field: Field, people: Personas) -> None:
        entry = _merge(field, people, field.problems[:2])
        with pytest.raises(errors.ValidationFailed):
            merge_undo(by=people.organizer, merge_entry=entry, reason=" ")

    def test_a_participant_may_not_undo(self, field: Field, people: Personas) -> None:
        entry = _merge(field, people, field.problems[:2])
        with pytest.raises(errors.PermissionDenied):
            merge_undo(by=people.participant, merge_entry=entry, reason="Erreur")


class TestDistinctSupport:
    def test_a_person_supporting_two_duplicates_counts_once(
        self, field: Field, people: Personas
    ) -> None:
        problems = _merge(field, people, field.problems[:2])
        proposals = _merge(field, people, field.proposals[:2])
        clusters = list(selectors.cluster_list(consultation=field.consultation))
        supports = selectors.cluster_supports(clusters=clusters)
        # Problems: endorsers {0, 1, 2} and {0, 3}: four people, five endorsements.
        assert supports[problems.cluster_id].distinct_supporters == 4
        assert supports[problems.cluster_id].summed_supports == 5
        # Proposals: approvals {3} and {3, moderator}: two people, three approvals.
        assert supports[proposals.cluster_id].distinct_supporters == 2
        assert supports[proposals.cluster_id].summed_supports == 3

    def test_cluster_reads_take_a_fixed_number_of_queries(
        self, field: Field, people: Personas
    ) -> None:
        _merge(field, people, field.problems[:2])
        _merge(field, people, field.proposals[:2])

        def read() -> int:
            with CaptureQueriesContext(connection) as queries:
                clusters = list(selectors.cluster_list(consultation=field.consultation))
                selectors.cluster_supports(clusters=clusters)
            return len(queries)

        before = read()
        merge_undo(
            by=people.organizer,
            merge_entry=MergeLogEntry.objects.filter(kind="merge").latest("pk"),
            reason="Erreur",
        )
        _merge(field, people, [field.proposals[0], field.proposals[1], field.proposals[2]])
        assert read() == before == 4
