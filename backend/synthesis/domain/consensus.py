"""Opinion groups (Pol.is style: PCA then k-means) and group-informed consensus per item.

Reactions are a participants x items matrix: 1 agree (a support counts as agree), -1
disagree, 0 pass (seen, no stance), NaN unseen. Everything is plain numpy and
deterministic: the same matrix and parameters always give the same groups and scores.

How the groups are computed (`opinion_groups`), in the order the API can show it:
1. participants with fewer than `min_reactions` non-NaN cells (passes count: the person saw
   the statement) are set aside; they have no reliable position;
2. each remaining NaN is filled with the mean of its column over the kept participants (0 if
   nobody saw the item): after centering the imputed cell is exactly 0, so an unseen item
   pulls nobody along its axis;
3. the centred matrix is projected on its first two principal axes (SVD; each axis is
   signed so that its largest loading is positive);
4. k-means (k-means++ seeding from a fixed seed, several restarts, lowest inertia kept) runs
   on the 2-D projection for k = 2..5 (never more than the distinct points minus one);
5. the k with the best mean silhouette wins (ties: the smaller k); below `min_participants`
   participants, with a single distinct point, or when the best silhouette is below
   `min_silhouette` (0.25: "no substantial structure" in Kaufman & Rousseeuw), everyone is
   one group. The silhouette is undefined (None) for k < 2 or k >= number of points.
"""

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from backend.votes.domain.ballots import competition_ranks

ParticipantT = TypeVar("ParticipantT", bound=Hashable)
ItemT = TypeVar("ItemT", bound=Hashable)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

AGREE = 1.0
DISAGREE = -1.0
PASS = 0.0
UNSEEN = math.nan

DEFAULT_MIN_REACTIONS = 3
DEFAULT_MIN_PARTICIPANTS = 4
DEFAULT_MIN_SILHOUETTE = 0.25
DEFAULT_K_RANGE = (2, 5)
DEFAULT_RESTARTS = 10
DEFAULT_SEED = 0
KMEANS_MAX_ITERATIONS = 100
# Scores closer than this are equal: float noise must not break a tie differently per run.
TIE_TOLERANCE = 1e-12
SILHOUETTE_BLOCK = 512


@dataclass(frozen=True, eq=False)
class ReactionMatrix(Generic[ParticipantT, ItemT]):
    """values[i, j] = reaction of participants[i] to items[j]; read-only copy of the input."""

    participants: tuple[ParticipantT, ...]
    items: tuple[ItemT, ...]
    values: FloatArray

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64)
        if values.size == 0:
            values = values.reshape(len(self.participants), len(self.items))
        if values.shape != (len(self.participants), len(self.items)):
            raise ValueError("values must have one row per participant, one column per item")
        finite = values[~np.isnan(values)]
        if not np.isin(finite, (AGREE, DISAGREE, PASS)).all():
            raise ValueError("reactions must be 1, -1, 0 or NaN")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("participants must be distinct")
        if len(set(self.items)) != len(self.items):
            raise ValueError("items must be distinct")
        values.setflags(write=False)
        object.__setattr__(self, "values", values)


def reaction_matrix(
    *,
    ballots: Mapping[ParticipantT, Mapping[ItemT, int]],
    items: Sequence[ItemT],
    absent_as: float = UNSEEN,
) -> ReactionMatrix[ParticipantT, ItemT]:
    """Build the matrix from `ballots[participant][item]` (the votes app's ballot shape).

    Agree ballots keep the default: no row = unseen. Support ballots pass `absent_as=PASS`:
    a voter saw every item of the vote, so no support is "seen, not supported", which is
    what gives the smoothed share its denominator. Rows on other items are ignored.
    """
    participants = tuple(ballots)
    column = {item: index for index, item in enumerate(items)}
    values = np.full((len(participants), len(items)), absent_as, dtype=np.float64)
    for row, participant in enumerate(participants):
        for item, value in ballots[participant].items():
            if item in column:
                values[row, column[item]] = value
    return ReactionMatrix(participants=participants, items=tuple(items), values=values)


# --- principal components -------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Coordinates (n x 2), axes (2 x items) and the share of variance each axis explains."""

    coordinates: tuple[tuple[float, float], ...]
    axes: tuple[tuple[float, ...], tuple[float, ...]]
    explained_variance_ratio: tuple[float, float]


def principal_components(values: FloatArray) -> Projection:
    """Project the rows of a complete (no NaN) matrix on its first two principal axes.

    SVD of the column-centred matrix; missing axes (fewer than two items, or rank < 2) are
    zero, and so is the explained variance of a matrix with no variance at all.
    """
    matrix = np.asarray(values, dtype=np.float64)
    rows, columns = matrix.shape
    axes = np.zeros((2, columns))
    ratio = np.zeros(2)
    if rows and columns:
        centred = matrix - matrix.mean(axis=0)
        _, singular, right = np.linalg.svd(centred, full_matrices=False)
        total = float((singular**2).sum())
        kept = min(2, len(singular))
        for index in range(kept):
            if total > 0 and singular[index] ** 2 / total > TIE_TOLERANCE:
                axis = right[index]
                # The sign of a singular vector is arbitrary: fix it for stable output.
                if axis[int(np.argmax(np.abs(axis)))] < 0:
                    axis = -axis
                axes[index] = axis
                ratio[index] = singular[index] ** 2 / total
        coordinates = centred @ axes.T
    else:
        coordinates = np.zeros((rows, 2))
    return Projection(
        coordinates=tuple((float(x), float(y)) for x, y in coordinates),
        axes=(tuple(float(v) for v in axes[0]), tuple(float(v) for v in axes[1])),
        explained_variance_ratio=(float(ratio[0]), float(ratio[1])),
    )


# --- k-means and silhouette -----------------------------------------------------------


@dataclass(frozen=True)
class KMeansFit:
    labels: tuple[int, ...]
    centres: tuple[tuple[float, ...], ...]
    inertia: float


def _squared_distances(points: FloatArray, centres: FloatArray) -> FloatArray:
    # One coordinate at a time (2 here): exact, and much faster than a 3-D broadcast + sum.
    total = np.zeros((len(points), len(centres)))
    for axis in range(points.shape[1]):
        total += (points[:, axis, None] - centres[None, :, axis]) ** 2
    return total


def _seed_centres(points: FloatArray, k: int, rng: np.random.Generator) -> FloatArray:
    """k-means++: each next centre drawn with probability proportional to D^2."""
    chosen = [int(rng.integers(len(points)))]
    for _ in range(1, k):
        nearest = _squared_distances(points, points[chosen]).min(axis=1)
        total = float(nearest.sum())
        if total <= 0:
            break
        chosen.append(int(rng.choice(len(points), p=nearest / total)))
    return np.asarray(points[chosen], dtype=np.float64)


def _lloyd(points: FloatArray, centres: FloatArray) -> tuple[IntArray, FloatArray, float]:
    for _ in range(KMEANS_MAX_ITERATIONS):
        distances = _squared_distances(points, centres)
        labels = distances.argmin(axis=1)
        updated = centres.copy()
        for cluster in range(len(centres)):
            members = points[labels == cluster]
            if len(members):
                updated[cluster] = members.mean(axis=0)
            else:
                # An empty cluster takes the point farthest from its own centre.
                own = distances[np.arange(len(points)), labels]
                updated[cluster] = points[int(own.argmax())]
        if np.allclose(updated, centres, rtol=0.0, atol=1e-12):
            centres = updated
            break
        centres = updated
    distances = _squared_distances(points, centres)
    labels = distances.argmin(axis=1)
    inertia = float(distances[np.arange(len(points)), labels].sum())
    return labels.astype(np.int64), centres, inertia


def kmeans(
    points: FloatArray, *, k: int, seed: int = DEFAULT_SEED, restarts: int = DEFAULT_RESTARTS
) -> KMeansFit:
    """Lowest-inertia fit over `restarts` k-means++ runs seeded from (`seed`, `k`).

    Labels are renumbered by first appearance in `points`, so equal partitions print alike.
    """
    data = np.asarray(points, dtype=np.float64)
    if not 1 <= k <= len(data):
        raise ValueError("k must be between 1 and the number of points")
    rng = np.random.default_rng([seed, k])
    best: tuple[IntArray, FloatArray, float] | None = None
    for _ in range(max(1, restarts)):
        fit = _lloyd(data, _seed_centres(data, k, rng))
        if best is None or fit[2] < best[2] - TIE_TOLERANCE:
            best = fit
    assert best is not None
    labels, centres, inertia = best
    renumber: dict[int, int] = {}
    for label in labels:
        renumber.setdefault(int(label), len(renumber))
    order = sorted(renumber, key=renumber.__getitem__)
    return KMeansFit(
        labels=tuple(renumber[int(label)] for label in labels),
        centres=tuple(tuple(float(v) for v in centres[old]) for old in order),
        inertia=inertia,
    )


def silhouette(points: FloatArray, labels: Sequence[int]) -> float | None:
    """Mean silhouette (b - a) / max(a, b) with Euclidean distances.

    a = mean distance to the other members of one's cluster, b = lowest mean distance to
    another cluster; a point alone in its cluster scores 0, and so does a point with
    a = b = 0. None when it is undefined: fewer than 2 clusters or as many clusters as points.
    """
    data = np.asarray(points, dtype=np.float64)
    label_array = np.asarray(labels)
    clusters = sorted(set(label_array.tolist()))
    if len(clusters) < 2 or len(clusters) >= len(data):
        return None
    index_of = {cluster: position for position, cluster in enumerate(clusters)}
    columns = np.array([index_of[int(label)] for label in label_array])
    onehot = np.zeros((len(data), len(clusters)))
    onehot[np.arange(len(data)), columns] = 1.0
    sizes = onehot.sum(axis=0)
    scores = np.zeros(len(data))
    # Blocks of rows keep memory linear in the number of participants.
    for start in range(0, len(data), SILHOUETTE_BLOCK):
        rows = slice(start, start + SILHOUETTE_BLOCK)
        distances = np.sqrt(_squared_distances(data[rows], data))
        sums = distances @ onehot  # (block, clusters): distance sum to each cluster
        own = columns[rows]
        own_size = sizes[own]
        block = np.arange(len(own))
        a = np.divide(sums[block, own], own_size - 1, out=np.zeros(len(own)), where=own_size > 1)
        means = sums / sizes
        means[block, own] = np.inf
        b = means.min(axis=1)
        largest = np.maximum(a, b)
        value = np.divide(b - a, largest, out=np.zeros(len(own)), where=largest > 0)
        # A point alone in its cluster scores 0.
        scores[rows] = np.where(own_size > 1, value, 0.0)
    return float(scores.mean())


# --- opinion groups --------------------------------------------------------------------


@dataclass(frozen=True)
class KCandidate:
    """One tried k: its silhouette (None if undefined) and the inertia of its best fit."""

    k: int
    silhouette: float | None
    inertia: float


@dataclass(frozen=True)
class OpinionGroups(Generic[ParticipantT]):
    """Groups largest first, members in input order; `coordinates` follow `participants`."""

    participants: tuple[ParticipantT, ...]
    excluded: tuple[ParticipantT, ...]
    groups: tuple[tuple[ParticipantT, ...], ...]
    coordinates: tuple[tuple[float, float], ...]
    explained_variance_ratio: tuple[float, float]
    chosen_k: int
    candidates: tuple[KCandidate, ...]
    parameters: Mapping[str, object] = field(default_factory=dict)

    def group_of(self, participant: ParticipantT) -> int | None:
        """Index of the participant's group, None if set aside or unknown."""
        for index, members in enumerate(self.groups):
            if participant in members:
                return index
        return None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready explanation of how the groups were computed (ids left as given)."""
        return {
            "method": "pca2_kmeans_silhouette",
            "parameters": dict(self.parameters),
            "chosen_k": self.chosen_k,
            "candidates": [
                {"k": c.k, "silhouette": c.silhouette, "inertia": c.inertia}
                for c in self.candidates
            ],
            "explained_variance_ratio": list(self.explained_variance_ratio),
            "groups": [list(members) for members in self.groups],
            "coordinates": [
                {"participant": p, "x": x, "y": y}
                for p, (x, y) in zip(self.participants, self.coordinates, strict=True)
            ],
            "excluded": list(self.excluded),
        }


def _fill_missing(values: FloatArray) -> FloatArray:
    seen = ~np.isnan(values)
    counts = seen.sum(axis=0)
    sums = np.where(seen, values, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(values.shape[1]), where=counts > 0)
    return np.where(seen, values, means[None, :])


def opinion_groups(
    matrix: ReactionMatrix[ParticipantT, ItemT],
    *,
    min_reactions: int = DEFAULT_MIN_REACTIONS,
    min_participants: int = DEFAULT_MIN_PARTICIPANTS,
    min_silhouette: float = DEFAULT_MIN_SILHOUETTE,
    k_range: tuple[int, int] = DEFAULT_K_RANGE,
    seed: int = DEFAULT_SEED,
    restarts: int = DEFAULT_RESTARTS,
) -> OpinionGroups[ParticipantT]:
    """Split the participants into opinion groups (see the module docstring for each step)."""
    parameters: dict[str, object] = {
        "min_reactions": min_reactions,
        "missing_filled_with": "column_mean",
        "min_participants": min_participants,
        "min_silhouette": min_silhouette,
        "k_range": list(k_range),
        "seed": seed,
        "restarts": restarts,
        "init": "k-means++",
    }
    reactions = (~np.isnan(matrix.values)).sum(axis=1)
    keep = reactions >= min_reactions
    participants = tuple(p for p, kept in zip(matrix.participants, keep, strict=True) if kept)
    excluded = tuple(p for p, kept in zip(matrix.participants, keep, strict=True) if not kept)
    projection = principal_components(_fill_missing(matrix.values[keep]))
    points = np.array(projection.coordinates, dtype=np.float64).reshape(len(participants), 2)
    distinct = len(np.unique(np.round(points, 12), axis=0)) if len(points) else 0

    candidates: list[KCandidate] = []
    fits: dict[int, KMeansFit] = {}
    if len(participants) >= max(min_participants, 2) and distinct >= 2:
        low, high = k_range
        for k in range(max(2, low), min(high, distinct, len(participants) - 1) + 1):
            fit = kmeans(points, k=k, seed=seed, restarts=restarts)
            fits[k] = fit
            candidates.append(
                KCandidate(k=k, silhouette=silhouette(points, fit.labels), inertia=fit.inertia)
            )

    chosen_k = 1
    best = -math.inf
    for candidate in candidates:
        if candidate.silhouette is not None and candidate.silhouette > best + TIE_TOLERANCE:
            chosen_k, best = candidate.k, candidate.silhouette
    if best < min_silhouette:
        chosen_k = 1

    if not participants:
        groups: tuple[tuple[ParticipantT, ...], ...] = ()
    elif chosen_k == 1:
        groups = (participants,)
    else:
        labels = fits[chosen_k].labels
        members = [
            tuple(p for p, label in zip(participants, labels, strict=True) if label == cluster)
            for cluster in range(chosen_k)
        ]
        # Largest first; equal sizes keep the order of first appearance (labels already do).
        # A cluster k-means left empty (possible only with ties) is not a group.
        groups = tuple(sorted((m for m in members if m), key=len, reverse=True))
        chosen_k = len(groups)
    return OpinionGroups(
        participants=participants,
        excluded=excluded,
        groups=groups,
        coordinates=projection.coordinates,
        explained_variance_ratio=projection.explained_variance_ratio,
        chosen_k=chosen_k if participants else 0,
        candidates=tuple(candidates),
        parameters=parameters,
    )


# --- consensus -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupShare:
    """Reactions of one group to one item; `smoothed` = (agree + 1) / (seen + 2)."""

    group: int
    members: int
    agree: int
    disagree: int
    passed: int
    seen: int

    @property
    def share(self) -> float:
        """Raw agree share among those who saw it (0 when nobody did)."""
        return self.agree / self.seen if self.seen else 0.0

    @property
    def smoothed(self) -> float:
        return (self.agree + 1) / (self.seen + 2)


@dataclass(frozen=True)
class ItemConsensus(Generic[ItemT]):
    """Group-informed consensus of one item, with the per-group shares it comes from."""

    item: ItemT
    consensus: float
    product: float
    groups: tuple[GroupShare, ...]
    rank: int

    @property
    def agree(self) -> int:
        return sum(share.agree for share in self.groups)

    @property
    def seen(self) -> int:
        return sum(share.seen for share in self.groups)

    def as_dict(self) -> dict[str, object]:
        return {
            "consensus": self.consensus,
            "product": self.product,
            "rank": self.rank,
            "method": "geometric_mean_of_smoothed_group_agreement",
            "groups": [
                {
                    "group": share.group,
                    "members": share.members,
                    "agree": share.agree,
                    "disagree": share.disagree,
                    "passed": share.passed,
                    "seen": share.seen,
                    "share": share.share,
                    "smoothed": share.smoothed,
                }
                for share in self.groups
            ],
        }


@dataclass(frozen=True)
class ConsensusResult(Generic[ItemT]):
    """Entries best first: the group-informed ranking."""

    entries: tuple[ItemConsensus[ItemT], ...]
    group_count: int

    def entry_for(self, item: ItemT) -> ItemConsensus[ItemT]:
        return next(entry for entry in self.entries if entry.item == item)


def consensus_scores(
    matrix: ReactionMatrix[ParticipantT, ItemT],
    *,
    groups: Iterable[Iterable[ParticipantT]],
) -> ConsensusResult[ItemT]:
    """Score each item by how much every opinion group agrees with it.

    For group g: p_g = (agree_g + 1) / (seen_g + 2) (Laplace smoothing as in Pol.is: an item
    few people saw stays near 1/2 instead of jumping to 0 or 1). The consensus is the
    geometric mean of p_g over the groups, in [0, 1]. Pol.is multiplies the p_g; for a fixed
    number of groups the geometric mean ranks items exactly like that product (it is its
    k-th root), but it does not shrink as k grows, so a score reads the same whatever the
    number of groups found, and it stays the "typical group's agreement". Every group weighs
    the same whatever its size: an item liked only by the largest group scores low. The
    product is returned too. Participants in no group are ignored, and so are group members
    absent from `matrix` (groups may come from the statements, scores from the actions'
    supports); with no group at all every item gets the prior 1/2.

    Ranking: consensus, then overall smoothed agreement, then the order of `items`; equal
    consensus shares a rank.
    """
    row = {participant: index for index, participant in enumerate(matrix.participants)}
    group_rows = [[row[p] for p in members if p in row] for members in groups]
    if not group_rows:
        group_rows = [[]]
    scored: list[tuple[int, ItemConsensus[ItemT]]] = []
    for column, item in enumerate(matrix.items):
        shares = []
        for index, rows in enumerate(group_rows):
            values = matrix.values[rows, column]
            shares.append(
                GroupShare(
                    group=index,
                    members=len(rows),
                    agree=int((values == AGREE).sum()),
                    disagree=int((values == DISAGREE).sum()),
                    passed=int((values == PASS).sum()),
                    seen=int((~np.isnan(values)).sum()),
                )
            )
        smoothed = [share.smoothed for share in shares]
        product = math.prod(smoothed)
        consensus = math.exp(sum(math.log(p) for p in smoothed) / len(smoothed))
        scored.append(
            (
                column,
                ItemConsensus(
                    item=item,
                    consensus=consensus,
                    product=product,
                    groups=tuple(shares),
                    rank=0,
                ),
            )
        )

    def sort_key(entry: tuple[int, ItemConsensus[ItemT]]) -> tuple[float, float, int]:
        column, result = entry
        overall = (result.agree + 1) / (result.seen + 2)
        return (-round(result.consensus, 12), -round(overall, 12), column)

    ordered = sorted(scored, key=sort_key)
    ranks = competition_ranks([round(entry.consensus, 12) for _, entry in ordered])
    return ConsensusResult(
        entries=tuple(
            ItemConsensus(
                item=entry.item,
                consensus=entry.consensus,
                product=entry.product,
                groups=entry.groups,
                rank=rank,
            )
            for (_, entry), rank in zip(ordered, ranks, strict=True)
        ),
        group_count=len(group_rows),
    )
