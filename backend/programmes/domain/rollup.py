"""Scores of a regional action rolled up from its territorial sources, across rounds.

The same function computes the published figures (from the database) and recomputes them
from the open-data archive's files: every input is a plain fact a CSV row can carry.
People are opaque keys (an account, a participant card, or an archive pseudonym); a person
counts once per action however many territories, contributions or supports they share.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ContributionFact:
    """A published territorial contribution: its round, theme, author and the structure it
    was written for (if any)."""

    id: int
    round: int  # consultation id
    theme: str
    author: str | None
    structure: int | None
    structure_type: str | None


@dataclass(frozen=True)
class SupportFact:
    """One person's support (endorsement or support ballot) of one contribution."""

    contribution: int
    person: str
    structure: int | None
    structure_type: str | None


@dataclass(frozen=True)
class Rollup:
    contributions: int
    territorial_actions: int
    rounds: tuple[int, ...]
    distinct_contributors: int
    distinct_supporters: int
    distinct_people: int
    distinct_structures: int
    structure_types: tuple[str, ...]
    support_by_structure_type: dict[str, int]
    support_by_round: dict[int, int]
    people_by_round: dict[int, int]

    @property
    def territories_raised(self) -> int:
        return len(self.rounds)

    def as_dict(self) -> dict[str, object]:
        return {
            "contributions": self.contributions,
            "territorial_actions": self.territorial_actions,
            "territories_raised": self.territories_raised,
            "rounds": list(self.rounds),
            "distinct_contributors": self.distinct_contributors,
            "distinct_supporters": self.distinct_supporters,
            "distinct_people": self.distinct_people,
            "distinct_structures": self.distinct_structures,
            "structure_types": list(self.structure_types),
            "support_by_structure_type": dict(sorted(self.support_by_structure_type.items())),
            "support_by_round": {str(k): v for k, v in sorted(self.support_by_round.items())},
            "people_by_round": {str(k): v for k, v in sorted(self.people_by_round.items())},
        }


ROLLUP_METHODS = {
    "contributions": "Published territorial contributions reached: linked directly, or sources "
    "of a linked territorial action (directly or through its merge clusters).",
    "territories_raised": "Territorial rounds whose actions or contributions feed the action.",
    "distinct_contributors": "Authors of those contributions, each counted once.",
    "distinct_supporters": "People who supported at least one of them, each counted once.",
    "distinct_people": "Authors and supporters together, each counted once across territories.",
    "distinct_structures": "Structures that authors wrote for or supporters spoke for.",
    "support_by_structure_type": "Distinct supporters per kind of structure they spoke for.",
    "support_by_round": "Distinct supporters per round of the supported contribution.",
}


def reached_contributions(
    *,
    direct: Iterable[int],
    territorial_actions: Iterable[int],
    sources_of_action: Mapping[int, Iterable[int]],
) -> set[int]:
    """Contributions an action draws on: the ones linked directly and every source of its
    territorial actions."""
    reached = set(direct)
    for action in territorial_actions:
        reached.update(sources_of_action.get(action, ()))
    return reached


def rollup(
    *,
    contributions: Iterable[int],
    territorial_actions: Sequence[int],
    action_round: Mapping[int, int],
    facts: Mapping[int, ContributionFact],
    supports: Mapping[int, Sequence[SupportFact]],
) -> Rollup:
    """Roll up one regional action. Contributions without a fact (hidden, withdrawn, draft)
    count for nothing; a territorial action counts its round even without a source."""
    kept = sorted({cid for cid in contributions if cid in facts})
    rounds = {action_round[a] for a in territorial_actions if a in action_round}
    authors: set[str] = set()
    supporters: set[str] = set()
    structures: set[int] = set()
    types: set[str] = set()
    by_type: dict[str, set[str]] = {}
    by_round: dict[int, set[str]] = {}
    people_by_round: dict[int, set[str]] = {}
    for cid in kept:
        fact = facts[cid]
        rounds.add(fact.round)
        if fact.author is not None:
            authors.add(fact.author)
            people_by_round.setdefault(fact.round, set()).add(fact.author)
        if fact.structure is not None:
            structures.add(fact.structure)
            if fact.structure_type:
                types.add(fact.structure_type)
        for support in supports.get(cid, ()):
            supporters.add(support.person)
            by_round.setdefault(fact.round, set()).add(support.person)
            people_by_round.setdefault(fact.round, set()).add(support.person)
            if support.structure is not None:
                structures.add(support.structure)
                if support.structure_type:
                    types.add(support.structure_type)
                    by_type.setdefault(support.structure_type, set()).add(support.person)
    return Rollup(
        contributions=len(kept),
        territorial_actions=len(set(territorial_actions)),
        rounds=tuple(sorted(rounds)),
        distinct_contributors=len(authors),
        distinct_supporters=len(supporters),
        distinct_people=len(authors | supporters),
        distinct_structures=len(structures),
        structure_types=tuple(sorted(types)),
        support_by_structure_type={k: len(v) for k, v in by_type.items()},
        support_by_round={k: len(v) for k, v in by_round.items()},
        people_by_round={k: len(v) for k, v in people_by_round.items()},
    )


def rank_key(*, action_id: int, figures: Rollup, cost: int | None) -> tuple[int, ...]:
    """The plan's priority order (smaller sorts first): breadth across territories first (a
    regional plan answers needs several territories share), then distinct people, then
    distinct structures, then the cheaper action, then the older one."""
    return (
        -figures.territories_raised,
        -figures.distinct_people,
        -figures.distinct_structures,
        cost if cost is not None else 2**62,
        action_id,
    )
