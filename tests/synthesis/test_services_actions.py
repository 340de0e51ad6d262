"""Candidate actions: built from clusters or by hand, sources, decisions, scores, answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.consultations.domain import PhaseKind
from backend.core import errors
from backend.moderation.services import content_hide
from backend.proposals.services import contribution_withdraw
from backend.synthesis import selectors
from backend.synthesis.models import ActionSource, CandidateAction, Decision, MergeLogEntry
from backend.synthesis.services import (
    action_source_add,
    action_source_remove,
    candidate_action_create,
    candidate_action_decide,
    candidate_action_update,
    contribution_answer_set,
    contributions_merge,
    merge_undo,
)
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.fixtures.territories import Tree
from tests.synthesis.conftest import Field

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_synthesis")]


def _clusters(field: Field, people: Personas) -> tuple[MergeLogEntry, MergeLogEntry]:
    problems = contributions_merge(
        by=people.organizer,
        consultation=field.consultation,
        contribution_ids=[p.pk for p in field.problems[:2]],
        reason="Même constat",
    )
    proposals = contributions_merge(
        by=people.organizer,
        consultation=field.consultation,
        contribution_ids=[p.pk for p in field.proposals[:2]],
        reason="Même idée, deux formulations",
    )
    return problems, proposals


def _action(field: Field, people: Personas, **extra: object) -> CandidateAction:
    fields: dict[str, object] = {"title": "Des permanences d'aide aux démarches en ligne"}
    fields.update(extra)
    return candidate_action_create(
        by=extra.pop("by", people.facilitator),  # type: ignore[arg-type]
        consultation=field.consultation,
        **{k: v for k, v in fields.items() if k != "by"},  # type: ignore[arg-type]
    )


def _sources(action: CandidateAction) -> set[tuple[str, int, str]]:
    return {
        ("cluster", s.cluster_id, s.relation)
        if s.cluster_id
        else ("contribution", s.contribution_id, s.relation)  # type: ignore[misc]
        for s in ActionSource.objects.filter(action=action)
    }


class TestCreate:
    def test_from_clusters_links_each_cluster_and_member(
        self, field: Field, people: Personas, tree: Tree
    ) -> None:
        problems, proposals = _clusters(field, people)
        action = _action(
            field,
            people,
            cluster_ids=[problems.cluster_id, proposals.cluster_id],
            contribution_ids=[field.problems[2].pk],
            themes=["acces_droits"],
            territory_ids=[tree.villeneuve.pk],
            easy_read_summary="Quelqu'un vous aide à faire vos papiers sur internet.",
        )
        p, q = field.problems, field.proposals
        assert _sources(action) == {
            ("cluster", problems.cluster_id, "comes_from"),
            ("cluster", proposals.cluster_id, "comes_from"),
            ("contribution", p[0].pk, "answers_problem"),
            ("contribution", p[1].pk, "answers_problem"),
            ("contribution", p[2].pk, "answers_problem"),
            ("contribution", q[0].pk, "comes_from"),
            ("contribution", q[1].pk, "comes_from"),
        }
        assert list(action.territories.all()) == [tree.villeneuve]
        assert action.decision == Decision.PENDING

    def test_by_hand_with_no_source(self, field: Field, people: Personas) -> None:
        action = _action(field, people, description="Écrite par l'équipe de la Ville.")
        assert _sources(action) == set()

    def test_bad_inputs_are_field_errors(self, field: Field, people: Personas, tree: Tree) -> None:
        with pytest.raises(errors.ValidationFailed) as refused:
            _action(
                field,
                people,
                title=" ",
                themes=["sante"],
                territory_ids=[tree.lyon.pk],
                cluster_ids=[999999],
                contribution_ids=[999999],
            )
        assert refused.value.fields is not None
        assert {name: [e["code"] for e in errs] for name, errs in refused.value.fields.items()} == {
            "title": ["blank"],
            "themes": ["invalid_choice"],
            "territories": ["not_found"],
            "clusters": ["not_found"],
            "contributions": ["not_found"],
        }

    def test_a_dissolved_cluster_cannot_seed_an_action(
        self, field: Field, people: Personas
    ) -> None:
        problems, _ = _clusters(field, people)
        merge_undo(by=people.organizer, merge_entry=problems, reason="Erreur")
        with pytest.raises(errors.ClusterDissolved):
            _action(field, people, cluster_ids=[problems.cluster_id])

    def test_participants_may_not_write_actions(self, field: Field, people: Personas) -> None:
        with pytest.raises(errors.PermissionDenied):
            _action(field, people, by=people.participant)

    def test_only_during_the_synthesis(self, field: Field, people: Personas) -> None:
        with in_phase(PhaseKind.RESTITUTION), pytest.raises(errors.PhaseClosed):
            _action(field, people)


class TestEditAndSources:
    def test_update_changes_only_the_given_fields(
        self, field: Field, people: Personas, tree: Tree
    ) -> None:
        action = _action(field, people, description="Avant")
        candidate_action_update(
            by=people.organizer,
            action=action,
            title="Nouveau titre",
            territory_ids=[tree.grenoble.pk],
        )
        action.refresh_from_db()
        assert (action.title, action.description) == ("Nouveau titre", "Avant")
        assert list(action.territories.all()) == [tree.grenoble]

    def test_link_relink_and_unlink(self, field: Field, people: Personas) -> None:
        action = _action(field, people)
        source = action_source_add(
            by=people.facilitator,
            action=action,
            relation="answers_problem",
            contribution_id=field.problems[2].pk,
            justification="Le manque d'équipement rend l'aide inutile",
        )
        again = action_source_add(
            by=people.facilitator,
            action=action,
            relation="comes_from",
            contribution_id=field.problems[2].pk,
        )
        assert again.pk == source.pk
        assert (again.relation, again.justification) == ("comes_from", "")
        action_source_remove(by=people.organizer, source=again)
        assert _sources(action) == set()

    def test_a_source_is_a_contribution_or_a_cluster(self, field: Field, people: Personas) -> None:
        action = _action(field, people)
        with pytest.raises(errors.ValidationFailed):
            action_source_add(by=people.organizer, action=action, relation="comes_from")
        with pytest.raises(errors.ValidationFailed):
            action_source_add(
                by=people.organizer, action=action, relation="comes_from", cluster_id=424242
            )


class TestDecide:
    @pytest.mark.parametrize("decision", ["not_retained", "retained_with_changes"])
    def test_some_decisions_need_a_public_answer(
        self, field: Field, people: Personas, decision: str
    ) -> None:
        action = _action(field, people)
        with pytest.raises(errors.ValidationFailed) as refused:
            candidate_action_decide(by=people.organizer, action=action, decision=decision)
        assert refused.value.fields is not None
        assert refused.value.fields["public_answer"][0]["code"] == "required"
        decided = candidate_action_decide(
            by=people.organizer, action=action, decision=decision, public_answer="Budget 2027."
        )
        assert decided.decided_by == people.organizer
        assert decided.decided_at is not None

    def test_retained_needs_no_answer_and_pending_clears(
        self, field: Field, people: Personas
    ) -> None:
        action = _action(field, people)
        candidate_action_decide(by=people.organizer, action=action, decision="retained")
        back = candidate_action_decide(by=people.organizer, action=action, decision="pending")
        assert (back.decided_at, back.decided_by) == (None, None)

    @pytest.mark.parametrize("persona", ["facilitator", "moderator", "participant"])
    def test_only_organizers_decide(self, field: Field, people: Personas, persona: str) -> None:
        action = _action(field, people)
        with pytest.raises(errors.PermissionDenied):
            candidate_action_decide(by=getattr(people, persona), action=action, decision="retained")


class TestScores:
    def test_union_of_supporters_through_clusters(
        self, field: Field, people: Personas, tree: Tree
    ) -> None:
        problems, proposals = _clusters(field, people)
        action = _action(field, people, cluster_ids=[problems.cluster_id, proposals.cluster_id])
        action = selectors.candidate_action_get(action_id=action.pk, user=people.participant)
        card = selectors.action_scores_get(action=action)
        # Endorsers 0..3 on the problems; endorser 3 and the moderator approved proposals.
        assert card["distinct_supporters"] == 5
        assert card["summed_supports"] == 3 + 2 + 1 + 2
        # Endorser 0 spoke for the CCAS, endorser 1 for the association.
        assert card["distinct_structures"] == 2
        assert card["distinct_structure_types"] == 2
        # Grenoble and Villeneuve named; the rollup adds Métropole, Isère and the région.
        assert card["territories_covered"] == 2
        assert len(card["territory_coverage"]["rolled_up"]) == 5
        by_type = {
            s["segment"]: s["supporters"] for s in card["support_by_structure_type"]["segments"]
        }
        assert (by_type["ccas"], by_type["association"], by_type["mediatheque"]) == (1, 1, 0)
        assert card["support_by_structure_type"]["unclassified"] == 3
        assert card["support_sentence"] in (
            "soutenue par des CCAS et des associations",
            "soutenue par des associations et des CCAS",
        )
        # Only endorser 3 reacted to three statements: one opinion group of one person,
        # who agrees: (1 + 1) / (1 + 2).
        assert card["consensus"] == pytest.approx(2 / 3)
        # The two proposals were put to the approval vote.
        assert card["votes"] == [
            {
                "vote": field.vote.pk,
                "title": "Quelles priorités ?",
                "method": "approval",
                "is_final": False,
                "items": sorted(p.pk for p in field.proposals[:2]),
            }
        ]
        assert [e["name"] for e in card["explanations"]] == [
            "distinct_supporters",
            "distinct_structures",
            "distinct_structure_types",
            "territories_covered",
            "consensus",
        ]

    def test_a_split_removes_its_members_from_the_scores(
        self, field: Field, people: Personas
    ) -> None:
        problems, _ = _clusters(field, people)
        action = _action(field, people)
        action_source_add(
            by=people.organizer,
            action=action,
            relation="answers_problem",
            cluster_id=problems.cluster_id,
        )
        fresh = selectors.candidate_action_get(action_id=action.pk, user=people.organizer)
        assert selectors.action_scores_get(action=fresh)["distinct_supporters"] == 4
        merge_undo(by=people.organizer, merge_entry=problems, reason="Erreur")
        fresh = selectors.candidate_action_get(action_id=action.pk, user=people.organizer)
        assert selectors.action_scores_get(action=fresh)["distinct_supporters"] == 0

    def test_scores_of_every_action_take_a_fixed_number_of_queries(
        self, field: Field, people: Personas
    ) -> None:
        problems, proposals = _clusters(field, people)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                actions = list(selectors.candidate_action_list(consultation=field.consultation))
                selectors.action_scores_list(consultation=field.consultation, actions=actions)
            return len(queries)

        _action(field, people, cluster_ids=[problems.cluster_id])
        one = count()
        _action(field, people, cluster_ids=[proposals.cluster_id])
        _action(field, people, contribution_ids=[p.pk for p in field.problems])
        assert count() == one == 11


class TestAnswers:
    def test_the_traceable_answer_goes_through_the_cluster(
        self, field: Field, people: Personas
    ) -> None:
        problems, _ = _clusters(field, people)
        action = _action(field, people)
        action_source_add(
            by=people.organizer,
            action=action,
            relation="answers_problem",
            cluster_id=problems.cluster_id,
            justification="Le même besoin",
        )
        answer = selectors.contribution_answer_get(contribution=field.problems[1])
        assert answer.merged_into_cluster_id == problems.cluster_id
        assert [(a.action_id, a.through_cluster_id) for a in answer.actions] == [
            (action.pk, problems.cluster_id)
        ]
        assert not answer.is_answered
        candidate_action_decide(
            by=people.organizer, action=action, decision="needs_study", public_answer="À l'étude"
        )
        answer = selectors.contribution_answer_get(contribution=field.problems[1])
        assert answer.is_answered
        assert answer.actions[0].decision == "needs_study"

    def test_the_check_lists_those_still_without_an_answer(
        self, field: Field, people: Personas
    ) -> None:
        problems, _proposals = _clusters(field, people)
        action = _action(field, people, cluster_ids=[problems.cluster_id])
        missing = selectors.contributions_without_answer(consultation=field.consultation)
        everyone = {c.pk for c in field.problems + field.proposals}
        assert {c.pk for c in missing} == everyone
        candidate_action_decide(by=people.organizer, action=action, decision="retained")
        contribution_answer_set(
            by=people.organizer,
            contribution=field.proposals[2],
            text="Déjà financé par le département.",
        )
        # Hidden and withdrawn contributions need no answer.
        content_hide(by=people.moderator, contribution=field.proposals[0], reason="Doublon abusif")
        with in_phase(PhaseKind.DIAGNOSTIC):
            contribution_withdraw(by=people.participant, contribution=field.problems[2])
        missing = selectors.contributions_without_answer(consultation=field.consultation)
        assert [c.pk for c in missing] == [field.proposals[1].pk]
        # Split out of the cluster, a problem loses the answer it had through it.
        merge_undo(by=people.organizer, merge_entry=problems, reason="Erreur")
        missing = selectors.contributions_without_answer(consultation=field.consultation)
        assert {c.pk for c in missing} == {field.proposals[1].pk}

    def test_own_answer_is_for_organizers_and_replaces_the_previous(
        self, field: Field, people: Personas
    ) -> None:
        with pytest.raises(errors.PermissionDenied):
            contribution_answer_set(
                by=people.facilitator, contribution=field.problems[0], text="Non."
            )
        contribution_answer_set(by=people.organizer, contribution=field.problems[0], text="Un")
        contribution_answer_set(by=people.organizer, contribution=field.problems[0], text="Deux")
        answer = selectors.contribution_answer_get(contribution=field.problems[0])
        assert (answer.own_answer, answer.is_answered) == ("Deux", True)
