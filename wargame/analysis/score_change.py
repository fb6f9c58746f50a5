"""A history score set against an earlier one, target by target.

A change to the mechanics or the parameters is judged by what it does to each
target, not only to the overall mean: a rise of the mean can hide a target that
fell. `wargame score THEATRE --against earlier.json` reads what an earlier
`wargame score --json` printed and says, for every target, its score then and
now. The same seeds and mechanics give the same scores to the last bit on one
installation; another machine's numpy may round a last digit otherwise, so a
change smaller than `LEVEL` counts as none. Whether a change is beyond the
noise of the seeds is the reader's judgement: the earlier file says how many
seeds it had.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wargame.analysis.history import Scorecard
from wargame.files import StrPath
from wargame.scenario.errors import ScenarioError, from_validation_error, name_list, shown
from wargame.scenario.json_file import read_json

LEVEL = 1e-12
"""Changes of a score smaller than this are rounding, not change."""

MAX_BYTES = 16 * 2**20
"""The largest earlier score read: a score of a thousand targets is under a megabyte."""


class _EarlierTarget(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    id: str
    score: float = Field(ge=0.0, le=1.0)


class EarlierScore(BaseModel):
    """What an earlier `wargame score --json` printed, as far as a comparison reads it."""

    model_config = ConfigDict(extra="allow", strict=True)
    theatre: str
    seeds: list[int]
    days: int
    start_date: str | None = None
    score: float = Field(ge=0.0, le=1.0)
    targets: list[_EarlierTarget]


def read_earlier(path: StrPath) -> EarlierScore:
    """The earlier score in `path`. Raises ScenarioError naming the file and what was
    expected, before any run starts."""
    path = Path(path)
    if path.exists() and not path.is_dir() and not path.is_file():
        raise ScenarioError(path, "", "not a regular file; expected `wargame score --json` output")
    if path.is_file() and path.stat().st_size > MAX_BYTES:
        raise ScenarioError(
            path, "", f"{path.stat().st_size:,} bytes; expected `wargame score --json` output"
        )
    document = read_json(path)
    if not isinstance(document, dict):
        raise ScenarioError(path, "", "expected a JSON object, as `wargame score --json` prints")
    try:
        earlier = EarlierScore.model_validate(document)
    except ValidationError as error:
        raise from_validation_error(path, error) from None
    first: dict[str, int] = {}
    for index, target in enumerate(earlier.targets):
        if target.id in first:
            raise ScenarioError(
                path,
                f"targets[{index}]",
                f"id {shown(target.id)} given twice (first at targets[{first[target.id]}]); "
                "expected a unique id",
            )
        first[target.id] = index
    return earlier


@dataclass(frozen=True)
class Change:
    """One target's score then and now (None where the target was not scored)."""

    id: str
    before: float | None
    now: float | None

    @property
    def change(self) -> float | None:
        """now - before, 0.0 when smaller than `LEVEL`; None when one side lacks it."""
        if self.before is None or self.now is None:
            return None
        change = self.now - self.before
        return 0.0 if abs(change) < LEVEL else change


@dataclass(frozen=True)
class ScoreChange:
    """A scorecard against an earlier score: the targets in the card's order, then those
    the earlier score had and the card has not."""

    path: Path
    earlier: EarlierScore
    card: Scorecard
    changes: list[Change]

    def moved(self) -> list[Change]:
        """The targets whose score changed, or that one side alone scored."""
        return [change for change in self.changes if change.change != 0.0]

    def _by_sign(self, sign: int) -> list[Change]:
        return [c for c in self.changes if c.change is not None and c.change * sign > 0.0]

    def lower(self) -> list[Change]:
        return self._by_sign(-1)

    def higher(self) -> list[Change]:
        return self._by_sign(+1)

    def level(self) -> list[Change]:
        return [change for change in self.changes if change.change == 0.0]

    def summary(self) -> str:
        """One line: the overall score then and now; how many targets rose, fell (named) or
        stayed; and what makes the two scores unlike (targets one side alone has, other
        seeds, another history or theatre)."""
        earlier, card = self.earlier, self.card
        lower = [c.id for c in self.lower()]
        parts = [
            _count(len(self.higher()), "target") + " higher",
            f"{len(lower)} lower" + (f" ({name_list(lower)})" if lower else ""),
            f"{len(self.level())} level",
        ]
        new = [c.id for c in self.changes if c.before is None]
        gone = [c.id for c in self.changes if c.now is None]
        if new:
            parts.append(f"new: {name_list(new)}")
        if gone:
            parts.append(f"no longer scored: {name_list(gone)}")
        parts += self._unlike()
        return (
            f"Against {self.path} ({_count(len(earlier.seeds), 'seed')} of "
            f"{_count(earlier.days, 'day')}): overall {earlier.score:.4f} -> "
            f"{card.score:.4f}; " + "; ".join(parts)
        )

    def _unlike(self) -> list[str]:
        """Warnings of what the two scores do not share."""
        earlier, card, history = self.earlier, self.card, self.card.history
        unlike = []
        if earlier.theatre != card.theatre:
            unlike.append(f"a score of {shown(earlier.theatre)}, not of {shown(card.theatre)}")
        if (earlier.days, earlier.start_date) != (history.days, history.start_date.isoformat()):
            unlike.append(
                f"another history's span ({earlier.days} days from {earlier.start_date} then, "
                f"{history.days} from {history.start_date.isoformat()} now)"
            )
        if earlier.seeds != card.seeds:
            unlike.append(
                f"the seeds differ ({len(earlier.seeds)} then, {len(card.seeds)} now): part of "
                "each change is the seeds' own spread"
            )
        return unlike

    def as_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "theatre": self.earlier.theatre,
            "seeds": self.earlier.seeds,
            "days": self.earlier.days,
            "score": self.earlier.score,
            "lower": [change.id for change in self.lower()],
            "targets": [
                {"id": c.id, "before": c.before, "now": c.now, "change": c.change}
                for c in self.changes
            ],
        }


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def compare(card: Scorecard, earlier: EarlierScore, path: StrPath) -> ScoreChange:
    """`card` set against `earlier` (read from `path`), target by target."""
    before = {target.id: target.score for target in earlier.targets}
    now = {result.target.id: result.score for result in card.targets}
    changes = [Change(name, before.get(name), score) for name, score in now.items()]
    changes += [Change(name, score, None) for name, score in before.items() if name not in now]
    return ScoreChange(Path(path), earlier, card, changes)
