"""Contribution services: provenance, phase gate, territory, versions, endorsements."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.consultations.models import Consultation
from backend.core import errors
from backend.proposals.models import (
    Contribution,
    ContributionStatus,
    Endorsement,
    ParticipantCard,
)
from backend.proposals.services import (
    contribution_create,
    contribution_edit,
    contribution_publish,
    contribution_withdraw,
    endorsement_add,
    endorsement_remove,
    participant_card_create,
)
from backend.structures.services import membership_add, structure_create
from tests.fixtures.personas import Personas
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


def _problem(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "problem",
        "title": "Pas d'ordi",
        "body": "jpeu pas fer mes demarches caf sans ordi",
        "origin": "web",
        **extra,
    }


@pytest.mark.usefixtures("in_diagnostic")
class TestProvenance:
    @pytest.mark.parametrize("origin", ["paper", "workshop", "phone"])
    def test_participant_cannot_claim_a_facilitator_origin(
        self, consultation: Consultation, people: Personas, origin: str
    ) -> None:
        with pytest.raises(errors.PermissionDenied):
            contribution_create(
                by=people.participant, consultation=consultation, **_problem(origin=origin)
            )

    def test_participant_cannot_act_for_someone(
        self, consultation: Consultation, people: Personas, card: ParticipantCard
    ) -> None:
        with pytest.raises(errors.PermissionDenied):
            contribution_create(
                by=people.participant,
                consultation=consultation,
                on_behalf_of_user=people.outsider,
                **_problem(),
            )
        with pytest.raises(errors.PermissionDenied):
            contribution_create(
                by=people.participant,
                consultation=consultation,
                on_behalf_of_card=card,
                **_problem(),
            )

    def test_facilitator_enters_paper_for_a_card_captured_earlier(
        self, consultation: Consultation, people: Personas, card: ParticipantCard
    ) -> None:
        captured = timezone.now() - timedelta(days=2)
        contribution = contribution_create(
            by=people.facilitator,
            consultation=consultation,
            on_behalf_of_card=card,
            captured_at=captured,
            **_problem(origin="paper"),
        )
        assert contribution.author is None
        assert contribution.author_card == card
        assert contribution.entered_by == people.facilitator
        assert contribution.captured_at == captured
        assert contribution.body == "jpeu pas fer mes demarches caf sans ordi"

    def test_facilitator_enters_for_an_account(
        self, consultation: Consultation, people: Personas
    ) -> None:
        contribution = contribution_create(
            by=people.facilitator,
            consultation=consultation,
            on_behalf_of_user=people.outsider,
            on_behalf_consent="oral",
            **_problem(origin="phone"),
        )
        assert contribution.author == people.outsider
        assert contribution.entered_by == people.facilitator
        assert contribution.on_behalf_consent == "oral"

    def test_captured_at_bounds(self, consultation: Consultation, people: Personas) -> None:
        with pytest.raises(errors.ValidationFailed) as future:
            contribution_create(
                by=people.facilitator,
                consultation=consultation,
                captured_at=timezone.now() + timedelta(hours=2),
                **_problem(origin="paper"),
            )
        assert future.value.fields is not None
        assert future.value.fields["captured_at"][0]["code"] == "in_the_future"
        with pytest.raises(errors.ValidationFailed) as past:
            contribution_create(
                by=people.facilitator,
                consultation=consultation,
                captured_at=timezone.now() - timedelta(days=30),
                **_problem(origin="paper"),
            )
        assert past.value.fields is not None
        assert past.value.fields["captured_at"][0]["code"] == "before_consultation"

    def test_structure_needs_membership(
        self, consultation: Consultation, people: Personas, tree: Tree
    ) -> None:
        structure = structure_create(
            creator=people.outsider, name="CCAS de Grenoble", type="ccas", territory=tree.grenoble
        )
        with pytest.raises(errors.ValidationFailed) as refused:
            contribution_create(
                by=people.participant, consultation=consultation, structure=structure, **_problem()
            )
        assert refused.value.fields is not None
        assert refused.value.fields["structure"][0]["code"] == "not_a_member"
        membership_add(by=people.outsider, structure=structure, user=people.participant)
        contribution = contribution_create(
            by=people.participant, consultation=consultation, structure=structure, **_problem()
        )
        assert contribution.structure == structure

    def test_card_needs_consent(self, consultation: Consultation, people: Personas) -> None:
        with pytest.raises(errors.ValidationFailed) as refused:
            participant_card_create(
                by=people.facilitator,
                consultation=consultation,
                label="M. D.",
                consent_given=False,
                consent_note="oral",
            )
        assert refused.value.fields is not None
        assert refused.value.fields["consent_given"][0]["code"] == "consent_required"

    def test_participant_cannot_create_cards(
        self, consultation: Consultation, people: Personas
    ) -> None:
        with pytest.raises(errors.PermissionDenied):
            participant_card_create(
                by=people.participant,
                consultation=consultation,
                label="M. D.",
                consent_given=True,
                consent_note="oral",
            )


class TestPhaseGateAndPlace:
    def test_proposal_refused_in_diagnostic(
        self, consultation: Consultation, people: Personas, in_diagnostic: None
    ) -> None:
        with pytest.raises(errors.PhaseClosed) as closed:
            contribution_create(
                by=people.participant,
                consultation=consultation,
                **_problem(kind="proposal"),
            )
        assert closed.value.details is not None
        assert closed.value.details["open_phase"]["kind"] == "diagnostic"

    def test_problem_still_open_in_proposals(
        self, consultation: Consultation, people: Personas, in_proposals: None
    ) -> None:
        assert contribution_create(by=people.participant, consultation=consultation, **_problem())

    def test_territory_outside_refused_inside_accepted(
        self, consultation: Consultation, people: Personas, tree: Tree, in_diagnostic: None
    ) -> None:
        with pytest.raises(errors.ValidationFailed) as refused:
            contribution_create(
                by=people.participant,
                consultation=consultation,
                territory=tree.lyon,
                **_problem(),
            )
        assert refused.value.fields is not None
        assert refused.value.fields["territory"][0]["code"] == "not_in_consultation_territory"
        inside = contribution_create(
            by=people.participant,
            consultation=consultation,
            territory=tree.villeneuve,
            **_problem(),
        )
        assert inside.territory == tree.villeneuve

    def test_theme_must_be_the_consultations(
        self, consultation: Consultation, people: Personas, in_diagnostic: None
    ) -> None:
        with pytest.raises(errors.ValidationFailed) as refused:
            contribution_create(
                by=people.participant, consultation=consultation, **_problem(theme="sante")
            )
        assert refused.value.fields is not None
        assert refused.value.fields["theme"][0]["code"] == "theme_not_in_consultation"


class TestLifecycle:
    def test_versions_kept_on_edit_after_publishing(
        self, consultation: Consultation, people: Personas, in_diagnostic: None
    ) -> None:
        draft = contribution_create(
            by=people.participant, consultation=consultation, publish=False, **_problem()
        )
        contribution_edit(by=people.participant, contribution=draft, title="Pas d'ordinateur")
        assert draft.versions.count() == 0
        published = contribution_publish(by=people.participant, contribution=draft)
        assert published.status == ContributionStatus.PUBLISHED
        contribution_edit(by=people.participant, contribution=published, body="Nouveau texte")
        contribution_edit(by=people.participant, contribution=published, title="Titre 3")
        versions = list(published.versions.order_by("number"))
        assert [(v.number, v.title) for v in versions] == [
            (1, "Pas d'ordinateur"),
            (2, "Pas d'ordinateur"),
        ]
        assert versions[0].body == "jpeu pas fer mes demarches caf sans ordi"

    def test_only_author_or_typist_edits_and_withdraws(
        self, consultation: Consultation, people: Personas, in_diagnostic: None
    ) -> None:
        mine = contribution_create(by=people.participant, consultation=consultation, **_problem())
        with pytest.raises(errors.PermissionDenied):
            contribution_edit(by=people.outsider, contribution=mine, title="Pirate")
        with pytest.raises(errors.PermissionDenied):
            contribution_withdraw(by=people.outsider, contribution=mine)
        withdrawn = contribution_withdraw(by=people.participant, contribution=mine)
        assert withdrawn.status == ContributionStatus.WITHDRAWN
        with pytest.raises(errors.ContributionNotEditable):
            contribution_edit(by=people.participant, contribution=mine, title="Encore")

    def test_proposal_answers_problems_of_the_same_consultation(
        self,
        consultation: Consultation,
        people: Personas,
        make_problem: Callable[..., Contribution],
        in_proposals: None,
    ) -> None:
        problem = make_problem()
        proposal = contribution_create(
            by=people.participant,
            consultation=consultation,
            answers=[problem.pk],
            estimated_cost_eur=1500,
            expected_partners="CCAS, médiathèques",
            **_problem(kind="proposal"),
        )
        assert list(proposal.answers.all()) == [problem]
        with pytest.raises(errors.ValidationFailed) as refused:
            contribution_create(
                by=people.participant,
                consultation=consultation,
                answers=[proposal.pk],
                **_problem(kind="proposal"),
            )
        assert refused.value.fields is not None
        assert refused.value.fields["answers"][0]["code"] == "not_a_problem"


class TestEndorsements:
    def test_once_per_person_and_per_structure(
        self,
        consultation: Consultation,
        people: Personas,
        tree: Tree,
        make_problem: Callable[..., Contribution],
        card: ParticipantCard,
        in_diagnostic: None,
    ) -> None:
        problem = make_problem()
        first = endorsement_add(by=people.outsider, contribution=problem)
        again = endorsement_add(by=people.outsider, contribution=problem)
        assert first.pk == again.pk
        structure = structure_create(
            creator=people.outsider,
            name="Emmaüs Connect",
            type="association",
            territory=tree.grenoble,
        )
        membership_add(by=people.outsider, structure=structure, user=people.moderator)
        endorsement_add(by=people.outsider, contribution=problem, structure=structure)
        endorsement_add(by=people.moderator, contribution=problem, structure=structure)
        endorsement_add(by=people.facilitator, contribution=problem, on_behalf_of_card=card)
        endorsement_add(by=people.facilitator, contribution=problem, on_behalf_of_card=card)
        assert Endorsement.objects.filter(contribution=problem).count() == 3
        endorsement_remove(by=people.outsider, contribution=problem)
        endorsement_remove(by=people.outsider, contribution=problem)
        assert Endorsement.objects.filter(contribution=problem).count() == 2

    def test_only_published_problems(
        self, consultation: Consultation, people: Personas, in_proposals: None
    ) -> None:
        proposal = contribution_create(
            by=people.participant, consultation=consultation, **_problem(kind="proposal")
        )
        with pytest.raises(errors.NotEndorsable):
            endorsement_add(by=people.outsider, contribution=proposal)
