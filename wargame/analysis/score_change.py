"""A history score set against an earlier one, target by target.

A change to the mechanics or the parameters is judged by what it does to each
target, not only to the overall mean: a rise of the mean can hide a target that
fell. `wargame score THEATRE --against earlier.json` reads what an earlier
`wargame score --json` printed and says, for every target, its score then and
now. A target is *lower* when its score now is below its score then; scores of
the same seeds and mechanics are equal to the last bit, so any fall is real
(whether it is beyond the noise of the seeds is the reader's judgement: the
earlier file says how many seeds it had).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wargame.analysis.history import Scorecard
from wargame.scenario.errors import ScenarioError, from_validation_error


class _EarlierTarget(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    score: float = Field(ge=0.0, le=1.0)


class EarlierScore(BaseModel):
    """What an earlier `wargame score --json` printed, as far as a comparison reads it."""

    model_config = ConfigDict(extra="allow")
    theatre: str
    seeds: list[int]
    days: int
    score: float = Field(ge=0.0, le=1.0)
    targets: list[_EarlierTarget]


def read_earlier(path: Path, theatre: str) -> EarlierScore:
    """The earlier score in `path`, checked to be a score of `theatre`.

    Raises ScenarioError naming the file and what was expected, before any run starts.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", "expected a file, found a folder") from None
    except json.JSONDecodeError as error:
        raise ScenarioError(
            path, "", f"not JSON ({error}); expected what `wargame score --json` prints"
        ) from None
    except (OSError, UnicodeDecodeError, RecursionError) as error:
        raise ScenarioError(path, "", f"cannot be read: {error}") from None
    if not isinstance(document, dict):
        raise ScenarioError(path, "", "expected a JSON object, as `wargame score --json` prints")
    try:
        earlier = EarlierScore.model_validate(document)
    except ValidationError as error:
        raise from_validation_error(path, error) from None
    if earlier.theatre != theatre:
        raise ScenarioError(
            path, "theatre", f"scores {earlier.theatre!r}; expected a score of {theatre!r}"
        )
    return earlier


@dataclass(frozen=True)
class Change:
    """One target's score then and now (None where the target was not scored)."""

    id: str
    before: float | None
    now: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before

    @property
    def lower(self) -> bool:
        return self.change is not None and self.change < 0.0


@dataclass(frozen=True)
class ScoreChange:
    """A scorecard against an earlier score: the targets in the card's order, then those
    the earlier score had and the card has not."""

    path: Path
    earlier: EarlierScore
    score: float
    seeds: list[int]
    changes: list[Change]

    def lower(self) -> list[Change]:
        return [change for change in self.changes if change.lower]

    def higher(self) -> list[Change]:
        return [c for c in self.changes if c.change is not None and c.change > 0.0]

    def level(self) -> list[Change]:
        return [change for change in self.changes if change.change == 0.0]

    def summary(self) -> str:
        """One line: the overall score then and now, and how many targets rose, fell or
        stayed (the fallen named), and any target only one side scored."""
        lower = self.lower()
        parts = [
            f"{len(self.higher())} targets higher",
            f"{len(lower)} lower" + (f" ({', '.join(c.id for c in lower)})" if lower else ""),
            f"{len(self.level())} level",
        ]
        new = [c.id for c in self.changes if c.before is None]
        gone = [c.id for c in self.changes if c.now is None]
        if new:
            parts.append(f"new: {', '.join(new)}")
        if gone:
            parts.append(f"no longer scored: {', '.join(gone)}")
        if self.earlier.seeds != self.seeds:
            parts.append(
                f"other seeds than before ({len(self.seeds)} now): part of each change is "
                "the seeds' own spread"
            )
        return (
            f"Against {self.path} ({len(self.earlier.seeds)} seeds of {self.earlier.days} "
            f"days): overall {self.earlier.score:.4f} -> {self.score:.4f}; " + "; ".join(parts)
        )

    def as_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "seeds": self.earlier.seeds,
            "days": self.earlier.days,
            "score": self.earlier.score,
            "lower": [change.id for change in self.lower()],
            "targets": [
                {"id": c.id, "before": c.before, "now": c.now, "change": c.change}
                for c in self.changes
            ],
        }


def compare(card: Scorecard, earlier: EarlierScore, path: Path) -> ScoreChange:
    """`card` set against `earlier`, target by target."""
    before = {target.id: target.score for target in earlier.targets}
    now = {result.target.id: result.score for result in card.targets}
    changes = [Change(id, before.get(id), score) for id, score in now.items()]
    changes += [Change(id, score, None) for id, score in before.items() if id not in now]
    return ScoreChange(path, earlier, card.score, list(card.seeds), changes)
