"""A whole consultation round through the client openapi-python-client generates.

Run by `make contract` (scripts/contract/live.py) against a live server with the demo data:
API_BASE_URL names it. Every call goes through the generated functions and models, so a
change of the OpenAPI document that breaks generated clients breaks this script.
"""

import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from numerique_pour_tous_client import AuthenticatedClient, Client
from numerique_pour_tous_client.api.auth import access_token_create, auth_register
from numerique_pour_tous_client.api.comments import contribution_comments_create
from numerique_pour_tous_client.api.consultations import (
    consultations_archive,
    consultations_create,
    consultations_permissions,
    consultations_phases_replace,
    consultations_publish,
    consultations_roles_create,
)
from numerique_pour_tous_client.api.contributions import (
    contributions_create,
    contributions_endorsement_create,
    contributions_endorsement_destroy,
    contributions_list,
    participant_cards_create,
)
from numerique_pour_tous_client.api.me import me_get
from numerique_pour_tous_client.api.moderation import (
    contributions_reports_create,
    moderation_hide,
    moderation_log_list,
    moderation_restore,
)
from numerique_pour_tous_client.api.plan import (
    consultation_open_data_retrieve,
    consultation_plan_csv_retrieve,
    consultation_plan_publish,
    consultation_plan_retrieve,
)
from numerique_pour_tous_client.api.synthesis import (
    candidate_actions_decision_update,
    consultation_candidate_actions_create,
    consultation_clusters_merge,
    consultation_unanswered_contributions_list,
    contributions_answer_update,
)
from numerique_pour_tous_client.api.territories import territories_list
from numerique_pour_tous_client.api.votes import (
    consultation_votes_create,
    votes_ballot_file_retrieve,
    votes_close,
    votes_my_ballot_update,
    votes_paper_ballots_create,
    votes_results_retrieve,
)
from numerique_pour_tous_client.api.workshops import consultation_workshops_create
from numerique_pour_tous_client.models import (
    AccessTokenCreateInputRequest,
    AuthRegisterInputRequest,
    BallotCastInputRequest,
    BallotCastInputRequestChoices,
    CandidateActionCreateInputRequest,
    CandidateActionDecisionEnum,
    CandidateActionDecisionInputRequest,
    ClusterMergeInputRequest,
    CommentCreateInputRequest,
    ConsultationCreateInputRequest,
    ConsultationPhaseInputRequest,
    ConsultationPhasesInputRequest,
    ConsultationRoleCreateInputRequest,
    ConsultationRoleKindEnum,
    ContributionAnswerInputRequest,
    ContributionCreateInputRequest,
    ContributionKindEnum,
    EndorsementInputRequest,
    MethodEnum,
    ModerationTargetInputRequest,
    PaperBallotImportInputRequest,
    PaperBallotLineInputRequest,
    ParticipantCardCreateInputRequest,
    PhaseKindEnum,
    PlanPublishInputRequest,
    ReasonEnum,
    ReportCreateInputRequest,
    TargetKindEnum,
    VoteCreateInputRequest,
    WorkshopCreateInputRequest,
)
from numerique_pour_tous_client.types import Response

BASE = os.environ["API_BASE_URL"]
PASSWORD = "demo-numerique-2026"  # noqa: S105 (the documented demo password)
NEW_PASSWORD = "un-mot-de-passe-solide-2026"  # noqa: S105 (a made-up account's)
DEMO = "demo.numerique-pour-tous.fr"
KINDS = [
    PhaseKindEnum.DIAGNOSTIC,
    PhaseKindEnum.PROPOSALS,
    PhaseKindEnum.DELIBERATION,
    PhaseKindEnum.VOTE,
    PhaseKindEnum.SYNTHESIS,
    PhaseKindEnum.RESTITUTION,
]
CALLS = {"n": 0}


def ok(response: Response[Any], status: int) -> Any:
    """The parsed body of a response that must have `status`."""
    CALLS["n"] += 1
    if response.status_code != status:
        sys.exit(f"expected {status}, got {response.status_code}: {response.content[:500]!r}")
    return response.parsed


def token_client(email: str, password: str = PASSWORD) -> AuthenticatedClient:
    anonymous = Client(base_url=BASE)
    created = ok(
        access_token_create.sync_detailed(
            client=anonymous,
            body=AccessTokenCreateInputRequest(email=email, password=password, name="round"),
        ),
        201,
    )
    return AuthenticatedClient(base_url=BASE, token=created.token)


def phases_with_open(kind: PhaseKindEnum) -> ConsultationPhasesInputRequest:
    """The six phases in order, one hour each, with `kind` open now."""
    now = datetime.now(UTC).replace(microsecond=0)
    opened = KINDS.index(kind)
    phases = []
    for index, each in enumerate(KINDS):
        starts = now - timedelta(hours=1) + timedelta(hours=2 * (index - opened))
        phases.append(
            ConsultationPhaseInputRequest(
                kind=each, starts_at=starts, ends_at=starts + timedelta(hours=2)
            )
        )
    return ConsultationPhasesInputRequest(phases=phases)


def main() -> None:
    anonymous = Client(base_url=BASE)
    organizer = token_client(f"organisatrice@{DEMO}")
    facilitator = token_client(f"animateur@{DEMO}")
    moderator = token_client(f"moderatrice@{DEMO}")

    # A newcomer registers from a mobile app: no CSRF token, no session, then a token.
    email = f"nouvelle-{uuid.uuid4().hex[:8]}@exemple.fr"
    ok(
        auth_register.sync_detailed(
            client=anonymous,
            body=AuthRegisterInputRequest(
                email=email,
                password=NEW_PASSWORD,
                display_name="Nadia",
                session=False,
            ),
        ),
        201,
    )
    participant = token_client(email, NEW_PASSWORD)
    me = ok(me_get.sync_detailed(client=participant), 200)

    # The territory, found by its INSEE code (open data, no account).
    grenoble = ok(territories_list.sync_detailed(client=anonymous, insee_code="38185"), 200)
    territory = grenoble.results[0].id

    # The round: a draft with its phases, roles by id, published.
    consultation = ok(
        consultations_create.sync_detailed(
            client=organizer,
            body=ConsultationCreateInputRequest(
                title="Numérique pour tous : quartier Mistral", territory=territory
            ),
        ),
        201,
    )
    cid = consultation.id
    ok(
        consultations_phases_replace.sync_detailed(
            cid, client=organizer, body=phases_with_open(PhaseKindEnum.DIAGNOSTIC)
        ),
        200,
    )
    for account, role in ((facilitator, "facilitator"), (moderator, "moderator")):
        person = ok(me_get.sync_detailed(client=account), 200)
        ok(
            consultations_roles_create.sync_detailed(
                cid,
                client=organizer,
                body=ConsultationRoleCreateInputRequest(
                    user=person.id, role=ConsultationRoleKindEnum(role)
                ),
            ),
            201,
        )
    ok(consultations_publish.sync_detailed(cid, client=organizer), 200)

    # Diagnostic: problems online and on paper (a card, with consent), endorsements.
    problem = ok(
        contributions_create.sync_detailed(
            cid,
            client=participant,
            body=ContributionCreateInputRequest(
                kind=ContributionKindEnum.PROBLEM,
                title="Pas d'ordi pour la CAF",
                body="Impossible de faire ma declaration CAF sans ordinateur ni imprimante.",
                publish=True,
            ),
            idempotency_key=str(uuid.uuid4()),
        ),
        201,
    )
    card = ok(
        participant_cards_create.sync_detailed(
            cid,
            client=facilitator,
            body=ParticipantCardCreateInputRequest.from_dict(
                {"label": "Mme B.", "consent_given": True, "consent_note": "oral"}
            ),
        ),
        201,
    )
    ok(
        contributions_create.sync_detailed(
            cid,
            client=facilitator,
            body=ContributionCreateInputRequest.from_dict(
                {
                    "kind": "problem",
                    "title": "ANTS trop compliqué",
                    "body": "Le site de l'ANTS demande une adresse mail que je n'ai pas.",
                    "origin": "paper",
                    "on_behalf_of_card": card.id,
                    "publish": True,
                }
            ),
        ),
        201,
    )
    endorsed = ok(
        contributions_endorsement_create.sync_detailed(
            problem.id, client=facilitator, body=EndorsementInputRequest()
        ),
        200,
    )
    assert endorsed.endorsed_by_me is True
    withdrawn = ok(
        contributions_endorsement_destroy.sync_detailed(problem.id, client=facilitator), 200
    )
    assert withdrawn.endorsed_by_me is False

    # A live workshop, with only its title: the generated model must not send `place: ""`.
    ok(
        consultation_workshops_create.sync_detailed(
            cid, client=facilitator, body=WorkshopCreateInputRequest(title="Atelier Mistral")
        ),
        201,
    )

    # Proposals, comments, moderation.
    ok(
        consultations_phases_replace.sync_detailed(
            cid, client=organizer, body=phases_with_open(PhaseKindEnum.PROPOSALS)
        ),
        200,
    )
    proposals = [
        ok(
            contributions_create.sync_detailed(
                cid,
                client=participant,
                body=ContributionCreateInputRequest(
                    kind=ContributionKindEnum.PROPOSAL,
                    title=title,
                    body=f"{title} : dans chaque maison de quartier, avec un médiateur.",
                    answers=[problem.id],
                    publish=True,
                ),
            ),
            201,
        )
        for title in (
            "Des ordis en libre accès",
            "Des ordinateurs en libre accès",
            "Un café numérique",
        )
    ]
    ok(
        contribution_comments_create.sync_detailed(
            proposals[0].id,
            client=facilitator,
            body=CommentCreateInputRequest(body="Bonne idée, la médiathèque pourrait aider."),
        ),
        201,
    )
    ok(
        contributions_reports_create.sync_detailed(
            proposals[2].id,
            client=facilitator,
            body=ReportCreateInputRequest(reason=ReasonEnum.OFF_TOPIC),
        ),
        201,
    )
    target = ModerationTargetInputRequest(
        target_kind=TargetKindEnum.CONTRIBUTION, target_id=proposals[2].id, reason="Hors sujet"
    )
    ok(moderation_hide.sync_detailed(cid, client=moderator, body=target), 200)
    ok(moderation_restore.sync_detailed(cid, client=moderator, body=target), 200)
    log = ok(moderation_log_list.sync_detailed(cid, client=anonymous), 200)
    assert log.count == 2
    listed = ok(contributions_list.sync_detailed(cid, client=anonymous, page_size=50), 200)
    assert listed.count == 5

    # Vote: majority judgment, one ballot online and one on paper.
    vote = ok(
        consultation_votes_create.sync_detailed(
            cid,
            client=organizer,
            body=VoteCreateInputRequest(
                title="Quelles propositions retenir ?",
                method=MethodEnum.MAJORITY_JUDGMENT,
                items=[p.id for p in proposals],
            ),
        ),
        201,
    )
    ok(
        consultations_phases_replace.sync_detailed(
            cid, client=organizer, body=phases_with_open(PhaseKindEnum.VOTE)
        ),
        200,
    )
    choices = BallotCastInputRequestChoices.from_dict({str(p.id): 1 for p in proposals})
    ok(
        votes_my_ballot_update.sync_detailed(
            vote.id, client=participant, body=BallotCastInputRequest(choices=choices)
        ),
        200,
    )
    ok(
        votes_paper_ballots_create.sync_detailed(
            vote.id,
            client=facilitator,
            body=PaperBallotImportInputRequest(
                lines=[
                    PaperBallotLineInputRequest(card=card.id, item=p.id, value=0) for p in proposals
                ]
            ),
        ),
        201,
    )
    live = ok(votes_results_retrieve.sync_detailed(vote.id, client=anonymous), 200)
    assert live.voter_count == 2
    assert not live.is_final
    ok(votes_close.sync_detailed(vote.id, client=organizer), 200)
    ballots = ok(votes_ballot_file_retrieve.sync_detailed(vote.id, client=anonymous), 200)
    assert ballots is None or isinstance(ballots, str)

    # Synthesis: merge the two near-duplicates, build an action, decide, answer the rest.
    ok(
        consultations_phases_replace.sync_detailed(
            cid, client=organizer, body=phases_with_open(PhaseKindEnum.SYNTHESIS)
        ),
        200,
    )
    merged = ok(
        consultation_clusters_merge.sync_detailed(
            cid,
            client=facilitator,
            body=ClusterMergeInputRequest(
                contributions=[proposals[0].id, proposals[1].id], reason="Même idée"
            ),
        ),
        201,
    )
    action = ok(
        consultation_candidate_actions_create.sync_detailed(
            cid,
            client=facilitator,
            body=CandidateActionCreateInputRequest(
                title="Ordinateurs en libre accès accompagnés",
                clusters=[merged.cluster.id],
                contributions=[problem.id],
            ),
        ),
        201,
    )
    ok(
        candidate_actions_decision_update.sync_detailed(
            action.id,
            client=organizer,
            body=CandidateActionDecisionInputRequest(decision=CandidateActionDecisionEnum.RETAINED),
        ),
        200,
    )

    # Restitution: answering goes on (the plan needs every contribution answered), publish.
    ok(
        consultations_phases_replace.sync_detailed(
            cid, client=organizer, body=phases_with_open(PhaseKindEnum.RESTITUTION)
        ),
        200,
    )
    permissions = ok(consultations_permissions.sync_detailed(cid, client=organizer), 200)
    assert permissions.answer.allowed
    assert permissions.publish_plan.allowed
    unanswered = ok(
        consultation_unanswered_contributions_list.sync_detailed(cid, client=organizer), 200
    )
    for contribution in unanswered.results:
        ok(
            contributions_answer_update.sync_detailed(
                contribution.id,
                client=organizer,
                body=ContributionAnswerInputRequest(text="Merci : reprise dans le plan."),
            ),
            200,
        )
    ok(
        consultation_plan_publish.sync_detailed(
            cid, client=organizer, body=PlanPublishInputRequest(note="Première version")
        ),
        201,
    )
    plan = ok(consultation_plan_retrieve.sync_detailed(cid, client=anonymous), 200)
    assert plan.number == 1
    assert plan.snapshot.consultation.id == cid
    csv_response = consultation_plan_csv_retrieve.sync_detailed(cid, client=anonymous)
    ok(csv_response, 200)
    archive = consultation_open_data_retrieve.sync_detailed(cid, client=anonymous)
    ok(archive, 200)
    assert archive.content[:2] == b"PK"
    ok(consultations_archive.sync_detailed(cid, client=organizer), 200)
    print(f"python client round: {CALLS['n']} calls, all answered as documented ({me.id=})")


if __name__ == "__main__":
    main()
