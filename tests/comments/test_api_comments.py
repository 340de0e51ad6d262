"""Comments over HTTP: statuses, error codes, placeholders, idempotency, ETags, query counts."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.comments.policies import EDIT_WINDOW
from backend.consultations.domain import PhaseKind
from backend.moderation.services import content_hide
from backend.proposals.models import Contribution, ParticipantCard
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase, middle_of

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], APIClient]


def comments_url(contribution: Contribution) -> str:
    return f"/api/v1/contributions/{contribution.pk}/comments/"


def comment_url(comment: Comment | int) -> str:
    return f"/api/v1/comments/{comment if isinstance(comment, int) else comment.pk}/"


def post(client: APIClient, contribution: Contribution, **data: Any) -> Any:
    return client.post(comments_url(contribution), data, format="json")


@pytest.mark.parametrize(
    ("phase", "status", "code"),
    [
        (PhaseKind.DIAGNOSTIC, 201, None),
        (PhaseKind.PROPOSALS, 201, None),
        (PhaseKind.DELIBERATION, 201, None),
        (PhaseKind.VOTE, 409, "phase_closed"),
    ],
)
def test_post_follows_the_phase_gate(
    phase: PhaseKind,
    status: int,
    code: str | None,
    client_for: ClientFor,
    people: Personas,
    problem: Contribution,
) -> None:
    with in_phase(phase):
        response = post(client_for(people.participant), problem, body="Oui !", stance="for")
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
    else:
        data = response.json()
        assert data["author"] == {
            "kind": "user",
            "id": people.participant.pk,
            "display_name": "Paul Participant",
        }
        assert data["is_editable"] is True
        assert data["depth"] == 0
        assert data["parent"] is None
        assert "email" not in str(data)


@pytest.mark.usefixtures("in_deliberation")
def test_anonymous_reads_but_cannot_post(
    api_client: APIClient, problem: Contribution, make_comment: Callable[..., Comment]
) -> None:
    comment = make_comment()
    assert post(api_client, problem, body="Salut").status_code == 401
    listed = api_client.get(comments_url(problem))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["results"]] == [comment.pk]
    assert listed.json()["results"][0]["is_editable"] is False


@pytest.mark.usefixtures("in_deliberation")
def test_input_errors(client_for: ClientFor, people: Personas, problem: Contribution) -> None:
    client = client_for(people.participant)
    response = post(client, problem, body="ok", colour="red")
    assert response.status_code == 400
    assert response.json()["fields"]["colour"][0]["code"] == "unknown_field"
    response = post(client, problem, body="ok", stance="maybe")
    assert response.json()["fields"]["stance"][0]["code"] == "invalid_choice"
    response = post(client, problem, body="ok", parent=999999)
    assert response.json()["fields"]["parent"][0]["code"] == "does_not_exist"
    assert client.get("/api/v1/contributions/999999/comments/").status_code == 404


@pytest.mark.usefixtures("in_deliberation")
def test_replies_and_depth_limit(
    client_for: ClientFor, people: Personas, problem: Contribution
) -> None:
    client = client_for(people.participant)
    parent = post(client, problem, body="Niveau 0").json()["id"]
    for depth in range(1, 4):
        reply = post(client, problem, body=f"Niveau {depth}", parent=parent).json()
        assert reply["depth"] == depth
        assert reply["parent"] == parent
        parent = reply["id"]
    response = post(client, problem, body="Niveau 4", parent=parent)
    assert response.status_code == 400
    assert response.json()["fields"]["parent"][0]["code"] == "too_deep"


@pytest.mark.usefixtures("in_deliberation")
def test_not_commentable_contribution(
    client_for: ClientFor, people: Personas, problem: Contribution
) -> None:
    Contribution.objects.filter(pk=problem.pk).update(status="hidden", hidden_reason="Injures")
    response = post(client_for(people.participant), problem, body="Hein ?")
    assert response.status_code == 409
    assert response.json()["code"] == "not_commentable"


@pytest.mark.usefixtures("in_deliberation")
def test_facilitator_for_a_card_but_not_a_participant(
    client_for: ClientFor, people: Personas, problem: Contribution, card: ParticipantCard
) -> None:
    payload = {"body": "Elle dit pareil", "on_behalf_of_card": card.pk, "origin": "workshop"}
    refused = post(client_for(people.participant), problem, **payload)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    created = post(client_for(people.facilitator), problem, **payload)
    assert created.status_code == 201
    data = created.json()
    assert data["author"] == {"kind": "card", "label": "Mme R., 72 ans"}
    assert data["entered_by"] == {"display_name": "Fatou Animatrice"}
    assert data["origin"] == "workshop"


def test_edit_window(client_for: ClientFor, people: Personas, problem: Contribution) -> None:
    posted_at = middle_of(PhaseKind.DELIBERATION)
    client = client_for(people.participant)
    with time_machine.travel(posted_at, tick=False):
        comment_id = post(client, problem, body="Premier jet").json()["id"]
    with time_machine.travel(posted_at + timedelta(minutes=14), tick=False):
        response = client.patch(comment_url(comment_id), {"body": "Corrigé"}, format="json")
        assert response.status_code == 200
        assert response.json()["body"] == "Corrigé"
        assert response.json()["edited_at"] is not None
        other = client_for(people.outsider).patch(
            comment_url(comment_id), {"body": "x"}, format="json"
        )
        assert other.status_code == 403
    with time_machine.travel(posted_at + EDIT_WINDOW + timedelta(seconds=1), tick=False):
        assert client.get(comment_url(comment_id)).json()["is_editable"] is False
        response = client.patch(comment_url(comment_id), {"body": "Trop tard"}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "edit_window_closed"


@pytest.mark.usefixtures("in_deliberation")
def test_delete_leaves_a_placeholder_and_replies_readable(
    client_for: ClientFor,
    api_client: APIClient,
    people: Personas,
    problem: Contribution,
    make_comment: Callable[..., Comment],
) -> None:
    comment = make_comment(body="Je retire ça")
    reply = make_comment(by=people.outsider, parent=comment, body="Réponse")
    assert client_for(people.outsider).delete(comment_url(comment)).status_code == 403
    response = client_for(people.participant).delete(comment_url(comment))
    assert response.status_code == 200
    placeholder = response.json()
    assert (placeholder["status"], placeholder["body"], placeholder["author"]) == (
        "deleted",
        None,
        None,
    )
    listed = api_client.get(comments_url(problem)).json()["results"]
    assert [(c["id"], c["status"], c["body"]) for c in listed] == [
        (comment.pk, "deleted", None),
        (reply.pk, "visible", "Réponse"),
    ]
    assert "Je retire ça" not in str(listed)


@pytest.mark.usefixtures("in_deliberation")
def test_hidden_comment_shows_its_reason_and_keeps_replies(
    api_client: APIClient,
    people: Personas,
    problem: Contribution,
    make_comment: Callable[..., Comment],
) -> None:
    comment = make_comment(body="Propos injurieux")
    reply = make_comment(by=people.outsider, parent=comment, body="Restons calmes")
    content_hide(
        by=people.moderator, comment=comment, reason="Propos injurieux envers une personne"
    )
    listed = api_client.get(comments_url(problem)).json()["results"]
    assert listed[0]["status"] == "hidden"
    assert listed[0]["body"] is None
    assert listed[0]["hidden_reason"] == "Propos injurieux envers une personne"
    assert listed[1]["id"] == reply.pk
    assert listed[1]["body"] == "Restons calmes"
    assert listed[1]["hidden_reason"] is None


@pytest.mark.usefixtures("in_deliberation")
def test_idempotent_post_creates_one_comment(
    client_for: ClientFor, people: Personas, problem: Contribution
) -> None:
    client = client_for(people.participant)
    headers = {"Idempotency-Key": "3f1c2a9e-commentaire"}
    first = client.post(comments_url(problem), {"body": "Une fois"}, format="json", headers=headers)
    again = client.post(comments_url(problem), {"body": "Une fois"}, format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Comment.objects.count() == 1
    other = client.post(comments_url(problem), {"body": "Autre"}, format="json", headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


@pytest.mark.usefixtures("in_deliberation")
def test_comment_read_has_an_etag(
    api_client: APIClient, make_comment: Callable[..., Comment]
) -> None:
    comment = make_comment()
    response = api_client.get(comment_url(comment))
    assert response.status_code == 200
    etag = response.headers["ETag"]
    again = api_client.get(comment_url(comment), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert api_client.get(comment_url(999999)).status_code == 404


@pytest.mark.usefixtures("in_deliberation")
@pytest.mark.parametrize("signed_in", [False, True])
def test_list_query_count_is_constant(
    signed_in: bool,
    client_for: ClientFor,
    api_client: APIClient,
    django_assert_num_queries: DjangoAssertNumQueries,
    people: Personas,
    problem: Contribution,
    make_comment: Callable[..., Comment],
    card: ParticipantCard,
) -> None:
    client = client_for(people.participant) if signed_in else api_client
    parent = make_comment()
    for index in range(12):
        if index % 3 == 0:
            make_comment(
                by=people.facilitator, on_behalf_of_card=card, parent=parent, origin="workshop"
            )
        else:
            make_comment(by=people.outsider, stance="against")
    expected = 3  # the contribution, the count, the page
    for size in (2, 13):
        with django_assert_num_queries(expected):
            response = client.get(comments_url(problem), {"page_size": size})
        assert len(response.json()["results"]) == size


@pytest.mark.usefixtures("in_deliberation")
def test_contribution_outputs_carry_comment_counts_and_most_commented_order(
    api_client: APIClient,
    people: Personas,
    problem: Contribution,
    make_problem: Callable[..., Contribution],
    make_comment: Callable[..., Comment],
) -> None:
    with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC) + timedelta(hours=1), tick=False):
        newer = make_problem(title="Pas de wifi")
    make_comment(stance="for")
    make_comment(stance="against")
    hidden = make_comment(stance="for")
    content_hide(by=people.moderator, comment=hidden, reason="Hors sujet")
    make_comment(contribution=newer, stance="neutral")
    detail = api_client.get(f"/api/v1/contributions/{problem.pk}/").json()
    assert detail["comment_counts"] == {"total": 2, "for": 1, "against": 1, "neutral": 0}
    url = f"/api/v1/consultations/{problem.consultation_id}/contributions/"
    recent = api_client.get(url).json()["results"]
    assert [c["id"] for c in recent] == [newer.pk, problem.pk]
    commented = api_client.get(url, {"ordering": "commented"}).json()["results"]
    assert [c["id"] for c in commented] == [problem.pk, newer.pk]
    assert commented[1]["comment_counts"]["neutral"] == 1
