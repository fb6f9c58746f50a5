"""What if, from here: a run replayed to a day and played on with a change, beside itself unchanged.

A run depends on its theatre, parameters and seed alone, so a fresh model
stepped to day D is exactly the run as it stood on day D. A fork makes its
change there, after day D has been played, through the world's own
`parameters` setter, and plays on; the same run played on unchanged is the
yardstick. Whatever differs between the two at the end, the change did. Both
draw from the same random streams (`wargame.engine.streams`: a draw is the
seed's for its purpose, day and unit or place), so after day D a unit that does
the same in both runs has the same luck in both: what differs is the change's
effect and what followed from it, not dice thrown in another order.

Only parameters a run under way can take are changed: those read when the
model is built (`SET_AT_START`) are refused by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from wargame.analysis.batch import flatten
from wargame.engine import measures
from wargame.engine.model import ConflictModel
from wargame.scenario.parameters import Parameters, dotted, with_changes


@dataclass(frozen=True)
class Change:
    """New parameter values, made once day `day` has been played (0: before the first day).

    `values` are by the names `--set` takes (`prices.<commodity>` for a price),
    as given: strings from a command line or a page are typed when made.
    """

    day: int
    values: Mapping[str, object]


def changed_parameters(model: ConflictModel, values: Mapping[str, object]) -> Parameters:
    """`model`'s parameters with `values` on top, checked and typed but not yet made.

    Raises SetAtStartError for a parameter only read when a model is built
    (whatever its value), UnknownParameterError for a name the theatre lacks
    and pydantic's ValidationError for a value outside a parameter's range.
    """
    return with_changes(model.parameters, values, model.theatre.prices)


def make(model: ConflictModel, change: Change) -> None:
    """Make `change` in `model` now (its day is the caller's to keep)."""
    model.parameters = changed_parameters(model, change.values)


def replay(
    build: Callable[[], ConflictModel], day: int, changes: Sequence[Change] = ()
) -> ConflictModel:
    """A fresh run stepped to `day`, each change made once its day has been played
    (a change of `day` itself included): how a page looks back at a forked run."""
    model = build()
    for change in sorted(changes, key=lambda c: c.day):
        if change.day > day:
            break
        model.run(change.day - model.day)
        make(model, change)
    model.run(day - model.day)
    return model


def replayed(
    build: Callable[[], ConflictModel], last_day: int, changes: Sequence[Change] = ()
) -> Iterator[ConflictModel]:
    """`replay` a day at a time: the same fresh run after each day from day 0 to `last_day`,
    each change made once its day has been played (how a time-lapse of a page's run is drawn)."""
    model = build()
    pending = sorted(changes, key=lambda c: c.day)
    while True:
        while pending and pending[0].day <= model.day:
            make(model, pending.pop(0))
        yield model
        if model.day >= last_day:
            return
        model.step()


@dataclass
class Fork:
    """A run with a change from a day on (`forked`) and the same run without it (`unchanged`)."""

    change: Change
    forked: ConflictModel
    unchanged: ConflictModel

    def date(self) -> dt.date:
        """The date of the fork's day: the change acts from the day after."""
        return self.forked.theatre.start_date + dt.timedelta(days=self.change.day)

    def changes(self) -> dict[str, tuple[object, object]]:
        """Each changed parameter's value in the unchanged run and in the fork."""
        names = dotted(self.change.values)
        before, after = self.unchanged.parameters, self.forked.parameters
        return {name: (before.value(name), after.value(name)) for name in names}

    def first_difference(self) -> int | None:
        """The first day whose series row or events differ between the runs; None: none do."""
        ours, theirs = self.forked.series(), self.unchanged.series()
        same = (ours == theirs) | (ours.isna() & theirs.isna())
        rows = [int(day) for day in ours.loc[~same.all(axis=1), "day"]]
        ours, theirs = _events_by_day(self.forked), _events_by_day(self.unchanged)
        rows += [day for day in ours.keys() | theirs.keys() if ours.get(day) != theirs.get(day)]
        return min(rows, default=None)

    def differences(self) -> dict[str, dict[str, object]]:
        """Every value of the summary that differs, by its dotted key (`control.<place>`,
        `factions.<faction>.<measure>`, ... as a batch's runs table names them)."""
        ours, theirs = flatten(self.forked.summary()), flatten(self.unchanged.summary())
        return {
            key: {"unchanged": theirs[key], "forked": value}
            for key, value in ours.items()
            if value != theirs.get(key)
        }

    def as_json(self) -> dict[str, object]:
        """Both summaries, the change and what differs, as plain JSON types."""
        return {
            "fork": {
                "day": self.change.day,
                "date": self.date().isoformat(),
                "changes": {name: after for name, (_, after) in self.changes().items()},
            },
            "first_difference_day": self.first_difference(),
            "differences": self.differences(),
            "forked": self.forked.summary(),
            "unchanged": self.unchanged.summary(),
        }


def fork(
    build: Callable[[], ConflictModel],
    change: Change,
    days: int,
    progress: Callable[[int, int], None] | None = None,
) -> Fork:
    """`build`'s run played `days` days twice, the second time with `change` from its day.

    `build` must give the same run each time (a fixed seed). The change is
    checked before any day is played (the errors of `changed_parameters`);
    ValueError when its day lies outside 0 to `days`.
    """
    if not 0 <= change.day <= days:
        raise ValueError(f"a fork's day must be from 0 to {days}, not {change.day}")
    forked, unchanged = build(), build()
    if forked.seed != unchanged.seed:
        raise ValueError("a fork needs the same run twice: build it with a fixed seed")
    changed_parameters(forked, change.values)
    for day in range(days + 1):  # both runs in step, so progress counts days
        if day == change.day:
            make(forked, change)
        if day == days:
            break
        forked.step()
        unchanged.step()
        if progress is not None:
            progress(day + 1, days)
    return Fork(change, forked, unchanged)


def _events_by_day(model: ConflictModel) -> dict[int, list[dict]]:
    by_day: dict[int, list[dict]] = {}
    for record in measures.events_frame(model).to_dict("records"):
        by_day.setdefault(int(record["day"]), []).append(record)
    return by_day
