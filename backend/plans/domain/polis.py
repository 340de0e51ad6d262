"""The three CSV tables of the Pol.is export layout, from plain statements and reactions.

Pol.is "comments" are our statements put to an agree / disagree / pass vote (contributions);
participants are numeric pseudonyms. Values: 1 agree, -1 disagree, 0 pass, as in the
Pol.is export. Everything is sorted so the same state always gives the same bytes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from backend.synthesis.domain.consensus import opinion_groups, reaction_matrix

COMMENTS_COLUMNS = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
VOTES_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANTS_FIXED_COLUMNS = (
    "participant",
    "group-id",
    "n-comments",
    "n-votes",
    "n-agree",
    "n-disagree",
)
# Pol.is "moderated": 1 accepted, 0 not yet moderated, -1 moderated out.
MODERATED_IN = 1
UNMODERATED = 0
MODERATED_OUT = -1
AGREE, DISAGREE, PASS = 1, -1, 0

Row = tuple[str | int, ...]


@dataclass(frozen=True)
class Statement:
    id: int
    created_at: datetime
    author: int  # numeric pseudonym
    moderated: int  # MODERATED_IN, UNMODERATED or MODERATED_OUT
    body: str  # already emptied when moderated out


@dataclass(frozen=True)
class Reaction:
    at: datetime
    statement: int
    participant: int  # numeric pseudonym
    value: int  # AGREE, DISAGREE or PASS


@dataclass(frozen=True)
class PolisTables:
    comments: tuple[Row, ...]  # header first
    votes: tuple[Row, ...]
    participants_votes: tuple[Row, ...]


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def latest_reactions(reactions: Sequence[Reaction]) -> list[Reaction]:
    """One reaction per (participant, statement): the latest (ties: the larger value wins,
    so the choice never depends on input order). Sorted by time, statement, participant."""
    latest: dict[tuple[int, int], Reaction] = {}
    for reaction in reactions:
        key = (reaction.participant, reaction.statement)
        held = latest.get(key)
        if held is None or (reaction.at, reaction.value) > (held.at, held.value):
            latest[key] = reaction
    return sorted(latest.values(), key=lambda r: (r.at, r.statement, r.participant))


def participant_groups(reactions: Sequence[Reaction], statements: Sequence[int]) -> dict[int, int]:
    """Opinion group of each participant (PCA then k-means, as Pol.is); participants with
    too few reactions to place have no group. Deterministic for a given set of reactions."""
    ballots: dict[int, dict[int, int]] = {}
    for reaction in reactions:
        ballots.setdefault(reaction.participant, {})[reaction.statement] = reaction.value
    if not ballots or not statements:
        return {}
    ordered = {participant: ballots[participant] for participant in sorted(ballots)}
    groups = opinion_groups(reaction_matrix(ballots=ordered, items=list(statements)))
    return {
        participant: index for index, members in enumerate(groups.groups) for participant in members
    }


def polis_tables(
    *,
    statements: Sequence[Statement],
    reactions: Sequence[Reaction],
    groups: Mapping[int, int] | None = None,
) -> PolisTables:
    """comments.csv, votes.csv and participants-votes.csv as rows (header row first).

    `reactions` may hold several per (participant, statement): the latest counts. Reactions
    to statements not in `statements` are dropped. `groups`: participant -> group id (by
    default computed with `participant_groups`).
    """
    ordered = sorted(statements, key=lambda s: s.id)
    ids = [statement.id for statement in ordered]
    known = set(ids)
    kept = [r for r in latest_reactions(reactions) if r.statement in known]
    if groups is None:
        groups = participant_groups(kept, ids)

    agrees = dict.fromkeys(ids, 0)
    disagrees = dict.fromkeys(ids, 0)
    for reaction in kept:
        if reaction.value == AGREE:
            agrees[reaction.statement] += 1
        elif reaction.value == DISAGREE:
            disagrees[reaction.statement] += 1
    comments: list[Row] = [COMMENTS_COLUMNS]
    for statement in ordered:
        comments.append(
            (
                _timestamp(statement.created_at),
                _iso(statement.created_at),
                statement.id,
                statement.author,
                agrees[statement.id],
                disagrees[statement.id],
                statement.moderated,
                statement.body,
            )
        )

    votes: list[Row] = [VOTES_COLUMNS]
    for reaction in kept:
        votes.append(
            (
                _timestamp(reaction.at),
                _iso(reaction.at),
                reaction.statement,
                reaction.participant,
                reaction.value,
            )
        )

    matrix: dict[int, dict[int, int]] = {}
    for reaction in kept:
        matrix.setdefault(reaction.participant, {})[reaction.statement] = reaction.value
    authored: dict[int, int] = {}
    for statement in ordered:
        authored[statement.author] = authored.get(statement.author, 0) + 1
    participants_votes: list[Row] = [(*PARTICIPANTS_FIXED_COLUMNS, *ids)]
    for participant in sorted(set(matrix) | set(authored)):
        row = matrix.get(participant, {})
        values = list(row.values())
        group = groups.get(participant)
        participants_votes.append(
            (
                participant,
                "" if group is None else group,
                authored.get(participant, 0),
                len(values),
                values.count(AGREE),
                values.count(DISAGREE),
                *("" if row.get(i) is None else row[i] for i in ids),
            )
        )
    return PolisTables(
        comments=tuple(comments),
        votes=tuple(votes),
        participants_votes=tuple(participants_votes),
    )
