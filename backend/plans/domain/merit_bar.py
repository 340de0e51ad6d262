"""A majority-judgment merit profile laid out as a stacked bar: shares, widths, colours."""

from collections.abc import Sequence
from dataclasses import dataclass

from backend.votes.domain.majority_judgment import majority_grade

# Best to worst, as the grades of backend.votes (0 Excellent ... 6 To reject).
GRADE_LABELS_FR = (
    "Excellent",
    "Très bien",
    "Bien",
    "Assez bien",
    "Passable",
    "Insuffisant",
    "À rejeter",
)
# Dark green to dark red; each colour contrasts with white text (WCAG AA for large text).
GRADE_COLOURS = (
    "#1b5e20",
    "#2e7d32",
    "#558b2f",
    "#827717",
    "#e65100",
    "#c62828",
    "#7f0000",
)
BAR_WIDTH = 1000


@dataclass(frozen=True)
class Segment:
    grade: int
    label: str
    colour: str
    count: int
    share: float  # 0..1
    x: int
    width: int  # in BAR_WIDTH units; the widths of a bar add up to BAR_WIDTH exactly


@dataclass(frozen=True)
class MeritBar:
    segments: tuple[Segment, ...]  # every grade, best first, zero-width ones included
    total: int
    majority_grade: int | None

    @property
    def visible_segments(self) -> tuple[Segment, ...]:
        return tuple(segment for segment in self.segments if segment.width > 0)


def _widths(profile: Sequence[int], total: int) -> list[int]:
    """Largest-remainder rounding: integer widths proportional to the counts, summing to
    BAR_WIDTH exactly (ties go to the better grade)."""
    exact = [count * BAR_WIDTH / total for count in profile]
    widths = [int(value) for value in exact]
    missing = BAR_WIDTH - sum(widths)
    order = sorted(range(len(profile)), key=lambda i: (-(exact[i] - widths[i]), i))
    for index in order[:missing]:
        widths[index] += 1
    return widths


def majority_grade_of(profile: Sequence[int]) -> int | None:
    """The majority grade as the vote counts it (the worse middle judgment when the number of
    judgments is even), None if empty: the bar and the ranking never disagree."""
    return majority_grade(profile)


def merit_bar(profile: Sequence[int]) -> MeritBar:
    """Lay out a 7-grade profile (counts, best grade first). An empty profile has no width."""
    if len(profile) != len(GRADE_LABELS_FR):
        raise ValueError("a merit profile has one count per grade")
    if any(count < 0 for count in profile):
        raise ValueError("negative count")
    total = sum(profile)
    widths = _widths(profile, total) if total else [0] * len(profile)
    segments: list[Segment] = []
    x = 0
    for grade, (count, width) in enumerate(zip(profile, widths, strict=True)):
        segments.append(
            Segment(
                grade=grade,
                label=GRADE_LABELS_FR[grade],
                colour=GRADE_COLOURS[grade],
                count=count,
                share=count / total if total else 0.0,
                x=x,
                width=width,
            )
        )
        x += width
    return MeritBar(
        segments=tuple(segments), total=total, majority_grade=majority_grade_of(profile)
    )


def percent_fr(share: float) -> str:
    """A share as a French percentage with one decimal: 0.125 -> "12,5 %"."""
    return f"{share * 100:.1f}".replace(".", ",") + "\u00a0%"


def describe_fr(bar: MeritBar) -> str:
    """The bar in words, for screen readers: every grade with its percentage."""
    if bar.total == 0:
        return "Profil de mérite : aucun jugement."
    parts = [f"{segment.label} {percent_fr(segment.share)}" for segment in bar.segments]
    text = "Profil de mérite sur " + str(bar.total) + " jugements : " + ", ".join(parts)
    if bar.majority_grade is not None:
        text += f". Mention majoritaire : {GRADE_LABELS_FR[bar.majority_grade]}"
    return text + "."
