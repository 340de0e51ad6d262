"""The open-data archive: layout, columns, pseudonyms, hidden texts left out, Pol.is files,
stable bytes and ETag, bounded queries."""

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.comments.services import comment_create
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.plans.domain.polis import (
    COMMENTS_COLUMNS as POLIS_COMMENTS_COLUMNS,
)
from backend.plans.domain.polis import (
    PARTICIPANTS_FIXED_COLUMNS,
)
from backend.plans.domain.polis import (
    VOTES_COLUMNS as POLIS_VOTES_COLUMNS,
)
from backend.plans.opendata import (
    ACTIONS_COLUMNS,
    COMMENTS_COLUMNS,
    CONTRIBUTIONS_COLUMNS,
    LINKS_COLUMNS,
    VOTES_COLUMNS,
)
from backend.plans.services import plan_publish
from backend.proposals.services import contribution_create
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.plans.conftest import AGREE_VALUES, Built

pytestmark = pytest.mark.django_db


def url(built: Built) -> str:
    return f"/api/v1/consultations/{built.consultation.pk}/open-data.zip"


def download(built: Built) -> tuple[Any, zipfile.ZipFile]:
    response = ContractAPIClient().get(url(built))
    assert response.status_code == 200, response.content[:300]
    return response, zipfile.ZipFile(io.BytesIO(response.content))


def table(archive: zipfile.ZipFile, name: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))
    return list(reader.fieldnames or []), list(reader)


def test_layout_and_columns(built: Built, people: Personas) -> None:
    with in_phase(PhaseKind.RESTITUTION):
        plan_publish(by=people.organizer, consultation=built.consultation)
    response, archive = download(built)
    assert response["Content-Type"] == "application/zip"
    assert sorted(archive.namelist()) == sorted(
        [
            "README.md",
            "LICENCE.txt",
            "contributions.csv",
            "comments.csv",
            "votes.csv",
            f"ballots/vote-{built.mj_vote.pk}.csv",
            f"ballots/vote-{built.agree_vote.pk}.csv",
            "actions.csv",
            "links.csv",
            "polis/comments.csv",
            "polis/votes.csv",
            "polis/participants-votes.csv",
        ]
    )
    readme = archive.read("README.md").decode()
    assert "Licence Ouverte / Open Licence version 2.0 (Etalab)" in readme
    assert "version 1 publiée le" in readme
    for name in ("contributions.csv", "comments.csv", "votes.csv", "polis/comments.csv"):
        assert f"`{name.split('/')[-1]}`" in readme
    assert "etalab.gouv.fr" in archive.read("LICENCE.txt").decode()
    for name, columns in [
        ("contributions.csv", CONTRIBUTIONS_COLUMNS),
        ("comments.csv", COMMENTS_COLUMNS),
        ("votes.csv", VOTES_COLUMNS),
        ("actions.csv", ACTIONS_COLUMNS),
        ("links.csv", LINKS_COLUMNS),
        ("polis/comments.csv", POLIS_COMMENTS_COLUMNS),
        ("polis/votes.csv", POLIS_VOTES_COLUMNS),
    ]:
        assert tuple(table(archive, name)[0]) == columns, name
    # The published ballot files, byte for byte, with the digest the API published.
    built.mj_vote.refresh_from_db()
    ballot_file = archive.read(f"ballots/vote-{built.mj_vote.pk}.csv").decode()
    assert ballot_file == built.mj_vote.ballots_csv
    votes = {row["id"]: row for row in table(archive, "votes.csv")[1]}
    assert votes[str(built.mj_vote.pk)]["ballots_sha256"] == built.mj_vote.ballots_digest
    _, actions = table(archive, "actions.csv")
    assert [row["decision"] for row in actions] == ["retained", "not_retained"]
    _, links = table(archive, "links.csv")
    assert {(row["action_id"], row["contribution_id"]) for row in links} >= {
        (str(built.retained.pk), str(built.proposals[0].pk)),
        (str(built.rejected.pk), str(built.proposals[2].pk)),
    }


def test_only_public_data(built: Built) -> None:
    _, archive = download(built)
    everything = "\n".join(archive.read(name).decode() for name in archive.namelist())
    assert "@" not in everything.replace("@media", "")  # no e-mail address anywhere
    for user in User.objects.all():
        assert user.display_name not in everything
    _, contributions = table(archive, "contributions.csv")
    by_id = {int(row["id"]): row for row in contributions}
    hidden = by_id[built.hidden.pk]
    assert hidden["status"] == "hidden"
    assert (hidden["title"], hidden["body"], hidden["hidden_reason"]) == ("", "", "Hors sujet")
    assert "Texte abusif" not in everything
    assert "Commentaire injurieux" not in everything
    _, comments = table(archive, "comments.csv")
    statuses = {int(row["id"]): (row["status"], row["body"]) for row in comments}
    assert statuses[built.comments[0].pk] == ("visible", "Très utile")
    assert statuses[built.comments[1].pk] == ("hidden", "")
    # Authors are pseudonyms: stable, never a user id, the same person in every file.
    user_ids = {str(pk) for pk in User.objects.values_list("pk", flat=True)}
    authors = {row["author"] for row in contributions}
    assert not authors & user_ids
    p1 = by_id[built.proposals[0].pk]
    assert len({row["author"] for row in contributions}) == 6  # participant + 5 voters
    _, polis_comments = table(archive, "polis/comments.csv")
    polis_authors = {row["comment-id"]: row["author-id"] for row in polis_comments}
    assert polis_authors[str(built.proposals[0].pk)] == p1["author"]


def test_answered_problems_are_listed_in_id_order(built: Built, people: Personas) -> None:
    with in_phase(PhaseKind.PROPOSALS):
        second = contribution_create(
            by=people.participant,
            consultation=built.consultation,
            kind="problem",
            title="Pas de réseau mobile dans le hameau",
            body="Impossible de recevoir les codes par SMS.",
            origin="web",
            theme="acces_droits",
        )
        answering = contribution_create(
            by=people.participant,
            consultation=built.consultation,
            kind="proposal",
            title="Un point d'accès accompagné à la mairie",
            body="Un ordinateur, une connexion et quelqu'un pour aider.",
            origin="web",
            theme="equipement",
            answers=[second.pk, built.problem.pk],
        )
    _, archive = download(built)
    _, contributions = table(archive, "contributions.csv")
    answered = {int(row["id"]): row["answers_problems"] for row in contributions}
    assert answered[answering.pk] == f"{built.problem.pk}|{second.pk}"
    assert {answered[p.pk] for p in built.proposals} == {""}
    assert answered[built.problem.pk] == answered[second.pk] == ""


def test_polis_files_are_consistent(built: Built) -> None:
    _, archive = download(built)
    header, participants = table(archive, "polis/participants-votes.csv")
    _, votes = table(archive, "polis/votes.csv")
    _, comments = table(archive, "polis/comments.csv")
    items = [str(p.pk) for p in built.proposals]
    assert header == [*PARTICIPANTS_FIXED_COLUMNS, *items]
    assert len(votes) == len(AGREE_VALUES) * len(items)
    voters = {row["voter-id"] for row in votes}
    assert len(voters) == 5
    for row in participants:
        mine = {v["comment-id"]: v["vote"] for v in votes if v["voter-id"] == row["participant"]}
        assert int(row["n-votes"]) == len(mine)
        assert int(row["n-agree"]) == list(mine.values()).count("1")
        assert int(row["n-disagree"]) == list(mine.values()).count("-1")
        assert all(row[item] == mine.get(item, "") for item in items)
    # Hand-computed from AGREE_VALUES: agrees and disagrees per proposal.
    counts = {row["comment-id"]: (int(row["agrees"]), int(row["disagrees"])) for row in comments}
    assert [counts[item] for item in items] == [(3, 2), (2, 2), (2, 3), (3, 0)]
    assert {row["moderated"] for row in comments} == {"1"}
    # The ballot file pseudonyms (per vote) do not link to the archive's (per consultation).
    ballots = archive.read(f"ballots/vote-{built.agree_vote.pk}.csv").decode()
    assert not any(voter in ballots for voter in voters)


def test_stable_bytes_etag_and_bounded_queries(built: Built, people: Personas) -> None:
    with CaptureQueriesContext(connection) as few:
        first, _ = download(built)
    second, _ = download(built)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"] == f'"{first["X-Content-SHA256"]}"'
    not_modified = ContractAPIClient().get(url(built), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""

    with in_phase(PhaseKind.PROPOSALS):
        for n in range(3):
            extra = contribution_create(
                by=people.participant,
                consultation=built.consultation,
                kind="proposal",
                title=f"Encore une idée {n}",
                body="Un atelier de plus.",
                origin="web",
                theme="equipement",
            )
            comment_create(by=people.participant, contribution=extra, body="D'accord")
    with CaptureQueriesContext(connection) as many:
        changed, _ = download(built)
    assert len(many) == len(few)
    assert changed["ETag"] != first["ETag"]


def test_unknown_or_draft_consultation(make_consultation: Callable[..., Consultation]) -> None:
    draft = make_consultation(title="Brouillon", publish=False)
    response = ContractAPIClient().get(f"/api/v1/consultations/{draft.pk}/open-data.zip")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
