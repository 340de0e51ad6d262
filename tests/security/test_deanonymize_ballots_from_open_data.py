"""Finding 2: naming the voters of a vote by joining the open-data archive with the REST API.

Authorship is public (the API shows who wrote each contribution, and `contributions.csv` gives
each author a pseudonym), so any voter pseudonym equal to an author pseudonym names a ballot.
The attack joins every published pseudonym of voters with every author pseudonym: it must find
nothing, while the fixture's voters are (but one) named authors (so the join would work if the
families were shared).
"""

import csv
import io
import zipfile
from typing import Any

import pytest

from backend.core.pseudonyms import HEX_LENGTH, NUMBER_HEX_LENGTH
from backend.plans.opendata import open_data_archive
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db


def _table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def _archive(built: Built) -> zipfile.ZipFile:
    response = ContractAPIClient().get(
        f"/api/v1/consultations/{built.consultation.pk}/open-data.zip"
    )
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def _named_authors(built: Built, archive: zipfile.ZipFile) -> dict[str, int]:
    """Author pseudonym -> account id, by joining contributions.csv with the REST API."""
    client = ContractAPIClient()
    authors: dict[int, int] = {}
    url: str | None = f"/api/v1/consultations/{built.consultation.pk}/contributions/"
    while url:
        page: Any = client.get(url).json()
        for item in page["results"]:
            if item["author"] and item["author"].get("kind") == "user":
                authors[item["id"]] = item["author"]["id"]
        url = page.get("next")
    named = {
        row["author"]: authors[int(row["id"])]
        for row in _table(archive, "contributions.csv")
        if int(row["id"]) in authors
    }
    for row in _table(archive, "comments.csv"):
        assert row["author"]  # comments carry author pseudonyms of the same family
    return named


def _as_number(hex_pseudonym: str) -> str:
    """A ballot file's hex pseudonym as the archive's 48-bit number, in case the families
    shared a key and only the printing differed."""
    assert len(hex_pseudonym) == HEX_LENGTH
    return str(int(hex_pseudonym[:NUMBER_HEX_LENGTH], 16))


def test_no_ballot_in_the_archive_joins_a_named_author(built: Built) -> None:
    archive = _archive(built)
    named = _named_authors(built, archive)
    voter_ids = {voter.pk for voter in built.voters}
    assert len(voter_ids & set(named.values())) >= 4, "voters are also named authors"

    voters: set[str] = {row["voter-id"] for row in _table(archive, "polis/votes.csv")}
    voters |= {
        row["participant"]
        for row in _table(archive, "polis/participants-votes.csv")
        if row["n-votes"] != "0"
    }
    for name in archive.namelist():
        if name.startswith("ballots/"):
            for row in _table(archive, name):
                voters |= {row["pseudonym"], _as_number(row["pseudonym"])}
    assert len(voters) > len(built.voters)
    assert not voters & set(named), "a ballot is linked to a named author"

    # Pol.is comments.csv: its authors are author pseudonyms, never voter ones.
    polis_authors = {row["author-id"] for row in _table(archive, "polis/comments.csv")}
    assert polis_authors <= set(named)
    assert not polis_authors & voters


def test_the_rest_ballot_file_joins_no_author_either(built: Built) -> None:
    archive = _archive(built)
    named = _named_authors(built, archive)
    for vote in (built.mj_vote, built.agree_vote):
        response = ContractAPIClient().get(f"/api/v1/votes/{vote.pk}/ballots.csv")
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert rows
        pseudonyms = {row["pseudonym"] for row in rows}
        assert not {_as_number(p) for p in pseudonyms} & set(named)
        assert not pseudonyms & set(named)


def test_ballot_files_of_two_votes_share_no_pseudonym(built: Built) -> None:
    """The same five people voted in both votes: nothing links their ballots across files."""
    archive = _archive(built)
    first, second = (
        {row["pseudonym"] for row in _table(archive, f"ballots/vote-{vote.pk}.csv")}
        for vote in (built.mj_vote, built.agree_vote)
    )
    assert len(first) == len(second) == len(built.voters)
    assert not first & second


def test_ballot_files_are_ordered_by_pseudonym_not_by_time(built: Built) -> None:
    archive = _archive(built)
    for vote in (built.mj_vote, built.agree_vote):
        rows = _table(archive, f"ballots/vote-{vote.pk}.csv")
        keys = [(row["pseudonym"], int(row["item"])) for row in rows]
        assert keys == sorted(keys)


def test_rotating_secret_key_changes_no_published_pseudonym(built: Built, settings: Any) -> None:
    before = open_data_archive(consultation=built.consultation)
    settings.SECRET_KEY = "another-secret-key-after-rotation-0123456789abcdefghij"
    after = open_data_archive(consultation=built.consultation)
    assert after.sha256 == before.sha256
