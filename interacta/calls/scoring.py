"""Scores of a submission's reviews: the weighted mean over the call's criteria and the
spread between reviewers (a disagreement of DISAGREEMENT points or more is flagged)."""

from __future__ import annotations

from dataclasses import dataclass

from interacta.calls.models import Criterion, Review

#: Two reviewers' overall scores this far apart (or more) are a disagreement to look at.
DISAGREEMENT = 2.0


def review_score(review: Review, criteria: list[Criterion]) -> float | None:
    """One review's weighted mean over the criteria it scored (None when it scored none)."""
    total = weights = 0
    for criterion in criteria:
        score = review.scores.get(str(criterion.id))
        if score is None:
            continue
        total += int(score) * criterion.weight
        weights += criterion.weight
    return total / weights if weights else None


@dataclass(frozen=True)
class ScoreSummary:
    reviews: int
    #: Weighted mean of the reviews' scores (1-5), None without a scored review.
    mean: float | None
    #: Highest minus lowest review score.
    spread: float | None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT


def summarize(reviews: list[Review], criteria: list[Criterion]) -> ScoreSummary:
    scores = [s for s in (review_score(r, criteria) for r in reviews) if s is not None]
    if not scores:
        return ScoreSummary(len(reviews), None, None)
    return ScoreSummary(len(reviews), sum(scores) / len(scores), max(scores) - min(scores))
