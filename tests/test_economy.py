"""Economy: mines and trade pay their holders, patrons get their share, armies cost money."""

import pytest
from theatres import passive_model

from wargame import ConflictModel
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


def test_quiet_bases_recruit_within_manpower_while_the_treasury_carries_the_payroll(theatre_dir):
    model = economy_model(
        theatre_dir,
        {"recruits_per_base_per_day": 7},
        units=[{"faction": "red", "place": "alpha", "strength": 100}],
    )
    red = model.factions["red"]
    model.run(10)
    assert red.recruited == 70  # alpha is red's one base
    assert model.units[0].strength == 170
    model.run(200)
    assert red.recruited == 1000  # the manpower pool in tests/theatres.py
    broke = economy_model(
        theatre_dir,
        {"recruits_per_base_per_day": 7},
        control={"alpha": "red", "delta": "blue"},  # no mine: no income
        units=[{"faction": "red", "place": "alpha", "strength": 100}],
    )
    broke.factions["red"].treasury = 0.0
    broke.run(5)
    assert broke.factions["red"].recruited == 0


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
