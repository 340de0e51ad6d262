"""Object-level authorization of every API operation, generated from the URL conf.

Every operation the URL conf exposes under /api/v1/ is called by six personas who hold no
right on the objects addressed (a consultation with every kind of object, run by others):
anonymous, a participant, a member of another structure, and the moderator, facilitator and
organizer of *another* consultation. Each operation must be classified below; a new endpoint
that is not fails this test until someone decides who may call it, and a privileged operation
that answers 2xx to one of these personas (a missing policy) fails it too.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from drf_spectacular.generators import EndpointEnumerator

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.consultations.domain import PhaseKind
from backend.consultations.models import ConsultationRole, RoleKind
from backend.consultations.services import role_grant
from backend.moderation.services import report_create
from backend.plans.services import plan_publish
from backend.proposals.services import participant_card_create
from backend.structures.models import Membership
from backend.structures.services import structure_create
from backend.synthesis.models import ActionSource, MergeLogEntry
from backend.workshops.models import Activity
from backend.workshops.services import activity_create, workshop_create, workshop_open
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.phases import middle_of
from tests.fixtures.territories import Tree
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db

# Anyone may call these (sign-in, public reads); only a server error would fail.
PUBLIC = {
    "GET /api/v1/auth/csrf/",
    "POST /api/v1/auth/login/",
    "POST /api/v1/auth/register/",
    "POST /api/v1/auth/tokens/",
    "POST /api/v1/consultations/{consultation_id}/similar-contributions/",  # drafts' lookup
    "GET /api/v1/health/",
    "GET /api/v1/themes/",
    # one-click unsubscribe: the signed token is the proof (an unknown one: 404)
    "GET /api/v1/notifications/unsubscribe/{token}/",
    "POST /api/v1/notifications/unsubscribe/{token}/",
}
# The caller's own account: 401 without one, their own data with one.
SELF = {
    "POST /api/v1/auth/logout/",
    "GET /api/v1/auth/tokens/",
    "DELETE /api/v1/auth/tokens/{token_id}/",  # someone else's token: 404 (checked below)
    "GET /api/v1/me/",
    "PATCH /api/v1/me/",
    "POST /api/v1/me/erasure/",
    "GET /api/v1/me/export/",
    "POST /api/v1/me/password/",
    "GET /api/v1/me/notifications/",
    "GET /api/v1/me/notifications/unread-count/",
    "POST /api/v1/me/notifications/read-all/",
    "POST /api/v1/me/notifications/{notification_id}/read/",  # someone else's: 404
    "GET /api/v1/me/notification-preferences/",
    "PATCH /api/v1/me/notification-preferences/",
    "GET /api/v1/votes/{vote_id}/my-ballot/",
    "PUT /api/v1/votes/{vote_id}/my-ballot/",
    "DELETE /api/v1/votes/{vote_id}/my-ballot/",
}
# Writes any signed-in person may attempt on the objects (the phase decides): 401 without an
# account; with one, any answer but a server error.
PARTICIPATION = {
    "POST /api/v1/consultations/",  # needs the add_consultation permission: 403 here
    "POST /api/v1/consultations/{consultation_id}/contributions/",
    "POST /api/v1/contributions/{contribution_id}/comments/",
    "POST /api/v1/candidate-actions/{action_id}/comments/",  # synthesis, restitution
    "POST /api/v1/regional-actions/{action_id}/comments/",  # consolidation, adopted stages
    "POST /api/v1/contributions/{contribution_id}/endorsement/",
    "DELETE /api/v1/contributions/{contribution_id}/endorsement/",
    "POST /api/v1/contributions/{contribution_id}/reports/",
    "POST /api/v1/comments/{comment_id}/reports/",
    "POST /api/v1/invitations/accept/",  # the invitation's code decides
    "POST /api/v1/structures/",
    "POST /api/v1/workshops/{workshop_id}/activities/{activity_id}/answers/",
    "POST /api/v1/territories/",  # staff only: 403 here
}
# Reads that only role holders (or staff) may make: refused to all six personas.
PRIVILEGED_READS = {
    "GET /api/v1/consultations/{consultation_id}/participant-cards/",
    "GET /api/v1/consultations/{consultation_id}/moderation/queue/",
    "GET /api/v1/consultations/{consultation_id}/suggestion-runs/",
    "GET /api/v1/consultations/{consultation_id}/roles/",
    "GET /api/v1/consultations/{consultation_id}/invitations/",
    "GET /api/v1/structures/{structure_id}/invitations/",
    "GET /api/v1/suggestion-runs/{run_id}/",
    "GET /api/v1/workshops/{workshop_id}/ideas/",
    "GET /api/v1/workshops/{workshop_id}/participants/",
    # hidden until the facilitator shows them
    "GET /api/v1/workshops/{workshop_id}/activities/{activity_id}/results/",
}
SAFE = {"GET", "HEAD", "OPTIONS"}
REFUSED = {401, 403, 404}


@dataclass(frozen=True)
class World:
    ids: dict[str, Any]
    personas: dict[str, User | None]


def _operations() -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/api/v1/")
    ]


@pytest.fixture
def world(
    built: Built,
    people: Personas,
    tree: Tree,
    make_user: Callable[..., User],
    make_consultation: Callable[..., Any],
    make_organizer: Callable[..., User],
) -> Iterator[World]:
    consultation = built.consultation
    with time_machine.travel(middle_of(PhaseKind.RESTITUTION), tick=False):
        plan_publish(by=people.organizer, consultation=consultation)
    with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC), tick=False):
        card = participant_card_create(
            by=people.facilitator,
            consultation=consultation,
            label="Mme R.",
            consent_given=True,
            consent_note="oral",
        )
        report, _created = report_create(
            by=people.participant, contribution=built.proposals[0], reason="spam"
        )
    structure = structure_create(
        creator=people.outsider,
        name="Maison des habitants",
        type="centre_social",
        territory=tree.grenoble,
    )
    with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC), tick=False):
        workshop = workshop_open(
            by=people.facilitator,
            workshop=workshop_create(
                by=people.facilitator, consultation=consultation, title="Atelier", place="Salle"
            ),
        )
        activity: Activity = activity_create(
            by=people.facilitator,
            workshop=workshop,
            kind="poll",
            title="Sondage",
            poll={"multiple": False, "choices": ["Oui", "Non"]},
        )
    token, _raw = access_token_create(user=people.outsider, name="x")
    # Personas: role holders of ANOTHER consultation, a member of ANOTHER structure.
    other_organizer = make_organizer(display_name="Autre organisatrice")
    other = make_consultation(title="Une autre concertation", by=other_organizer)
    roles = {}
    for kind in (RoleKind.MODERATOR, RoleKind.FACILITATOR):
        roles[kind] = make_user(display_name=f"Autre {kind}")
        role_grant(by=other_organizer, consultation=other, user=roles[kind], role=kind)
    member = make_user(display_name="Membre ailleurs")
    structure_create(
        creator=member, name="Autre association", type="association", territory=tree.lyon
    )
    ids = {
        "consultation_id": consultation.pk,
        "id": consultation.pk,
        "contribution_id": built.proposals[0].pk,
        "comment_id": built.comments[0].pk,
        "vote_id": built.agree_vote.pk,
        "action_id": built.retained.pk,
        "source_id": ActionSource.objects.filter(action=built.retained).first().pk,  # type: ignore[union-attr]
        "cluster_id": built.cluster.pk,
        "merge_id": MergeLogEntry.objects.filter(consultation=consultation).first().pk,  # type: ignore[union-attr]
        "number": 1,
        "role_id": ConsultationRole.objects.filter(consultation=consultation).first().pk,  # type: ignore[union-attr]
        "report_id": report.pk,
        "card_id": card.pk,
        "structure_id": structure.pk,
        "user_id": people.outsider.pk,
        "territory_id": tree.grenoble.pk,
        "token_id": token.pk,
        "workshop_id": workshop.pk,
        "activity_id": activity.pk,
        "idea_id": 10**9,
        "run_id": 10**9,
        "code": workshop.join_code,
    }
    personas: dict[str, User | None] = {
        "anonymous": None,
        "participant": make_user(display_name="Participante ailleurs"),
        "member_of_another_structure": member,
        "moderator_elsewhere": roles[RoleKind.MODERATOR],
        "facilitator_elsewhere": roles[RoleKind.FACILITATOR],
        "organizer_elsewhere": other_organizer,
    }
    assert not Membership.objects.filter(structure=structure, user=member).exists()
    with time_machine.travel(middle_of(PhaseKind.DELIBERATION), tick=False):
        yield World(ids=ids, personas=personas)


class _Ids(dict[str, Any]):
    """Path parameters; one this world did not build (a newer app's) names no object: 404s
    are then all the matrix checks for it, so give the world that object when adding one."""

    def __missing__(self, key: str) -> Any:
        return 10**9


def _call(user: User | None, method: str, path: str, ids: dict[str, Any]) -> int:
    client = ContractAPIClient()
    if user is not None:
        client.force_authenticate(user)
    url = path.format_map(_Ids(ids))
    response = client.generic(method, url, "{}", content_type="application/json")
    return int(response.status_code)


def _expected(operation: str, persona: str, status: int) -> bool:
    method = operation.split(" ", 1)[0]
    anonymous = persona == "anonymous"
    if status >= 500:
        return False
    if operation in PUBLIC:
        return True
    if operation in SELF:
        return status == 401 if anonymous else status != 401
    if operation in PARTICIPATION:
        return status in REFUSED if anonymous else True
    if operation in PRIVILEGED_READS:
        return status in REFUSED
    if method in SAFE:  # 400: a required query parameter (breakdown's `by`) is missing
        return status in {200, 304, 400, 404} or (anonymous and status == 401)
    # Every other write is a role holder's on these objects: never granted to a persona.
    return status in REFUSED | {400, 409} and not (anonymous and status not in REFUSED)


def test_every_operation_is_classified() -> None:
    operations = {f"{method} {path}" for method, path in _operations()}
    listed = PUBLIC | SELF | PARTICIPATION | PRIVILEGED_READS
    assert listed <= operations, sorted(listed - operations)


@pytest.mark.long
def test_no_persona_gets_past_the_policy_of_any_operation(world: World) -> None:
    failures = []
    for method, path in _operations():
        operation = f"{method} {path}"
        for persona, user in world.personas.items():
            status = _call(user, method, path, world.ids)
            if not _expected(operation, persona, status):
                failures.append(f"{operation} as {persona}: {status}")
    assert not failures, "\n".join(failures)


def test_someone_elses_token_cannot_be_revoked(world: World) -> None:
    for persona, user in world.personas.items():
        status = _call(user, "DELETE", "/api/v1/auth/tokens/{token_id}/", world.ids)
        assert status in {401, 404}, persona


def test_refusals_come_before_validation_for_role_holders_writes(world: World) -> None:
    """A privileged write refuses a persona with 403/404 before looking at the body or the
    state (a 400 or 409 would tell an outsider what exists and in which state)."""
    leaks = []
    for method, path in _operations():
        operation = f"{method} {path}"
        if method in SAFE or operation in PUBLIC | SELF | PARTICIPATION:
            continue
        for user in world.personas.values():
            if user is None:
                continue
            status = _call(user, method, path, world.ids)
            if status in {400, 409}:
                leaks.append(operation)
    found = sorted(set(leaks))
    assert found == sorted(KNOWN_VALIDATION_FIRST), "\n".join(f'    "{op}",' for op in found)


# Operations that would validate the body or the state before the role (each would answer an
# outsider 400/409 instead of 403): none left; a new one fails the test above.
KNOWN_VALIDATION_FIRST: list[str] = []
