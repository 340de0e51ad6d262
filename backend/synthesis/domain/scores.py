"""Score card of a candidate action: distinct supporters, reach across segments, coverage.

Every count here is of distinct people, structures or territories: a person who supports
two merged duplicates counts once (union, never sum). Each score carries a stable `method`
code and its parameters so the API can show how it was computed. No Django import.
"""

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from backend.territories.domain import ancestor_ids_from_path

PersonT = TypeVar("PersonT", bound=Hashable)
ItemT = TypeVar("ItemT", bound=Hashable)
ClusterT = TypeVar("ClusterT", bound=Hashable)
StructureT = TypeVar("StructureT", bound=Hashable)


# --- distinct supporters across merged items --------------------------------------------


def distinct_supporters(item_supporters: Mapping[ItemT, Set[PersonT]]) -> frozenset[PersonT]:
    """Union of the supporters of every item."""
    union: set[PersonT] = set()
    for supporters in item_supporters.values():
        union |= supporters
    return frozenset(union)


@dataclass(frozen=True)
class ClusterSupport(Generic[ClusterT, PersonT]):
    """`distinct` is the union size; `summed` (the naive sum) shows what merging removed."""

    cluster: ClusterT
    supporters: frozenset[PersonT]
    summed: int

    @property
    def distinct(self) -> int:
        return len(self.supporters)


def cluster_support(
    clusters: Mapping[ClusterT, Iterable[ItemT]],
    supports: Mapping[ItemT, Set[PersonT]],
) -> dict[ClusterT, ClusterSupport[ClusterT, PersonT]]:
    """Distinct supporters of each cluster of items, in the order of `clusters`.

    An item listed twice in a cluster counts once; an item without supports adds nobody.
    """
    result: dict[ClusterT, ClusterSupport[ClusterT, PersonT]] = {}
    for cluster, items in clusters.items():
        members = dict.fromkeys(items)
        per_item = {item: supports.get(item, frozenset()) for item in members}
        result[cluster] = ClusterSupport(
            cluster=cluster,
            supporters=distinct_supporters(per_item),
            summed=sum(len(people) for people in per_item.values()),
        )
    return result


# --- cross-segment support --------------------------------------------------------------


@dataclass(frozen=True)
class SegmentCount:
    segment: str
    supporters: int
    share: float


@dataclass(frozen=True)
class SegmentSupport:
    """Distinct supporters per segment of one dimension (structure type, territory kind...).

    `share` is out of all distinct supporters, so shares add up to more than 1 when people
    belong to several segments and to less when some have none (`unclassified`). Entries:
    most supporters first, then the order of the universe (or alphabetical). `balance` is
    the Shannon entropy of the counts over the universe divided by log(universe size): 1
    when every segment has as many supporters, 0 when one holds them all (and for a universe
    of fewer than 2 segments, where spread means nothing). `min_max_ratio` = fewest / most
    supporters over the universe (0 when a segment of the universe is not reached).
    """

    dimension: str
    entries: tuple[SegmentCount, ...]
    universe: tuple[str, ...]
    total: int
    unclassified: int
    balance: float
    min_max_ratio: float

    @property
    def reached(self) -> tuple[str, ...]:
        return tuple(entry.segment for entry in self.entries if entry.supporters)

    def as_dict(self) -> dict[str, object]:
        return {
            "dimension": self.dimension,
            "method": "distinct_supporters_per_segment",
            "segments": [
                {"segment": e.segment, "supporters": e.supporters, "share": e.share}
                for e in self.entries
            ],
            "reached": list(self.reached),
            "reached_count": len(self.reached),
            "universe": list(self.universe),
            "total": self.total,
            "unclassified": self.unclassified,
            "balance": self.balance,
            "balance_method": "normalized_shannon_entropy",
            "min_max_ratio": self.min_max_ratio,
        }


def _segments_of(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset((value,))
    return frozenset(value)


def segment_support(
    *,
    dimension: str,
    supporters: Iterable[PersonT],
    segments_of: Mapping[PersonT, str | Iterable[str]],
    universe: Sequence[str] | None = None,
) -> SegmentSupport:
    """Count each distinct supporter once in every segment they belong to.

    `universe` lists the segments that could have been reached (all structure types, all
    territory kinds); by default it is the set of segments reached. Segments outside an
    explicit universe are still counted and appended to it.
    """
    people = set(supporters)
    counts: dict[str, int] = {}
    unclassified = 0
    for person in people:
        segments = _segments_of(segments_of.get(person))
        if not segments:
            unclassified += 1
        for segment in segments:
            counts[segment] = counts.get(segment, 0) + 1
    base = list(dict.fromkeys(universe)) if universe is not None else sorted(counts)
    full = tuple(base + sorted(set(counts) - set(base)))
    position = {segment: index for index, segment in enumerate(full)}
    ordered = sorted(full, key=lambda s: (-counts.get(s, 0), position[s]))
    total = len(people)
    entries = tuple(
        SegmentCount(
            segment=segment,
            supporters=counts.get(segment, 0),
            share=counts.get(segment, 0) / total if total else 0.0,
        )
        for segment in ordered
    )
    values: list[int] = [counts.get(segment, 0) for segment in full]
    mass = sum(values)
    most = max(values, default=0)
    if len(full) < 2 or mass == 0:
        balance = 0.0
    else:
        entropy = -sum(v / mass * math.log(v / mass) for v in values if v)
        balance = entropy / math.log(len(full))
    ratio = min(values) / most if most else 0.0
    return SegmentSupport(
        dimension=dimension,
        entries=entries,
        universe=full,
        total=total,
        unclassified=unclassified,
        balance=min(1.0, max(0.0, balance)),
        min_max_ratio=ratio,
    )


# French noun phrases for the sentence; the codes are the StructureType values.
STRUCTURE_TYPE_PHRASES_FR: Mapping[str, str] = {
    "association": "des associations",
    "ccas": "des CCAS",
    "mediatheque": "des médiathèques",
    "centre_social": "des centres sociaux",
    "mission_locale": "des missions locales",
    "collectivite": "des collectivités",
    "entreprise": "des entreprises",
    "other": "d’autres structures",
}
TERRITORY_KIND_PHRASES_FR: Mapping[str, str] = {
    "urban": "en ville",
    "periurban": "en zone périurbaine",
    "rural": "en zone rurale",
}


def join_fr(parts: Sequence[str]) -> str:
    """Join French list items: "a", "a et b", "a, b et c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def support_sentence_fr(
    *,
    by_structure_type: SegmentSupport | None,
    by_territory: SegmentSupport | None,
    structure_phrases: Mapping[str, str] = STRUCTURE_TYPE_PHRASES_FR,
    territory_phrases: Mapping[str, str] = TERRITORY_KIND_PHRASES_FR,
    max_segments: int = 3,
) -> str:
    """Render who and where, e.g. "soutenue par des associations et des CCAS, en ville".

    Segments most supported first, at most `max_segments` per dimension ("et d’autres"
    closes a longer list); unknown codes are skipped; "" when nothing can be said.
    """

    def phrases(support: SegmentSupport | None, table: Mapping[str, str]) -> list[str]:
        if support is None:
            return []
        known = [table[s] for s in support.reached if s in table]
        if len(known) > max_segments:
            return [*known[:max_segments], "d’autres"]
        return known

    who = phrases(by_structure_type, structure_phrases)
    where = phrases(by_territory, territory_phrases)
    parts = []
    if who:
        parts.append("soutenue par " + join_fr(who))
    if where:
        parts.append(join_fr(where))
    return ", ".join(parts)


# --- territory coverage -----------------------------------------------------------------


def _path_parts(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def path_at_depth(path: str, depth: int) -> str | None:
    """Ancestor (or self) of a materialized path at `depth` (0 = root), None if deeper."""
    parts = _path_parts(path)
    return "/".join(parts[: depth + 1]) + "/" if depth < len(parts) else None


@dataclass(frozen=True)
class LevelCoverage:
    """At one depth: nodes named directly, and nodes named or with a named descendant."""

    depth: int
    direct: int
    rolled_up: int


@dataclass(frozen=True)
class TerritoryCoverage:
    """Paths are normalized to "id/id/" form; ids are read off them (ancestors included)."""

    direct: frozenset[str]
    rolled_up: frozenset[str]
    territory_ids: frozenset[int]
    levels: tuple[LevelCoverage, ...]

    @property
    def count(self) -> int:
        """Distinct territories named directly."""
        return len(self.direct)

    def as_dict(self) -> dict[str, object]:
        return {
            "method": "materialized_path_rollup",
            "direct": sorted(self.direct),
            "rolled_up": sorted(self.rolled_up),
            "territory_ids": sorted(self.territory_ids),
            "levels": [
                {"depth": level.depth, "direct": level.direct, "rolled_up": level.rolled_up}
                for level in self.levels
            ],
        }


def territory_coverage(paths: Iterable[str]) -> TerritoryCoverage:
    """Roll covered territories up to their ancestors, with counts per depth (0 = root).

    A commune covered means its EPCI, département and région are reached too; a node named
    twice, or named and reached through a descendant, counts once.
    """
    direct = {"/".join(parts) + "/" for parts in map(_path_parts, paths) if parts}
    rolled_up: set[str] = set()
    for path in direct:
        parts = _path_parts(path)
        rolled_up.update("/".join(parts[: end + 1]) + "/" for end in range(len(parts)))
    ids = {
        territory_id
        for path in direct
        for territory_id in (*ancestor_ids_from_path(path), int(_path_parts(path)[-1]))
    }
    depth_of = {path: len(_path_parts(path)) - 1 for path in rolled_up}
    deepest = max(depth_of.values(), default=-1)
    levels = tuple(
        LevelCoverage(
            depth=depth,
            direct=sum(1 for path in direct if depth_of[path] == depth),
            rolled_up=sum(1 for d in depth_of.values() if d == depth),
        )
        for depth in range(deepest + 1)
    )
    return TerritoryCoverage(
        direct=frozenset(direct),
        rolled_up=frozenset(rolled_up),
        territory_ids=frozenset(ids),
        levels=levels,
    )


# --- score card -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreExplanation:
    """How one score was computed: stable `method` code, parameters, a one-line description.

    The description is English, for logs and developers; clients translate from `method`.
    """

    name: str
    value: float | int | None
    method: str
    description: str
    parameters: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "method": self.method,
            "description": self.description,
            "parameters": dict(self.parameters),
        }


@dataclass(frozen=True)
class ActionScores:
    """The score card of a candidate action; `explanations` follow the field order."""

    distinct_supporters: int
    distinct_structures: int
    distinct_structure_types: int
    territories_covered: int
    consensus: float | None
    explanations: tuple[ScoreExplanation, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "distinct_supporters": self.distinct_supporters,
            "distinct_structures": self.distinct_structures,
            "distinct_structure_types": self.distinct_structure_types,
            "territories_covered": self.territories_covered,
            "consensus": self.consensus,
            "explanations": [explanation.as_dict() for explanation in self.explanations],
        }


def action_scores(
    *,
    item_supporters: Mapping[ItemT, Set[PersonT]],
    structures_of: Mapping[PersonT, Iterable[StructureT]],
    structure_type_of: Mapping[StructureT, str],
    territory_paths: Iterable[str],
    consensus: float | None = None,
    consensus_parameters: Mapping[str, object] | None = None,
) -> ActionScores:
    """Aggregate the scores of one candidate action from its merged source items.

    `item_supporters`: supporters of every source item (proposals, problems) of the action;
    `structures_of`: the structures each person speaks for (none for an individual);
    `territory_paths`: materialized paths of the territories the action's sources cover;
    `consensus`: the item's group-informed consensus if an agree vote took place, else None.
    """
    people = distinct_supporters(item_supporters)
    structures = {s for person in people for s in structures_of.get(person, ())}
    types = {structure_type_of[s] for s in structures if s in structure_type_of}
    coverage = territory_coverage(territory_paths)
    summed = sum(len(s) for s in item_supporters.values())
    explanations = (
        ScoreExplanation(
            name="distinct_supporters",
            value=len(people),
            method="union_of_source_supporters",
            description="People supporting at least one merged source, each counted once.",
            parameters={"sources": len(item_supporters), "summed_supports": summed},
        ),
        ScoreExplanation(
            name="distinct_structures",
            value=len(structures),
            method="structures_of_distinct_supporters",
            description="Structures that at least one distinct supporter speaks for.",
        ),
        ScoreExplanation(
            name="distinct_structure_types",
            value=len(types),
            method="types_of_distinct_structures",
            description="Kinds of structure (association, CCAS, media library...) reached.",
        ),
        ScoreExplanation(
            name="territories_covered",
            value=coverage.count,
            method="distinct_territories_of_sources",
            description="Distinct territories named by the sources; ancestors in the rollup.",
            parameters={"rolled_up": len(coverage.rolled_up)},
        ),
        ScoreExplanation(
            name="consensus",
            value=consensus,
            method="geometric_mean_of_smoothed_group_agreement",
            description=(
                "Geometric mean over opinion groups of (agree + 1) / (seen + 2); "
                "None without an agree vote."
            ),
            parameters=dict(consensus_parameters or {}),
        ),
    )
    return ActionScores(
        distinct_supporters=len(people),
        distinct_structures=len(structures),
        distinct_structure_types=len(types),
        territories_covered=coverage.count,
        consensus=consensus,
        explanations=explanations,
    )
