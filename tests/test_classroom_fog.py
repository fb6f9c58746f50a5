"""A team's page under fog, rendered by Solara without a browser: it is given only what its side
may know - its own units and tallies, enemies only where it sees them today, and the events of
the places it saw on the day they happened, kept for good."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass

import ipyvuetify as v
import pandas as pd
import pytest
import solara
import solara.widgets

from wargame.apps.classroom import app
from wargame.apps.classroom.game import GameSetup, Injection, replay_to_day
from wargame.apps.classroom.rooms import Classroom
from wargame.apps.viewer.chart_widget import ChartWidget, option_json
from wargame.apps.viewer.map_view import MapWidget
from wargame.drawing.charts import campaign_charts, ceasefire_periods
from wargame.drawing.map_state import MapState, faction_label, ground_point
from wargame.engine.measures import summary

# Seed 1 with the NDA-K played by a team for 14 weeks: the NDA-K sees places whose history it
# did not see, loses sight of places it did, and sees something happen (since civilians flee
# by chance, not whole towns at once, nothing does in its sight in the first ten weeks).
NDAK = GameSetup(theatre="kachin", seed=1, humans=["ndak"], turn_days=7, turns=14)


@pytest.fixture
def room(tmp_path, monkeypatch):
    """A classroom server of one room; returns (classroom, code, umpire key)."""
    classroom = Classroom(tmp_path / "classroom.sqlite")
    monkeypatch.setattr(app, "_classroom", classroom)

    def open_room(setup: GameSetup) -> tuple[Classroom, str, str]:
        code, key = classroom.create_room(setup)
        return classroom, code, key

    return open_room


@pytest.fixture
def map_states(monkeypatch) -> list[tuple[MapState, dict]]:
    """Every state a page's map is made from, with the map data (`day_option`) made of it and
    sent to the browser, in order."""
    given: list[tuple[MapState, dict]] = []
    made = app.day_option

    def kept(theatre, state: MapState, *args, **kwargs) -> dict:
        option = made(theatre, state, *args, **kwargs)
        given.append((state, json.loads(option_json(option))))
        return option

    monkeypatch.setattr(app, "day_option", kept)
    return given


def each_turn(token: str, turns: int):
    """The team's page at the start of each turn and at the end, as a reload shows it; between
    two, the team sends its orders (every unit holds) from the page, which runs the turn."""
    for turn in range(turns + 1):
        _, rc = solara.render(app.TeamPage(token), handle_error=False)
        yield rc
        if turn < turns:
            rc.find(v.Btn, children=["Send orders"]).widget.click()
        rc.close()


def shown_day(rc) -> int:
    heading = next(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    return int(re.search(r"Day (\d+)", heading).group(1))


def shown_events(rc) -> list[str]:
    """The page's event list, newest first, as the sentences shown."""
    (story,) = [
        w
        for w in rc.find(solara.widgets.HTML).widgets
        if "wargame-story" in (w.attributes or {}).get("class", "")
    ]
    items = re.findall(r"<li>(.*?)</li>", story.unsafe_innerHTML)
    return [html.unescape(item) for item in items if item != "Nothing yet."]


def legend(option: dict) -> list[str]:
    """The factions' lines of the map's legend, as sent to the browser."""
    return option["legend"]["data"]


def event_day(sentence: str) -> int:
    return int(re.match(r"Day (\d+):", sentence).group(1))


# Soldiers flee abroad only when cut off from all their side's ground: a game (its seed) in
# which some of the Tatmadaw's do so within its 98 days. The seed is the set-up, not the
# check: when the model changes, pick one whose game still has an enemy tally to hide.
INTERNING = NDAK.model_copy(update={"seed": 5, "turn_days": 14})


def test_a_teams_legend_counts_only_its_own_interned_soldiers(room, map_states):
    classroom, code, _ = room(INTERNING)
    seat = classroom.join(code, "Team N", "ndak")
    model = classroom.game(code).model
    others = [f.short_name for f in model.factions.values() if f.id != "ndak"]
    enemy_interned = 0
    for _ in each_turn(seat.token, INTERNING.turns):
        labels = legend(map_states[-1][1])
        told = [x for x in labels if any(x.startswith(name) for name in others)]
        assert told == others, f"day {model.day}: the NDA-K's legend tells another's tally: {told}"
        enemy_interned = max(enemy_interned, model.factions["tatmadaw"].interned)
    assert enemy_interned > 0  # there was an enemy tally to hide


def test_a_side_keeps_the_events_it_saw_and_learns_no_history(room):
    classroom, code, _ = room(NDAK)
    seat = classroom.join(code, "Team N", "ndak")
    shown_before, day_before = set(), 0
    for rc in each_turn(seat.token, NDAK.turns):
        shown = shown_events(rc)
        assert len(shown) < 40, "the page lists its last 40 events: this game must show all"
        gone = shown_before - set(shown)
        assert not gone, f"day {shown_day(rc)}: events seen before vanished: {sorted(gone)}"
        history = [e for e in shown if e not in shown_before and event_day(e) <= day_before]
        assert not history, (
            f"day {shown_day(rc)}: events of day {day_before} or before, not shown on day "
            f"{day_before}, appeared later: {history}"
        )
        shown_before, day_before = set(shown), shown_day(rc)
    assert shown_before  # the side saw something


# --- everything a page is given, against what its side may know -------------------------------

# a game that puts the fog to the test (see the last asserts below): its seed, length and
# umpire's turns are the set-up, chosen so that it does; when the model changes, pick again
TWO_TEAMS = GameSetup(theatre="kachin", seed=4, humans=["ndak", "tatmadaw"], turn_days=14, turns=6)
UNIT = r"<span class='wargame-unit'>(.*?)</span>"  # a unit's name in the page's list of units
EVENTS_LISTED = 40  # a page lists its side's latest 40 events
LAST_DAY = TWO_TEAMS.turns * TWO_TEAMS.turn_days
MARCH = 2  # the turn each team sends a unit to where most happened out of its sight
UMPIRE = {  # before the turn of this index: news, then a ceasefire the NDA-K is no party to
    1: Injection(kind="price", commodity="rare_earth", price=70_000.0),
    3: Injection(kind="close_border"),
    4: Injection(kind="ceasefire", factions=("kia", "tatmadaw")),
}


@dataclass
class Given:
    """What one team's page was given on one day."""

    day: int
    map: MapState
    legend: list[str]
    charts: list[dict]
    events: list[str]
    units: list[str]
    """Its own units, as the page lists them."""
    orders: bool
    """Whether the page takes orders."""


def read_page(rc, map_states) -> Given:
    state, option = map_states[-1]
    (drawn,) = rc.find(MapWidget).widgets
    assert json.loads(drawn.option) == option  # the page sends its map that state's data alone
    (listed,) = [
        w.unsafe_innerHTML
        for w in rc.find(solara.widgets.HTML).widgets
        if "wargame-units" in (w.attributes or {}).get("class", "")
    ]
    return Given(
        day=shown_day(rc),
        map=state,
        legend=legend(option)[: len(state.labels)],
        charts=[json.loads(w.option) for w in rc.find(ChartWidget).widgets],
        events=shown_events(rc),
        units=[html.unescape(name) for name in re.findall(UNIT, listed)],
        orders=bool(rc.find(v.Btn, children=["Send orders"]).widgets),
    )


def march(rc, model, faction: str) -> None:
    """Order the side's first unit at a place, on its page, to the place it can reach where
    most has happened out of the side's sight: it will see that place, not its history."""
    unit = next(u for u in model.units if u.faction == faction and u.place is not None)
    seen = may_see(model, faction)
    happened = Counter(e.place for e in model.events if e.place and e.place not in seen)
    units = rc.find(v.Select, label="Units").widget
    units.v_model = [next(x for x in units.items if x.startswith(f"{unit.name} ("))]
    goes = rc.find(v.Select, label="Go to").widget
    places = model.theatre.map.places
    by_name = {n: p for p in places for n in (model.place_name(p), f"{model.place_name(p)} ({p})")}
    goes.v_model = max(goes.items[1:], key=lambda name: happened[by_name[name]])
    rc.find(v.Btn, children=["Add order"]).widget.click()


def play(classroom, code: str, key: str, map_states) -> dict[str, list[Given]]:
    """Both teams play the game from their pages; what each page was given, turn by turn."""
    seats = {f: classroom.join(code, f"Team {f}", f) for f in TWO_TEAMS.humans}
    given: dict[str, list[Given]] = {f: [] for f in seats}
    for turn in range(TWO_TEAMS.turns + 1):
        pages = {}
        for faction, seat in seats.items():
            _, pages[faction] = solara.render(app.TeamPage(seat.token), handle_error=False)
            given[faction].append(read_page(pages[faction], map_states))
            if turn == MARCH:
                march(pages[faction], classroom.game(code).model, faction)
        if turn in UMPIRE:
            classroom.inject(code, key, UMPIRE[turn])
        for rc in pages.values():
            if turn < TWO_TEAMS.turns:
                rc.find(v.Btn, children=["Send orders"]).widget.click()
            rc.close()
    return given


def may_see(model, faction: str) -> set[str]:
    """The fog's rule, stated again: own ground, own units' places and roads' ends, one road on."""
    own = {p for p, holder in model.controller.items() if holder == faction}
    for unit in model.units:
        if unit.faction == faction:
            own |= ends(unit)
    return own | {n for p in own for n in model.grid.G.neighbors(p)}


def ends(unit) -> set[str]:
    """Its place, or both ends of the road it is on."""
    return {unit.place} if unit.transit is None else {unit.transit.origin, unit.transit.destination}


def check_map(page: Given, model, faction: str, seen: set[str]) -> int:
    """Today's sight, its holders and fights, the units there and its own interned soldiers;
    returns how many units it did not see."""
    where = f"{faction}, day {page.day}"
    assert page.map.holders == {p: model.controller.get(p) for p in seen}, where
    assert page.map.contested == model.contested & seen, where
    units = [u for u in model.units if u.faction == faction or ends(u) & seen]
    places = model.theatre.map.places
    marks = [(*ground_point(places, u.place, u.transit), u.strength, u.faction) for u in units]
    assert sorted(page.map.units) == sorted(marks), where
    interned = {(s, f, n) for (s, f), n in model.interned_at.items() if f == faction}
    assert set(page.map.interned) == interned, where
    assert sorted(page.units) == sorted(u.name for u in model.units if u.faction == faction), where
    assert page.orders is (page.day < LAST_DAY), where  # then, no more orders
    return len(model.units) - len(units)


def check_legend(page: Given, model, faction: str) -> None:
    """Every faction's name; its own alone with its tally."""
    tally = model.factions[faction].interned
    told = [
        faction_label(f.short_name, tally if f.id == faction else 0)
        for f in model.factions.values()
    ]
    assert page.legend == told == list(page.map.labels), f"{faction}, day {page.day}"


def check_charts(page: Given, days: list, faction: str) -> None:
    """Its own lines, the ceasefires it is party to, nobody's civilians."""
    where = f"{faction}, day {page.day}"
    own = {
        line.label: line.values.tolist()
        for chart in campaign_charts(days[page.day]).values()
        for line in chart.lines
        if line.faction == faction
    }
    series = {s["name"]: [y for _, y in s["data"]] for c in page.charts for s in c["series"]}
    assert series == own, where
    truce = [sum(faction in pair for pair in d.truces) for d in days[: page.day + 1]]
    periods = ceasefire_periods(
        pd.DataFrame({"day": range(page.day + 1), "ceasefires_active": truce})
    )
    for chart in page.charts:
        bands = [s.get("markArea", {}).get("data", []) for s in chart["series"][:1]]
        shown = [(a["xAxis"] + 0.5, b["xAxis"] - 0.5) for band in bands for a, b in band]
        assert shown == ([] if not chart["series"] else periods), where


def test_everything_a_teams_page_is_given_is_what_its_side_may_know(room, map_states):
    classroom, code, key = room(TWO_TEAMS)
    given = play(classroom, code, key, map_states)
    game = classroom.game(code)
    days = [replay_to_day(TWO_TEAMS, game.record, day) for day in range(game.model.day + 1)]
    assert summary(days[-1]) == summary(game.model)  # the replays are the game's days
    hidden_history = kept_out_of_sight = enemies_hidden = 0
    for faction, pages in given.items():
        sight = [may_see(model, faction) for model in days]

        def knows(event, faction=faction, sight=sight) -> bool:
            """A party to it, news for everyone, or at a place seen on its day (dawn or dusk)."""
            if faction in event.factions or (event.place is None and not event.factions):
                return True
            return event.place in sight[event.day] | sight[max(event.day - 1, 0)]

        for page in pages:
            model, seen = days[page.day], sight[page.day]
            enemies_hidden += check_map(page, model, faction, seen)
            check_legend(page, model, faction)
            check_charts(page, days, faction)
            learned = [e.sentence for e in model.events if knows(e)]
            assert page.events == learned[-EVENTS_LISTED:][::-1], f"{faction}, day {page.day}"
            hidden_history += sum(not knows(e) and e.place in seen for e in model.events)
            kept_out_of_sight += sum(
                knows(e) and e.place is not None and e.place not in seen for e in model.events
            )
    # the game put the fog to the test: there was something to hide and something to keep
    assert hidden_history, "no event of a place seen later happened out of its sight"
    assert kept_out_of_sight, "no side lost sight of a place where it had seen an event"
    assert enemies_hidden, "no enemy unit was out of sight"
    # the NDA-K's tally for the Tatmadaw's page to hide: the NDA-K, at peace with the KIA
    # until the KIA takes the junta's places next to its own, is routed and flees abroad
    # within the game's twelve weeks; the KIA-Tatmadaw truce comes after
    assert days[-1].factions["ndak"].interned
    assert any(("kia", "tatmadaw") in d.truces for d in days)  # no NDA-K business
