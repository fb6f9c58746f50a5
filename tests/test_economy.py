"""Economy: mines and trade pay their holders, patrons get their share, armies cost money."""

import pytest
from theatres import passive_model

from wargame import ConflictModel
from wargame.engine.agents import Trainees
from wargame.scenario import ScenarioError

PRICES = {
    "prices.rare_earth": 30_000.0,
    "mine_output_per_site": 0.4,
    "mine_tax_share": 0.1,
    "trade_share": 0.2,
    "recruits_per_base_per_day": 0,
}


def economy_model(theatre_dir, parameters=None, **kwargs):
    kwargs.setdefault("control", {"alpha": "red", "charlie": "red", "delta": "blue"})
    return passive_model(theatre_dir(**kwargs), {**PRICES, **(parameters or {})})


def test_a_mine_pays_its_holder_sites_times_output_times_price_times_tax(theatre_dir):
    model = economy_model(theatre_dir)
    model.step()
    red = model.factions["red"]
    assert red.income_today["mines"] == pytest.approx(50 * 0.4 * 30_000 * 0.1)
    assert red.commodity_income_total == {"rare_earth": pytest.approx(50 * 0.4 * 30_000 * 0.1)}
    model.run(9)
    assert model.summary()["factions"]["red"]["income_mines"] == pytest.approx(10 * 60_000)
    assert model.summary()["factions"]["red"]["income_rare_earth"] == pytest.approx(10 * 60_000)


def test_a_contested_mine_pays_nothing(theatre_dir):
    model = economy_model(
        theatre_dir,
        units=[
            {"faction": "red", "place": "charlie", "strength": 1000},
            {"faction": "blue", "place": "charlie", "strength": 1000},
        ],
    )
    model.step()
    assert "charlie" in model.contested
    assert model.factions["red"].income_today["mines"] == 0.0


def test_a_border_post_pays_a_share_of_its_trade_unless_the_crossing_is_closed(theatre_dir):
    model = economy_model(theatre_dir)
    model.step()
    assert model.factions["blue"].income_today["trade"] == pytest.approx(0.2 * 1000.0)
    model.close_crossing("delta")
    model.step()
    assert model.factions["blue"].income_today["trade"] == 0.0


def test_the_price_of_what_a_mine_yields_scales_its_income(theatre_dir):
    cheap = economy_model(theatre_dir, {"prices.rare_earth": 10_000.0})
    dear = economy_model(theatre_dir, {"prices.rare_earth": 40_000.0})
    cheap.step()
    dear.step()
    assert dear.factions["red"].income_today["mines"] == pytest.approx(
        4 * cheap.factions["red"].income_today["mines"]
    )


MINED = 50 * 0.4 * 30_000 * 0.1  # charlie's sites x output x price x tax, a day


def test_ore_the_broker_buys_earns_only_while_a_route_reaches_an_open_crossing(theatre_dir):
    """Red holds charlie's mine and delta, the crossing into China, which buys the ore: it
    earns while delta is open, nothing while China holds it closed, and again once it
    reopens. The mine itself is untouched throughout."""
    model = economy_model(
        theatre_dir, control={"alpha": "red", "charlie": "red", "delta": "red"}, buys=["rare_earth"]
    )
    red = model.factions["red"]
    model.step()
    assert red.income_today["mines"] == pytest.approx(MINED)
    model.close_crossing("delta")
    model.step()
    assert red.income_today["mines"] == 0.0
    assert red.commodity_income_total["rare_earth"] == pytest.approx(MINED)
    model.open_crossing("delta")
    model.step()
    assert red.income_today["mines"] == pytest.approx(MINED)


def test_a_broker_that_lets_its_ore_through_closed_crossings_stops_only_their_trade(
    theatre_dir,
):
    """The same mine and crossing, with China taking the ore it buys through the gates it
    has closed (as it let rare-earth trucks through Phimaw in November 2024): closing delta
    stops Red's trade there and leaves its mine's income whole, while refusing Red's ore
    (no tolerance at all, from the first day) stops that too."""
    control = {"alpha": "red", "charlie": "red", "delta": "red"}
    model = economy_model(
        theatre_dir, control=control, buys=["rare_earth"], ore_through_closed_crossings=True
    )
    red = model.factions["red"]
    model.step()
    assert red.income_today["trade"] == pytest.approx(0.2 * 1000.0)
    model.close_crossing("delta")
    model.step()
    assert red.income_today["mines"] == pytest.approx(MINED)
    assert red.income_today["trade"] == 0.0
    refused = economy_model(
        theatre_dir,
        {"ore_hold_tolerance": 0.0},
        control=control,
        buys=["rare_earth"],
        ore_through_closed_crossings=True,
    )
    refused.close_crossing("delta")
    refused.step()
    assert "red" in refused.ore_refused
    assert refused.factions["red"].income_today["mines"] == 0.0


def test_ore_through_closed_crossings_without_ore_bought_is_refused_naming_its_key(theatre_dir):
    folder = theatre_dir(ore_through_closed_crossings=True)
    with pytest.raises(ScenarioError, match="buys no ore to let through") as error:
        ConflictModel(folder)
    assert "broker.ore_through_closed_crossings" in str(error.value)
    assert str(folder / "setup.toml") in str(error.value)


def test_ore_cannot_pass_enemy_ground_to_its_buyer(theatre_dir):
    """The same mine with delta Blue's: the one crossing into China is enemy ground, so
    Red's ore reaches no buyer. Held by nobody, delta lets it through; a Blue unit
    standing there bars it again."""
    cut = economy_model(theatre_dir, buys=["rare_earth"])  # delta is Blue's
    cut.step()
    assert cut.factions["red"].income_today["mines"] == 0.0
    open_road = economy_model(
        theatre_dir, control={"alpha": "red", "charlie": "red"}, buys=["rare_earth"]
    )
    open_road.step()
    assert open_road.factions["red"].income_today["mines"] == pytest.approx(MINED)
    barred = economy_model(
        theatre_dir,
        control={"alpha": "red", "charlie": "red"},
        buys=["rare_earth"],
        units=[{"faction": "blue", "place": "delta", "strength": 100}],
    )
    barred.step()
    assert barred.factions["red"].income_today["mines"] == 0.0


def test_ore_sells_at_a_named_market_a_route_reaches(theatre_dir):
    """The ore's market is alpha, two roads from the mine through bravo; China buys it too,
    but its crossing at delta is closed, which is nothing to the market. Bravo held by
    nobody passes the ore; held by Blue it cuts the road."""
    control = {"alpha": "red", "charlie": "red", "delta": "red"}
    free = economy_model(
        theatre_dir, control=control, buys=["rare_earth"], markets={"rare_earth": ["alpha"]}
    )
    free.close_crossing("delta")
    free.step()
    assert free.factions["red"].income_today["mines"] == pytest.approx(MINED)
    cut = economy_model(
        theatre_dir, control=control | {"bravo": "blue"}, markets={"rare_earth": ["alpha"]}
    )
    cut.step()
    assert cut.factions["red"].income_today["mines"] == 0.0


def test_a_market_of_its_own_still_buys_ore_the_broker_refuses(theatre_dir):
    """Red's ore goes to China through delta and to a market at alpha: when China stops
    buying Red's ore (with no tolerance at all, from the first day) the market still pays;
    with no market the mine earns nothing."""
    control = {"alpha": "red", "charlie": "red", "delta": "red"}
    for markets, paid in (({"rare_earth": ["alpha"]}, MINED), ({}, 0.0)):
        model = economy_model(
            theatre_dir,
            {"ore_hold_tolerance": 0.0},
            control=control,
            buys=["rare_earth"],
            markets=markets,
        )
        model.step()
        assert "red" in model.ore_refused
        assert model.factions["red"].income_today["mines"] == pytest.approx(paid)


@pytest.mark.parametrize(
    ("market", "words"),
    [("zulu", "unknown place 'zulu': not on the map"), ("sanctum", "foreign sanctuary")],
)
def test_a_market_off_the_map_or_abroad_is_refused_naming_its_key(theatre_dir, market, words):
    folder = theatre_dir(markets={"rare_earth": [market]})
    with pytest.raises(ScenarioError, match=words) as error:
        ConflictModel(folder)
    assert "commodities.rare_earth.markets[0]" in str(error.value)
    assert str(folder / "setup.toml") in str(error.value)


def patron_theatre(theatre_dir, green_to_red: float):
    return economy_model(
        theatre_dir,
        {"patron_share": 0.25},
        factions=["red", "blue", "green"],
        control={"alpha": "red", "charlie": "green", "delta": "blue"},
        faction_overrides={
            "green": {"relations": {"red": green_to_red, "blue": -0.5}, "patron": "red"}
        },
    )


def test_an_allied_militia_passes_a_share_of_its_mine_revenue_to_its_patron(theatre_dir):
    model = patron_theatre(theatre_dir, green_to_red=0.5)
    model.step()
    mined = 50 * 0.4 * 30_000 * 0.1
    assert model.factions["red"].income_today["allies"] == pytest.approx(0.25 * mined)
    assert model.factions["green"].income_today["mines"] == pytest.approx(0.75 * mined)
    assert model.factions["red"].commodity_income_total["rare_earth"] == pytest.approx(0.25 * mined)
    assert model.factions["green"].commodity_income_total["rare_earth"] == pytest.approx(
        0.75 * mined
    )


def test_a_militia_that_has_fallen_out_with_its_patron_keeps_everything(theatre_dir):
    model = patron_theatre(theatre_dir, green_to_red=-0.2)
    model.step()
    assert model.factions["red"].income_today["allies"] == 0.0
    assert model.factions["green"].income_today["mines"] == pytest.approx(50 * 0.4 * 3_000)


def test_external_income_arrives_whatever_happens_and_scales_with_its_factor(theatre_dir):
    model = economy_model(
        theatre_dir,
        {"external_income_factor": 0.5},
        faction_overrides={"blue": {"external": 10_000.0}},
    )
    model.step()
    assert model.factions["blue"].income_today["external"] == pytest.approx(5_000.0)


def test_upkeep_is_paid_per_soldier_and_an_unpaid_army_loses_heart(theatre_dir):
    model = economy_model(
        theatre_dir, units=[{"faction": "red", "place": "alpha", "strength": 500}]
    )
    red = model.factions["red"]
    before = red.treasury
    model.step()
    income = sum(red.income_today.values())
    assert red.treasury == pytest.approx(before + income - 500 * 2.0)  # upkeep 2 US$/day
    red.treasury = -income  # nothing left after today's income
    unit = model.units[0]
    morale = unit.morale
    model.step()
    assert red.treasury == 0.0
    assert unit.morale == pytest.approx(morale - 0.02)  # unpaid_morale_per_day, all unpaid


def test_recruits_train_before_they_join_and_stop_at_the_manpower_pool(theatre_dir):
    model = economy_model(
        theatre_dir,
        {"recruits_per_base_per_day": 7, "training_days": 5},
        units=[{"faction": "red", "place": "alpha", "strength": 100}],
    )
    red = model.factions["red"]
    model.run(5)
    assert (red.recruited, red.in_training) == (0, 35)  # alpha is red's one base
    assert model.units[0].strength == 100
    model.step()  # the first day's recruits are trained; a sixth day's enlist
    assert (red.recruited, red.in_training) == (7, 35)
    assert model.units[0].strength == 107
    model.run(200)
    assert (red.recruited, red.in_training) == (1000, 0)  # the pool in tests/theatres.py
    assert red.spent["recruits"] == 1000 * 1000.0  # recruit_cost
    red.manpower_gained = 14.0  # the displaced who sheltered in its places (civilians)
    model.run(10)
    assert (red.recruited, red.in_training) == (1014, 0)


def without_income(theatre_dir, parameters: dict, treasury: float):
    """Red's 100 soldiers at its base Alpha (2 US$ a day each), with no income and the
    treasury given."""
    model = economy_model(
        theatre_dir,
        parameters,
        control={"alpha": "red", "delta": "blue"},
        units=[{"faction": "red", "place": "alpha", "strength": 100}],
    )
    model.factions["red"].treasury = treasury
    return model


def test_recruits_are_bought_with_what_the_treasury_holds_beyond_its_reserve(theatre_dir):
    """No income; 100 soldiers at 2 US$ a day; a reserve of 10 days' payroll is 2,000."""
    model = without_income(
        theatre_dir,
        {"recruits_per_base_per_day": 50, "training_days": 0, "payroll_reserve_days": 10},
        200.0 + 2000.0 + 3500.0,  # the day's payroll, the reserve, 3.5 recruits
    )
    red = model.factions["red"]
    model.step()
    assert red.recruited == 3
    assert red.treasury == pytest.approx(2500.0)  # arms add nothing here: none are bought
    model.step()  # 206 of payroll leaves 2,294; the reserve for 103 is 2,060: no recruit
    assert red.recruited == 3
    assert red.treasury == pytest.approx(2294.0)


def test_recruits_of_a_lost_base_join_at_another_or_wait_for_one(theatre_dir):
    from theatres import line_map

    model = economy_model(
        theatre_dir,
        {"recruits_per_base_per_day": 5, "training_days": 3},
        features=line_map(bravo={"kind": "base"}),
        control={"alpha": "red", "bravo": "red", "delta": "blue"},
    )
    red = model.factions["red"]
    model.step()
    assert [(b.base, b.soldiers) for b in red.training] == [("alpha", 5), ("bravo", 5)]
    red.commander.recruits = False  # no more enlist: these ten are followed
    model.set_holder("alpha", "blue")
    model.run(3)
    assert (red.recruited, red.in_training) == (10, 0)
    (unit,) = [u for u in model.units if u.faction == "red"]
    assert (unit.place, unit.strength) == ("bravo", 10)
    unit.remove()
    red.training.append(Trainees(model.day + 1, "bravo", 5))
    model.set_holder("bravo", "blue")
    model.run(5)
    assert (red.recruited, red.in_training) == (10, 5)  # no base left: they wait
    model.set_holder("bravo", "red")
    model.step()
    assert (red.recruited, red.in_training) == (15, 0)


def test_an_army_that_cannot_pay_loses_heart_and_soldiers_in_proportion(theatre_dir):
    model = economy_model(
        theatre_dir,
        {"desertion_unpaid_per_day": 0.1, "combat_mode": "deterministic"},
        control={"alpha": "red", "delta": "blue"},
        units=[{"faction": "red", "place": "alpha", "strength": 1000}],
    )
    red, unit = model.factions["red"], model.units[0]
    red.treasury = 0.0
    morale = unit.morale
    model.step()  # 2,000 of payroll, none paid
    assert unit.strength == pytest.approx(900.0)
    assert red.deserted == pytest.approx(100.0)
    assert unit.morale == pytest.approx(morale - 0.02)
    red.treasury = 900.0  # half of 900 soldiers' 1,800
    model.step()
    assert unit.strength == pytest.approx(855.0)
    assert red.deserted == pytest.approx(145.0)
    assert red.spent["upkeep"] == pytest.approx(900.0)


def test_desertion_in_stochastic_mode_draws_whole_soldiers_around_the_expected_share(theatre_dir):
    """Over 20 seeds of 1,000 unpaid soldiers at 10% a day, the mean deserters of the first
    day lie within four standard errors of 100 (binomial sd 9.5 a run)."""
    deserted = []
    for seed in range(20):
        model = passive_model(
            theatre_dir(
                control={"alpha": "red", "delta": "blue"},
                units=[{"faction": "red", "place": "alpha", "strength": 1000}],
            ),
            {**PRICES, "desertion_unpaid_per_day": 0.1},
            rng=seed,
        )
        model.factions["red"].treasury = 0.0
        model.step()
        deserted.append(model.factions["red"].deserted)
        assert model.units[0].strength == 1000 - deserted[-1]
    assert all(float(d).is_integer() for d in deserted)
    assert abs(sum(deserted) / 20 - 100) < 4 * 9.5 / 20**0.5
    assert len(set(deserted)) > 1


def fighting_model(theatre_dir, red_treasury: float, arms_edge_max: float = 0.0):
    """Red (paying 10 US$ a soldier a day of fighting) and Blue, 1,000 each, fight at
    unheld Bravo; Red's treasury is set before the first day."""
    model = economy_model(
        theatre_dir,
        {
            "desertion_unpaid_per_day": 0.0,
            "fire_when_unpaid": 0.4,
            "combat_mode": "deterministic",
            "arms_edge_max": arms_edge_max,
        },
        control={"alpha": "red", "delta": "blue"},
        faction_overrides={"red": {"fighting_cost": 10.0}},
        units=[
            {"faction": "red", "place": "bravo", "strength": 1000},
            {"faction": "blue", "place": "bravo", "strength": 1000},
        ],
    )
    model.factions["red"].treasury = red_treasury
    return model


def test_fighting_is_paid_for_and_a_side_that_cannot_pay_fires_less_the_next_day(theatre_dir):
    from wargame.phases.combat import square_law

    paying = fighting_model(theatre_dir, red_treasury=1e9)
    paying.step()
    red = paying.factions["red"]
    assert red.spent["fighting"] == pytest.approx(1000 * 10.0)  # the soldiers before the fight
    assert red.fire_paid == 1.0
    assert paying.effectiveness("red") == 0.01
    broke = fighting_model(theatre_dir, red_treasury=0.0)
    broke.step()
    assert broke.factions["red"].fire_paid == 0.0
    assert broke.effectiveness("red") == pytest.approx(0.01 * 0.4)
    red_unit, blue_unit = sorted(broke.units, key=lambda u: u.faction != "red")
    a0, b0 = red_unit.strength, blue_unit.strength
    broke.step()
    a1, b1 = square_law(a0, b0, 0.004, 0.01)
    assert (red_unit.strength, blue_unit.strength) == (pytest.approx(a1), pytest.approx(b1))
    engaged = red_unit.strength
    broke.factions["red"].treasury = 7_000.0
    broke.step()  # the survivors are paid first, then what is left buys part of the fire
    left = 7_000.0 - red_unit.strength * 2.0
    assert broke.factions["red"].fire_paid == pytest.approx(left / (engaged * 10.0))
    assert 0.4 < broke.factions["red"].fire_paid < 0.6


def test_a_market_town_with_a_trade_value_pays_its_holder_as_a_border_post_does(theatre_dir):
    from theatres import line_map

    features = line_map()
    for feature in features:
        if feature["properties"].get("id") == "bravo":
            feature["properties"]["trade_per_day"] = 500.0
    model = economy_model(theatre_dir, features=features, control={"bravo": "red", "delta": "blue"})
    model.step()
    assert model.factions["red"].income_today["trade"] == pytest.approx(0.2 * 500.0)
    assert model.revenue_per_day("bravo") == pytest.approx(0.2 * 500.0)


def ruby_theatre(theatre_dir, parameters=None):
    """The test theatre's mine digs rubies, the one commodity its set-up declares, at
    US$2,000,000 a tonne; its map says so."""
    from theatres import line_map

    features = line_map()
    for feature in features:
        if feature["properties"].get("id") == "charlie":
            feature["properties"]["mineral"] = "rubies"
    folder = theatre_dir(
        features=features,
        control={"alpha": "red", "charlie": "red", "delta": "blue"},
        commodities={"rubies": 2_000_000.0},
    )
    rest = {k: v for k, v in PRICES.items() if k != "prices.rare_earth"}
    return passive_model(folder, {**rest, **(parameters or {})})


def test_a_theatre_whose_mine_digs_rubies_runs_and_pays_sites_output_ruby_price_and_tax(
    theatre_dir,
):
    model = ruby_theatre(theatre_dir)
    model.run(30)  # the whole day loop, every phase, with a commodity the engine never heard of
    red = model.factions["red"]
    daily = 50 * 0.4 * 2_000_000.0 * 0.1  # sites x output x the ruby price x tax
    assert red.income_today["mines"] == pytest.approx(daily)
    summary = model.summary()
    assert summary["factions"]["red"]["income_rubies"] == pytest.approx(30 * daily)
    assert summary["parameters"]["prices"] == {"rubies": 2_000_000.0}
    assert model.series()["red_income_rubies"].iloc[-1] == pytest.approx(30 * daily)
    assert "red_income_rare_earth" not in model.series()


def test_a_price_override_moves_the_ruby_income(theatre_dir):
    cheap = ruby_theatre(theatre_dir)
    dear = ruby_theatre(theatre_dir, {"prices.rubies": 3_000_000.0})
    cheap.step()
    dear.step()
    assert dear.factions["red"].income_today["mines"] == pytest.approx(
        1.5 * cheap.factions["red"].income_today["mines"]
    )
    assert dear.factions["red"].commodity_income_total["rubies"] == pytest.approx(
        50 * 0.4 * 3_000_000.0 * 0.1
    )


def test_the_reserve_keeps_the_pay_of_recruits_in_training_too(theatre_dir):
    """No income; 100 soldiers at 2 US$ a day; a reserve of 100 days. After the day's 200
    of pay, 25,000 is 20,000 of reserve and 5,000 beyond it: each recruit costs 1,000 and
    adds 200 to the reserve, so four are enlisted (not five), and their pay is kept."""
    model = without_income(
        theatre_dir,
        {"recruits_per_base_per_day": 50, "training_days": 5, "payroll_reserve_days": 100},
        200.0 + 20_000.0 + 5_000.0,
    )
    red = model.factions["red"]
    model.step()
    assert (red.recruited, red.in_training) == (0, 4)
    model.step()  # 208 of pay for 104 leaves 20,792, under the reserve of 20,800
    assert red.in_training == 4
    assert red.treasury == pytest.approx(20_792.0)


def test_recruits_wait_while_their_base_is_fought_over(theatre_dir):
    from theatres import line_map

    from wargame.engine.agents import Unit

    model = economy_model(
        theatre_dir,
        {"recruits_per_base_per_day": 5, "training_days": 2, "combat_mode": "deterministic"},
        features=line_map(bravo={"kind": "base"}),
        control={"alpha": "red", "bravo": "red", "delta": "blue"},
        units=[{"faction": "red", "place": "alpha", "strength": 1000}],
    )
    red = model.factions["red"]
    model.step()
    red.commander.recruits = False
    red.training = [batch for batch in red.training if batch.base == "alpha"]
    red.spent["recruits"] -= 5 * 1000.0  # as if bravo's were never enlisted
    red.treasury += 5 * 1000.0
    raider = Unit(model, "blue", 200, "alpha", "Blue raiders")
    model.run(3)
    assert "alpha" in model.contested and model.controller["alpha"] == "red"
    assert (red.recruited, red.in_training) == (0, 5)  # not sent off to quiet Bravo
    raider.remove()
    model.run(2)
    assert (red.recruited, red.in_training) == (5, 0)
    assert {u.place for u in model.units if u.faction == "red"} == {"alpha"}


def test_recruits_in_training_go_home_with_a_faction_that_collapses(theatre_dir):
    model = economy_model(
        theatre_dir,
        {"recruits_per_base_per_day": 10, "training_days": 30},
        control={"alpha": "red", "delta": "blue"},
        units=[{"faction": "red", "place": "alpha", "strength": 1000}],
    )
    red = model.factions["red"]
    model.step()
    assert red.in_training == 10
    model.units[0].strength = 1  # far below the share of its start that keeps it in the war
    model.step()
    assert red.collapsed
    assert (red.recruited, red.in_training, red.surrendered) == (10, 0, 11)


def test_a_bystander_at_a_fight_pays_for_no_fighting(theatre_dir):
    neutral = {"relations": {"red": 0.0, "blue": 0.0}, "fighting_cost": 10.0}
    model = economy_model(
        theatre_dir,
        {"combat_mode": "deterministic"},
        factions=["red", "blue", "green"],
        control={"alpha": "red", "delta": "blue"},
        faction_overrides={
            "green": neutral,
            "red": {"relations": {"blue": -1.0, "green": 0.0}, "fighting_cost": 10.0},
            "blue": {"relations": {"red": -1.0, "green": 0.0}},
        },
        units=[
            {"faction": "red", "place": "bravo", "strength": 1000},
            {"faction": "blue", "place": "bravo", "strength": 1000},
            {"faction": "green", "place": "bravo", "strength": 300},
        ],
    )
    model.step()
    assert model.factions["red"].spent["fighting"] == pytest.approx(1000 * 10.0)
    assert model.factions["green"].spent["fighting"] == 0.0
    assert model.factions["green"].fire_paid == 1.0


def test_what_the_treasury_holds_beyond_its_reserve_buys_arms_that_wear_out(theatre_dir):
    """No income; 100 soldiers at 2 US$ a day, a reserve of 10 days (2,000). After the
    day's 200 of pay, 5,000 beyond the reserve buys arms: 50 a soldier, which at a half
    point of 50 add half of the 0.6 most to fire; a tenth of them wears out each day."""
    parameters = {
        "payroll_reserve_days": 10,
        "arms_edge_max": 0.6,
        "arms_half_per_soldier": 50.0,
        "arms_wear_per_day": 0.1,
    }
    model = without_income(theatre_dir, parameters, 200.0 + 2000.0 + 5000.0)
    red = model.factions["red"]
    model.step()
    assert (red.arms, red.spent["arms"], red.treasury) == (5000.0, 5000.0, 2000.0)
    assert red.arms_edge == pytest.approx(0.3)
    assert model.effectiveness("red") == pytest.approx(0.01 * 1.3)
    model.step()  # 1,800 left after pay: under the reserve, nothing bought
    assert (red.arms, red.spent["arms"], red.treasury) == (4500.0, 5000.0, 1800.0)
    assert red.arms_edge == pytest.approx(0.6 * 45 / 95)
    red.treasury += 10_000.0
    model.step()
    assert red.arms == pytest.approx(4500.0 * 0.9 + (1800.0 + 10_000.0 - 200.0 - 2000.0))


def test_the_reserve_keeps_days_of_fighting_as_well_as_pay(theatre_dir):
    """With 10 US$ a soldier of fighting, ten days of 100 soldiers' pay and fire is 12,000."""
    model = economy_model(
        theatre_dir,
        {"payroll_reserve_days": 10, "arms_edge_max": 0.5},
        control={"alpha": "red", "delta": "blue"},
        faction_overrides={"red": {"fighting_cost": 10.0}},
        units=[{"faction": "red", "place": "alpha", "strength": 100}],
    )
    red = model.factions["red"]
    red.treasury = 200.0 + 15_000.0
    model.step()
    assert red.spent["arms"] == pytest.approx(3_000.0)
    assert red.treasury == pytest.approx(12_000.0)


def test_arms_raise_a_side_s_fire_in_the_square_law(theatre_dir):
    from wargame.phases.combat import square_law

    model = fighting_model(theatre_dir, red_treasury=0.0, arms_edge_max=1.0)
    red = model.factions["red"]
    red.arms, red.arms_edge = 1e9, 0.8  # the edge is what yesterday's arms gave
    model.factions["blue"].treasury = 0.0  # Blue buys no arms
    red_unit, blue_unit = sorted(model.units, key=lambda u: u.faction != "red")
    model.step()
    a1, b1 = square_law(1000.0, 1000.0, 0.01 * 1.8, 0.01)
    assert (red_unit.strength, blue_unit.strength) == (pytest.approx(a1), pytest.approx(b1))
    edge, per_soldier = red.arms_edge, red.arms / red_unit.strength
    assert edge == pytest.approx(per_soldier / (per_soldier + 2000.0))  # near the most, 1
    model.step()  # unpaid today, so 0.4 of its fire, raised by its arms
    a2, b2 = square_law(a1, b1, 0.01 * (1 + edge) * 0.4, 0.01)
    assert (red_unit.strength, blue_unit.strength) == (pytest.approx(a2), pytest.approx(b2))
