"""Pure counting rules of the ballot engine: validation and one tally per voting method.

Ballots are `ballots[voter][item] = value`, one integer per (voter, item), as stored:
- support, approval: 1 (no row = no support);
- majority judgment: grade index 0 Excellent .. 6 À rejeter; an item a voter left ungraded
  counts as "À rejeter";
- dots: points (>= 1) on the item;
- ranking: rank, 1 = best; unranked items tie below all ranked ones;
- agree: 1 agree, -1 disagree, 0 pass.
A voter is anyone with a value on at least one item of the vote; rows on other items are
ignored. No Django import here.
"""

from backend.votes.domain.agree import AgreeResult, StatementCount, tally_agree
from backend.votes.domain.ballots import Ballots, Method, competition_ranks, voters_of
from backend.votes.domain.dots import DotsResult, DotsTotal, tally_dots
from backend.votes.domain.majority_judgment import (
    GRADE_COUNT,
    GRADE_LABELS,
    Gauge,
    Grade,
    MajorityJudgmentEntry,
    MajorityJudgmentResult,
    compare_profiles,
    majority_gauge,
    majority_grade,
    majority_value,
    merit_profile,
    rank_profiles,
    tally_majority_judgment,
)
from backend.votes.domain.ranking import (
    BordaResult,
    BordaScore,
    RankedItem,
    SchulzeResult,
    pairwise_preferences,
    strongest_paths,
    tally_borda,
    tally_schulze,
)
from backend.votes.domain.support import (
    SupportCount,
    SupportResult,
    tally_approval,
    tally_support,
)
from backend.votes.domain.validation import (
    BallotProblem,
    BallotProblemCode,
    BallotRules,
    ballot_problems,
)

__all__ = [
    "GRADE_COUNT",
    "GRADE_LABELS",
    "AgreeResult",
    "BallotProblem",
    "BallotProblemCode",
    "BallotRules",
    "Ballots",
    "BordaResult",
    "BordaScore",
    "DotsResult",
    "DotsTotal",
    "Gauge",
    "Grade",
    "MajorityJudgmentEntry",
    "MajorityJudgmentResult",
    "Method",
    "RankedItem",
    "SchulzeResult",
    "StatementCount",
    "SupportCount",
    "SupportResult",
    "ballot_problems",
    "compare_profiles",
    "competition_ranks",
    "majority_gauge",
    "majority_grade",
    "majority_value",
    "merit_profile",
    "pairwise_preferences",
    "rank_profiles",
    "strongest_paths",
    "tally_agree",
    "tally_approval",
    "tally_borda",
    "tally_dots",
    "tally_majority_judgment",
    "tally_schulze",
    "tally_support",
    "voters_of",
]
