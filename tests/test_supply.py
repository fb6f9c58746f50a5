"""Supply, sieges, surrender and handover, against hand-worked cases on a small theatre.

Red's base Alpha - Bravo - Charlie - Delta, all by road. Red holds Charlie with
1,000 soldiers; Bravo, on its one road home, is held by Blue (hostile), Green
(neutral) or nobody. Commanders give no orders and combat is deterministic, so
every number below follows from the supply rules alone.
"""

from pathlib import Path

import pytest
from invariants import check_day, starting_counts
from theatres import passive_model, place, road, write_theatre

from wargame import ConflictModel
from wargame.engine.agents import Transit, Unit
from wargame.engine.events import EventKind
from wargame.engine.posture import Posture
from wargame.phases import supply
from wargame.phases.command import Job
from wargame.scenario import ScenarioError

NEUTRAL = {"red": {"blue": -1.0, "green": 0.0}, "green": {"red": 0.0, "blue": 0.0}}


def siege_theatre(
    folder: Path,
    bravo: str | None = "blue",
    besieger: bool = False,
    tables: str = "",
    assault: bool = False,
    **parameters: object,
) -> Path:
    """Charlie (fortification 0.5) held by Red; Bravo held by `bravo`; with `besieger`, 500
    Blue soldiers stand at Delta, one road from Charlie; with `assault`, 300 more stand on
    Charlie itself and fight its garrison."""
    features = [
        place("alpha", 97.0, 25.0, "base", population=1000),
        place("bravo", 97.3, 25.0, "town", population=1000),
        place("charlie", 97.6, 25.0, "town", population=1000, fortification=0.5),
        place("delta", 97.9, 25.0, "town", population=1000),
        road("alpha", "bravo", "road", 40.0),
        road("bravo", "charlie", "road", 40.0),
        road("charlie", "delta", "road", 40.0),
    ]
    control = {"alpha": "red", "charlie": "red", "delta": "blue"}
    if bravo is not None:
        control["bravo"] = bravo
    units = [{"faction": "red", "place": "charlie", "strength": 1000}]
    if besieger:
        units.append({"faction": "blue", "place": "delta", "strength": 500})
    if assault:
        units.append({"faction": "blue", "place": "charlie", "strength": 300})
    return write_theatre(
        folder,
        features=features,
        control=control,
        units=units,
        factions=["red", "blue", "green"],
        faction_overrides={f: {"relations": r} for f, r in NEUTRAL.items()},
        tables=tables,
        parameters={
            "combat_mode": "deterministic",
            "broker_pressure": 0.0,
            "recruits_per_base_per_day": 0,
            "supply_stock_days": 0,
            "supply_attrition_per_day": 0.01,
            "morale_unsupplied_per_day": 0.05,
            "siege_wear_per_day": 0.02,
            **parameters,
        },
    )


def garrison(model: ConflictModel) -> float:
    return sum(u.strength for u in model.units if u.faction == "red")


def test_a_unit_cut_off_loses_exactly_the_stated_share_a_day(tmp_path):
    model = passive_model(siege_theatre(tmp_path))
    (unit,) = [u for u in model.units if u.faction == "red"]
    model.step()
    assert unit.strength == pytest.approx(990.0)
    assert unit.morale == pytest.approx(0.8 - 0.05)  # and no rest while cut off
    model.step()
    assert unit.strength == pytest.approx(980.1)
    assert model.factions["red"].killed == pytest.approx(19.9)
    series = model.series()
    assert series["red_unsupplied"].tolist() == [0, 1000, 990]
    assert series["red_starved"].tolist() == pytest.approx([0, 10, 19.9])  # all of the killed


def on_the_road(model, origin: str, destination: str, strength: float = 100.0):
    """A Red unit halfway along the road from `origin` to `destination` (40 km), bound for
    `destination` (a theatre with roads of 1 km a day keeps it on the road for days)."""
    unit = Unit(model, "red", strength, origin)
    unit.transit, unit.route = Transit(origin, destination, 40.0, 20.0), [destination]
    unit.stand_at(None)
    return unit


def test_a_column_on_a_road_from_supplied_ground_is_supplied_and_one_cut_off_wastes(tmp_path):
    """On the road from Red's base Alpha, or back to it, a column is supplied; on the road
    from cut-off Charlie to Blue's Delta it is not, and loses the stated share a day, as at a place
    (no stocks here) - its soldiers counted unsupplied and, once lost, starved."""
    slow = {f"speed_{kind}_km_per_day": 1.0 for kind in ("highway", "road", "track")}
    model = passive_model(siege_theatre(tmp_path, **slow))
    home = on_the_road(model, "alpha", "bravo")
    homeward = on_the_road(model, "bravo", "alpha")
    beyond = on_the_road(model, "charlie", "delta")
    model.step()
    for supplied in (home, homeward):  # either end of the road joins it to a source
        assert supplied.strength == 100.0 and supplied.unique_id not in model.out_of_stocks
    assert beyond.strength == pytest.approx(99.0) and beyond.morale == pytest.approx(0.75)
    assert model.unsupplied["red"] == pytest.approx(1000 + 100)
    model.step()
    assert beyond.strength == pytest.approx(98.01)
    assert model.factions["red"].starved == pytest.approx(10 + 9.9 + 1 + 0.99)


def test_a_column_wasted_away_on_a_road_is_said_to_be_there(tmp_path):
    """All its soldiers lost in a day (a rate of 1): the event names its road, not a place."""
    slow = {f"speed_{kind}_km_per_day": 1.0 for kind in ("highway", "road", "track")}
    model = passive_model(siege_theatre(tmp_path, supply_attrition_per_day=1.0, **slow))
    column = on_the_road(model, "charlie", "delta")
    model.step()
    texts = [e.text for e in model.events.of_kind(EventKind.DESTROYED)]
    assert f"{column.name} wasted away, cut off on the road from Charlie to Delta" in texts


def test_stocks_hold_off_the_waste_for_the_stated_days(tmp_path):
    model = passive_model(siege_theatre(tmp_path, supply_stock_days=3))
    model.run(3)
    assert garrison(model) == 1000
    model.step()
    assert garrison(model) == pytest.approx(990.0)


@pytest.mark.parametrize("bravo", ["green", None])
def test_a_garrison_reached_through_neutral_or_empty_ground_is_supplied(tmp_path, bravo):
    model = passive_model(siege_theatre(tmp_path, bravo=bravo))
    assert "charlie" in supply.supplied_ground(model, "red")
    model.run(5)
    assert garrison(model) == 1000
    assert model.series()["red_unsupplied"].max() == 0


def test_a_garrison_reached_only_through_enemy_ground_is_not(tmp_path):
    model = passive_model(siege_theatre(tmp_path))
    assert "charlie" not in supply.supplied_ground(model, "red")
    assert "alpha" in supply.supplied_ground(model, "red")


def lift(soldiers: int) -> str:
    return f'[[lift]]\nfaction = "red"\nplaces = ["charlie"]\nsoldiers = {soldiers}\n'


def test_a_lift_supplies_a_named_place_up_to_its_capacity(tmp_path):
    # 600 of the 1,000 are lifted: the other 400 waste at 1% a day, 4 soldiers
    model = passive_model(siege_theatre(tmp_path / "part", tables=lift(600)))
    model.step()
    assert garrison(model) == pytest.approx(996.0)
    assert model.series()["red_unsupplied"].iloc[-1] == 400
    whole = passive_model(siege_theatre(tmp_path / "whole", tables=lift(1000)))
    whole.run(5)
    assert garrison(whole) == 1000
    doubled = passive_model(
        siege_theatre(tmp_path / "doubled", tables=lift(600)), {"lift_capacity_scale": 2.0}
    )
    doubled.run(5)
    assert garrison(doubled) == 1000


def fought_days(model: ConflictModel, days: int, place: str) -> int:
    """Run `days` days; on how many of them `place` was fought over."""
    fought = 0
    for _ in range(days):
        model.step()
        fought += any(battle.place == place for battle in model.battles)
    return fought


def test_a_siege_wears_fortification_at_the_stated_rate_on_the_days_it_is_fought(tmp_path):
    model = passive_model(siege_theatre(tmp_path, assault=True, surrender_morale=0.0))
    fought = fought_days(model, 10, "charlie")
    assert 0 < fought < 10  # the assault breaks off after some days: the walls stay after
    assert model.fortification("charlie") == pytest.approx(0.5 - fought * 0.02)
    assert model.walls_worn() == pytest.approx(fought * 0.02)


def test_siege_wear_stops_at_bare_walls(tmp_path):
    theatre = siege_theatre(tmp_path, assault=True, surrender_morale=0.0, siege_wear_per_day=0.2)
    model = passive_model(theatre)
    assert fought_days(model, 10, "charlie") * 0.2 > 0.5
    assert model.fortification("charlie") == 0.0  # never below nothing
    assert model.series()["walls_worn"].iloc[-1] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("bravo", "besieger", "assault"),
    [("blue", False, False), ("green", True, True), ("blue", True, False)],
    ids=["encircled, no enemy", "a fight, not encircled", "encircled, a ring that waits"],
)
def test_no_wear_without_encirclement_and_a_fight(tmp_path, bravo, besieger, assault):
    model = passive_model(siege_theatre(tmp_path, bravo=bravo, besieger=besieger, assault=assault))
    assert (fought_days(model, 10, "charlie") > 0) == assault
    assert model.fortification("charlie") == 0.5


def test_a_broken_encircled_garrison_surrenders_and_the_ledger_conserves(tmp_path):
    model = passive_model(siege_theatre(tmp_path, besieger=True))
    start, people = starting_counts(model)
    for unit in model.units:
        if unit.faction == "red":
            unit.morale = 0.1  # below surrender_morale (0.2)
    model.step()
    check_day(model, start, people)
    red = model.factions["red"]
    assert (red.captured, garrison(model)) == (1000, 0)
    assert model.controller["charlie"] == "blue"  # the besieger, one road away, takes it
    (event,) = model.events.of_kind(EventKind.SURRENDER)
    assert event.factions == ("red", "blue")
    assert model.summary()["factions"]["red"]["captured"] == 1000


def test_a_broken_force_in_the_enemys_town_is_no_garrison_and_does_not_surrender(tmp_path):
    """Charlie turns Blue's: Red's 1,000 there, broken and cut off with Blue one road away,
    are attackers in the enemy's town, not its garrison. With no way out (Bravo and Delta
    are Blue's) they stay, broken, and neither surrender nor, beaten, take the town."""
    model = passive_model(siege_theatre(tmp_path, besieger=True))
    model.set_holder("charlie", "blue")
    (red,) = [u for u in model.units if u.faction == "red"]
    red.morale = 0.1
    model.run(8)
    assert model.factions["red"].captured == 0
    assert model.events.of_kind(EventKind.SURRENDER) == []
    assert red.posture is Posture.WITHDRAW and model.controller["charlie"] == "blue"


def doctrine_siege(
    folder: Path, job: Job, stocks: int = 1, **parameters: object
) -> tuple[ConflictModel, object]:
    """Siege_theatre under the doctrine AI, with `stocks` days of supply stocks, Delta Red's
    too, and Red's one unit given `job` (a garrison's home: Charlie); the unit."""
    model = ConflictModel(siege_theatre(folder, supply_stock_days=stocks, **parameters))
    model.set_holder("delta", "red")  # Charlie and Delta: a pocket, no enclave of one place
    (unit,) = [u for u in model.units if u.faction == "red"]
    commander = model.factions["red"].commander
    commander.jobs[unit.unique_id], unit.job = job, job.value
    if job is Job.GARRISON:
        commander.homes[unit.unique_id] = "charlie"
    return model, unit


@pytest.mark.parametrize(("stocks", "leaves_on"), [(1, 3), (4, 6)])
def test_a_field_force_past_its_stocks_breaks_out_to_supplied_ground(tmp_path, stocks, leaves_on):
    """Red's reserve at Charlie, cut off by Blue's Bravo, holds there while its stocks last
    (it is cut off from day 1, past them on day stocks + 1); the next day its commander sends
    it to Alpha, Red's base and the nearest supplied place, by the one road there."""
    model, unit = doctrine_siege(tmp_path, Job.RESERVE, stocks)
    model.run(leaves_on - 1)
    assert unit.unique_id in model.out_of_stocks
    assert unit.place == "charlie" and unit.objective == "charlie"
    model.step()
    assert unit.objective == "alpha" and unit.posture is Posture.HOLD


def test_a_garrison_at_home_past_its_stocks_holds_out(tmp_path):
    """The same unit as the garrison of Charlie, a key place here (a town of 1,000 with
    `key_town_population` 500), stays to be besieged."""
    model, unit = doctrine_siege(tmp_path, Job.GARRISON, key_town_population=500)
    model.run(5)
    assert unit.unique_id in model.out_of_stocks
    assert unit.place == "charlie" and unit.objective in (None, "charlie")


def test_a_garrison_with_morale_left_holds_out_and_wastes(tmp_path):
    model = passive_model(siege_theatre(tmp_path, besieger=True), {"surrender_morale": 0.0})
    for unit in model.units:
        unit.morale = 0.1
    model.run(3)
    assert model.factions["red"].captured == 0
    assert model.controller["charlie"] == "red"


def test_a_named_neutral_takes_the_place_over_instead_of_the_besieger(tmp_path):
    handover = '[[handover]]\nplace = "charlie"\nfaction = "green"\n'
    model = passive_model(siege_theatre(tmp_path, besieger=True, tables=handover))
    start, people = starting_counts(model)
    for unit in model.units:
        if unit.faction == "red":
            unit.morale = 0.1
    model.run(4)
    check_day(model, start, people)
    assert model.factions["red"].captured == 1000
    assert model.controller["charlie"] == "green"  # and Blue, not at war with Green, leaves it
    (capture,) = model.events.of_kind(EventKind.CAPTURE)
    assert "by agreement" in capture.text


@pytest.mark.parametrize(
    ("tables", "key", "words"),
    [
        (lift(10).replace("charlie", "nowhere"), "lift[0].places", "not on the map"),
        (lift(10).replace('"red"', '"purple"'), "lift[0].faction", "unknown faction"),
        ('[[handover]]\nplace = "charlie"\nfaction = "green"\n' * 2, "handover[1]", "twice"),
        ('[[depot]]\nfaction = "red"\nplaces = ["zulu"]\n', "depot[0].places", "not on the map"),
    ],
)
def test_bad_supply_data_names_its_place_in_the_file(tmp_path, tables, key, words):
    with pytest.raises(ScenarioError, match=words) as error:
        ConflictModel(siege_theatre(tmp_path, tables=tables))
    assert key in str(error.value)
