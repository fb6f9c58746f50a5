"""One classroom game: a model whose human factions wait for their teams' orders each turn.

The game's record (its set-up, each turn's orders and the umpire's
injections) is all it takes to rebuild it: the seed fixes every random draw,
so replaying the record reaches the same state. That is how a server restart
resumes a game, and how a finished game is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wargame.apps.classroom.fog import SideKnowledge
from wargame.apps.classroom.team import OrderError, TeamCommander, TurnOrders, check_orders
from wargame.engine.events import EventKind
from wargame.engine.model import ConflictModel, build_model
from wargame.scenario.parameters import PRICE_MAX
from wargame.seeds import Seed

MAX_GAME_DAYS = 730
"""Turns x days per turn, at most: two years of campaign, longer than a class plays. A record
is replayed on the server when it is opened; the longest takes about a second (Kachin)."""


class GameSetup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    theatre: str
    seed: Seed = 7
    humans: list[str] = Field(min_length=1)
    turn_days: int = Field(default=7, ge=1, le=60)
    turns: int = Field(default=10, ge=1, le=100)
    parameters: dict[str, bool | int | float | str] = {}
    exercise: str | None = None
    turn_minutes: float | None = Field(
        default=None, gt=0, description="a timed turn runs when its time is up"
    )

    @model_validator(mode="after")
    def _not_too_long(self) -> GameSetup:
        if self.turns * self.turn_days > MAX_GAME_DAYS:
            raise ValueError(
                f"{self.turns} turns of {self.turn_days} days is {self.turns * self.turn_days} "
                f"days; a game lasts at most {MAX_GAME_DAYS}"
            )
        return self


class Injection(BaseModel):
    """An event the umpire puts into the game at the start of the next turn: the broker
    closes its crossings, a ceasefire is offered, or a commodity's price moves."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["close_border", "ceasefire", "price"]
    factions: tuple[str, str] | None = None
    commodity: str | None = None
    price: float | None = Field(default=None, ge=0.0, le=PRICE_MAX)


class TurnRecord(BaseModel):
    """One played turn as a game record keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    turn: int = Field(ge=0)
    orders: dict[str, TurnOrders]
    injections: list[Injection] = []


class GameRecord(BaseModel):
    """A downloaded game: its set-up and the turns played, no more than the set-up has."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    setup: GameSetup
    turns: list[TurnRecord]

    @model_validator(mode="after")
    def _turns_of_this_game(self) -> GameRecord:
        if len(self.turns) > self.setup.turns:
            raise ValueError(
                f"{len(self.turns)} turns played; its set-up has {self.setup.turns} turns"
            )
        for index, turn in enumerate(self.turns):
            if turn.turn != index:
                raise ValueError(f"turns[{index}] is numbered {turn.turn}; expected {index}")
        return self


@dataclass
class Game:
    setup: GameSetup
    model: ConflictModel = field(init=False)
    commanders: dict[str, TeamCommander] = field(init=False)
    turn: int = 0
    submitted: dict[str, TurnOrders] = field(default_factory=dict)
    injections: list[Injection] = field(default_factory=list)
    record: list[dict] = field(default_factory=list)
    paused: bool = False
    """The umpire's pause: orders are taken, but the turn waits until the game resumes."""
    knowledge: dict[str, SideKnowledge] = field(init=False)
    """What each team's side has seen, by faction: all its page is built from (with today's
    sight). Replaying the record rebuilds it, as it rebuilds the model."""

    def __post_init__(self) -> None:
        self.commanders = {faction: TeamCommander() for faction in self.setup.humans}
        self.model = build_model(
            self.setup.theatre,
            self.setup.parameters,
            self.setup.seed,
            commanders=self.commanders,
        )
        unknown = set(self.setup.humans) - set(self.model.factions)
        if unknown:
            raise OrderError(f"no faction {', '.join(sorted(unknown))} in {self.setup.theatre}")
        self.knowledge = {faction: SideKnowledge(faction) for faction in self.setup.humans}
        self._observe()

    @property
    def finished(self) -> bool:
        return self.turn >= self.setup.turns

    def waiting_for(self) -> list[str]:
        return [f for f in self.setup.humans if f not in self.submitted]

    def submit(self, faction: str, orders: TurnOrders) -> bool:
        """Take a team's orders for this turn; runs the turn once every team has. True if it ran."""
        if self.finished:
            raise OrderError("the game is over")
        if faction not in self.commanders:
            raise OrderError(f"{faction} is not commanded by a team in this game")
        check_orders(self.model, faction, orders)
        self.submitted[faction] = orders
        return self.resume() if not self.paused else False

    def resume(self) -> bool:
        """Lift a pause; runs the turn if every team has sent its orders. True if it ran."""
        self.paused = False
        if self.waiting_for():
            return False
        self.advance()
        return True

    def inject(self, injection: Injection) -> None:
        if injection.factions and not set(injection.factions) <= set(self.model.factions):
            raise OrderError(f"unknown factions in {injection.factions}")
        if injection.kind == "close_border" and self.model.broker_name is None:
            raise OrderError("this theatre has no broker ([broker]) to close its crossings")
        commodities = self.model.theatre.commodities
        if injection.kind == "price" and (
            injection.commodity not in commodities or injection.price is None
        ):
            raise OrderError(
                f"a price needs a commodity of the theatre ({', '.join(commodities) or 'none'}) "
                f"and a price; got {injection.commodity!r} at {injection.price}"
            )
        self.injections.append(injection)

    def advance(self) -> None:
        """Run the turn: teams that did not submit hold; the umpire's injections apply first."""
        orders = {f: self.submitted.get(f, TurnOrders()) for f in self.setup.humans}
        for faction, given in orders.items():
            self.commanders[faction].start_turn(given)
        logged = len(self.model.events)
        for injection in self.injections:
            apply_injection(self.model, injection)
        for side in self.knowledge.values():  # the injects each team is told of
            side.hear(self.model.events[logged:])
        for _ in range(self.setup.turn_days):  # each side notes what it sees day by day
            self.model.step()
            self._observe()
        self.record.append(
            {
                "turn": self.turn,
                "orders": {f: o.model_dump(mode="json") for f, o in orders.items()},
                "injections": [i.model_dump(mode="json") for i in self.injections],
            }
        )
        self.turn += 1
        self.submitted, self.injections = {}, []

    def _observe(self) -> None:
        for side in self.knowledge.values():
            side.observe(self.model)

    @classmethod
    def replay(cls, setup: GameSetup, record: list[dict], upto: int | None = None) -> Game:
        """The game rebuilt from its record, to the end or to turn `upto`."""
        if len(record) > setup.turns:  # the work a record may ask for is bounded by its set-up
            raise OrderError(f"{len(record)} turns played; the set-up has {setup.turns} turns")
        game = cls(setup)
        for turn in record[:upto]:
            game.submitted = {f: TurnOrders.model_validate(o) for f, o in turn["orders"].items()}
            for faction, orders in game.submitted.items():  # a record from a file is checked too
                if faction not in game.commanders:
                    raise OrderError(f"turn {turn.get('turn')}: {faction} is not played by a team")
                check_orders(game.model, faction, orders)
            game.injections = [Injection.model_validate(i) for i in turn["injections"]]
            game.advance()
        return game


def replay_to_day(setup: GameSetup, record: list[dict], day: int) -> ConflictModel:
    """The game's model on `day`, for the after-action review: whole turns, then part of one."""
    turns, extra = divmod(day, setup.turn_days)
    game = Game.replay(setup, record, upto=turns)
    if extra and turns < len(record):
        turn = record[turns]
        for faction, orders in turn["orders"].items():
            game.commanders[faction].start_turn(TurnOrders.model_validate(orders))
        for injection in turn["injections"]:
            apply_injection(game.model, Injection.model_validate(injection))
        game.model.run(extra)
    return game.model


def apply_injection(model: ConflictModel, injection: Injection) -> None:
    if injection.kind == "close_border" and model.broker_name is not None:
        for crossing in model.broker_crossings:
            model.close_crossing(crossing)
        model.log(
            EventKind.BORDER, (), None, f"the umpire: {model.broker_name} closed every crossing"
        )
    elif injection.kind == "ceasefire" and injection.factions:
        pair = tuple(sorted(injection.factions))
        refusing = [f for f in pair if not model.factions[f].decides("accepts_ceasefire", True)]
        if refusing:  # an offer: a team that refuses the broker's offers this turn refuses it too
            model.log(
                EventKind.CEASEFIRE_REFUSED,
                pair,
                None,
                f"the umpire: {model.broker_name or 'a mediator'} offered a ceasefire; the "
                f"{model.factions[refusing[0]].short_name} refused",
            )
            return
        model.make_truce(*pair)
        names = " and the ".join(model.factions[f].short_name for f in pair)
        model.log(EventKind.CEASEFIRE, pair, None, f"the umpire: a ceasefire between the {names}")
    elif injection.kind == "price" and injection.commodity in model.theatre.commodities:
        prices = {**model.parameters.prices, injection.commodity: injection.price}
        model.parameters = model.parameters.model_copy(update={"prices": prices})
        name = model.theatre.commodities[injection.commodity].name
        model.log(
            EventKind.BORDER,
            (),
            None,
            f"the umpire: the {name} price moved to US${injection.price:,.0f} a tonne",
        )
