"""What the phases ask of the situation: whose ground, who is cut off, what is worth taking.

The answers are cached until a phase changes the state they rest on. Those
about where units stand are kept in `_situation`, which the model clears
between phases (not between command and movement: orders change no ground and
no presence). Those about ground alone - who holds what, who fights whom - are
kept in `_ground` from phase to phase and day to day, until a place changes
hands, a relation or truce changes, or the parameters are replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wargame import control, economy
from wargame.scenario import PlaceKind

if TYPE_CHECKING:
    import numpy as np

ADJACENT_THREAT_WEIGHT = 0.25  # judgement: enemies one road away count a quarter in a defence


class Holdings(dict[str, str | None]):
    """Who holds each place: a dict that counts its changes, so answers about ground can be kept."""

    changes = 0

    def __setitem__(self, place: str, holder: str | None) -> None:
        self.changes += 1
        super().__setitem__(place, holder)

    def __delitem__(self, place: str) -> None:
        self.changes += 1
        super().__delitem__(place)

    def update(self, *args, **kwargs) -> None:
        self.changes += 1
        super().update(*args, **kwargs)


class Situation:
    """Mixin of ConflictModel: queries about the current state of the theatre."""

    _situation: dict[tuple, Any]
    _ground: dict[tuple, Any]
    _ground_changes = -1
    _ground_parameters: Any = None
    controller: Holdings
    _strategic_worths: tuple[Any, dict[str, float]] | None = None

    def _situation_of(self, key: tuple, compute):
        try:
            return self._situation[key]
        except KeyError:
            value = self._situation[key] = compute()
            return value

    def _ground_of(self, key: tuple, compute):
        if (
            self.controller.changes != self._ground_changes
            or self.parameters is not self._ground_parameters
        ):
            self._ground.clear()
            self._ground_changes, self._ground_parameters = self.controller.changes, self.parameters
        try:
            return self._ground[key]
        except KeyError:
            value = self._ground[key] = compute()
            return value

    def allies_of(self, faction: str) -> frozenset[str]:
        """The faction and its allies."""
        return self._ground_of(
            ("allies", faction),
            lambda: frozenset(f for f in self.factions if self.allied(faction, f)),
        )

    def enemies_of(self, faction: str) -> frozenset[str]:
        """Factions the faction fights today."""
        return self._ground_of(
            ("enemies of", faction),
            lambda: frozenset(f for f in self.factions if self.hostile(faction, f)),
        )

    def friendly_ground(self, faction: str) -> frozenset[str]:
        """Places held by the faction or by its allies."""
        return self._ground_of(
            ("friendly", faction), lambda: self._held_by(self.allies_of(faction))
        )

    def hostile_ground(self, faction: str) -> frozenset[str]:
        """Places held by a faction hostile to this one: routes avoid passing through them."""
        return self._ground_of(
            ("hostile", faction), lambda: self._held_by(self.enemies_of(faction))
        )

    def _held_by(self, factions: frozenset[str]) -> frozenset[str]:
        return frozenset(p for p, holder in self.controller.items() if holder in factions)

    def strength_at(self) -> dict[str, dict[str, float]]:
        """Soldiers per faction at each place (units on roads are at none)."""
        return self._situation_of(("presence",), lambda: control.armed_presence(self))

    def enemy_positions(self, faction: str) -> frozenset[str]:
        """Places where units hostile to the faction stand."""
        return self._situation_of(
            ("enemies", faction),
            lambda: self._where_present(self.enemies_of(faction)),
        )

    def _where_present(self, factions: frozenset[str]) -> frozenset[str]:
        return frozenset(
            p for p, present in self.strength_at().items() if not factions.isdisjoint(present)
        )

    def safe_ground(self, faction: str) -> frozenset[str]:
        """Friendly places with no hostile unit on them."""
        return self._situation_of(
            ("safe", faction), lambda: self.friendly_ground(faction) - self.enemy_positions(faction)
        )

    def enemy_ground(self, faction: str) -> frozenset[str]:
        """Places hostile factions hold or stand on: what a retreat keeps clear of.

        One object per phase, so the road searches of every broken unit of the
        faction share their cache entry.
        """
        return self._situation_of(
            ("enemy ground", faction),
            lambda: self.hostile_ground(faction) | self.enemy_positions(faction),
        )

    def ground_mask(self, ground: str, faction: str) -> np.ndarray:
        """`safe_ground`, `threatened_ground`... of a faction as a boolean array over places."""
        return self._situation_of(
            ("mask", ground, faction), lambda: self.routes.mask(getattr(self, ground)(faction))
        )

    def threatened_ground(self, faction: str) -> frozenset[str]:
        """Places with hostile units on them or one road away."""
        return self._situation_of(
            ("threatened", faction),
            lambda: frozenset(
                p
                for enemy_at in self.enemy_positions(faction)
                for p in [enemy_at, *(n for n, _ in self.routes.roads_from.get(enemy_at, []))]
            ),
        )

    def is_cut_off(self, faction: str, place: str) -> bool:
        """No road from `place` reaches friendly ground without passing through the enemy.

        Roads run both ways, so one search from all friendly ground answers
        the question for every place at once.
        """
        in_touch = self._ground_of(
            ("in touch", faction),
            lambda: self.routes.reachable_from_any(
                self.friendly_ground(faction), self.hostile_ground(faction)
            ),
        )
        return place not in in_touch

    def key_places(self, faction: str) -> frozenset[str]:
        """Places the faction holds that doctrine keeps a garrison in."""
        places = self.theatre.map.places
        threshold = self.parameters.key_town_population
        return self._ground_of(
            ("key", faction),
            lambda: frozenset(
                p
                for p, holder in self.controller.items()
                if holder == faction
                and (places[p].kind is not PlaceKind.TOWN or places[p].population >= threshold)
            ),
        )

    def starting_garrison(self, faction: str, place: str) -> int:
        """Soldiers the faction had at `place` on day 0."""
        return self._starting_garrisons.get((faction, place), 0)

    def start_holdings(self, faction: str) -> frozenset[str]:
        return self._start_holdings[faction]

    def home_range(self, faction: str) -> frozenset[str] | None:
        """Places within the doctrine's range of what the faction held at the start."""
        days = self.factions[faction].spec.doctrine.range_days
        if days is None:
            return None
        return self._ground_of(
            ("range", faction),
            lambda: frozenset(
                p
                for home in self._start_holdings[faction]
                for p, d in self.routes.reachable(home).items()
                if d <= days
            ),
        )

    def defence(self, faction: str, place: str) -> float:
        """Hostile soldiers an attacker on `place` would face, fortification included."""
        return self._situation_of(
            ("defence", faction, place), lambda: self._defence(faction, place)
        )

    def _defence(self, faction: str, place: str) -> float:
        presence = self.strength_at()
        enemies = self.enemies_of(faction)
        here = sum(s for f, s in presence.get(place, {}).items() if f in enemies)
        near = sum(
            s
            for n, _ in self.routes.roads_from[place]
            for f, s in presence.get(n, {}).items()
            if f in enemies
        )
        holder = self.controller.get(place)
        bonus = 1.0
        if holder in enemies:
            bonus += (
                self.parameters.fortification_bonus * self.theatre.map.places[place].fortification
            )
        return (here + ADJACENT_THREAT_WEIGHT * near) * bonus

    def threat(self, faction: str, place: str) -> float:
        """Soldiers needed to hold `place` against the hostile units on it and one road away."""
        return self._situation_of(("threat", faction, place), lambda: self._threat(faction, place))

    def _threat(self, faction: str, place: str) -> float:
        presence = self.strength_at()
        hostile = self.enemies_of(faction)
        nearby = [place] + [n for n, _ in self.routes.roads_from[place]]
        enemies = sum(s for p in nearby for f, s in presence.get(p, {}).items() if f in hostile)
        fortification = self.theatre.map.places[place].fortification
        return enemies / (1.0 + self.parameters.fortification_bonus * fortification) ** 0.5

    def revenue_per_day(self, place: str) -> float:
        """US$ a place yields its controller per day: mine output at today's price, and trade."""
        worth = economy.mine_revenue(self, place)
        if self.theatre.map.places[place].kind is PlaceKind.BORDER_POST:
            worth += economy.trade_revenue(self, place)
        return worth

    def revenue_worths(self) -> dict[str, float]:
        """Each home place's revenue on a 0-1 scale (the richest is 1), once per phase."""

        def worths() -> dict[str, float]:
            per_day = {p: self.revenue_per_day(p) for p in self.controller}
            richest = max(per_day.values()) or 1.0
            return {p: revenue / richest for p, revenue in per_day.items()}

        return self._situation_of(("revenue worths",), worths)

    def strategic_worths(self) -> dict[str, float]:
        """`strategic_worth` of every home place: fixed while the parameters are."""
        kept = self._strategic_worths
        if kept is None or kept[0] is not self.parameters:
            kept = (self.parameters, {p: self.strategic_worth(p) for p in self.controller})
            self._strategic_worths = kept
        return kept[1]

    def strategic_worth(self, place: str) -> float:
        spec = self.theatre.map.places[place]
        worth = getattr(self.parameters, f"worth_{spec.kind.value}")
        if spec.kind is PlaceKind.TOWN:
            worth += 0.3 * min(spec.population / 100_000, 1.0)
        return worth
