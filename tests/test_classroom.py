"""The classroom game on the server: team orders, rules, fog of war, rooms that survive restarts."""

import pytest

from wargame import ConflictModel
from wargame.apps.classroom.fog import seen_places, seen_units, side_view
from wargame.apps.classroom.game import Game, GameSetup, Injection
from wargame.apps.classroom.rooms import CODE_LENGTH, Classroom, RoomError
from wargame.apps.classroom.team import OrderError, TurnOrders, UnitOrder
from wargame.engine.measures import summary
from wargame.engine.posture import Posture

SETUP = GameSetup(theatre="kachin", seed=3, humans=["kia", "tatmadaw"], turn_days=5, turns=4)


def first_unit(game: Game, faction: str):
    return next(u for u in game.model.units if u.faction == faction)


def test_a_teams_orders_move_its_units_and_the_others_hold():
    game = Game(SETUP)
    unit, other = [u for u in game.model.units if u.faction == "kia"][:2]
    target = next(iter(game.model.grid.G.neighbors(unit.place)))
    other_place = other.place
    game.submit("kia", TurnOrders(units={unit.unique_id: UnitOrder(objective=target)}))
    assert game.turn == 0 and game.waiting_for() == ["tatmadaw"]
    assert game.submit("tatmadaw", TurnOrders()) is True
    assert game.turn == 1 and game.model.day == SETUP.turn_days
    if other.cell is not None and other.posture is not Posture.WITHDRAW:
        assert other.place == other_place  # no order: it held
    assert unit.objective == target or unit.posture is Posture.WITHDRAW


def test_a_team_cannot_order_another_factions_unit_or_go_where_no_road_leads():
    game = Game(SETUP)
    enemy = first_unit(game, "tatmadaw")
    with pytest.raises(OrderError, match="not a kia unit"):
        game.submit("kia", TurnOrders(units={enemy.unique_id: UnitOrder(objective=None)}))
    own = first_unit(game, "kia")
    with pytest.raises(OrderError, match="no place"):
        game.submit("kia", TurnOrders(units={own.unique_id: UnitOrder(objective="atlantis")}))
    assert game.waiting_for() == ["kia", "tatmadaw"]  # nothing was taken


def test_a_team_that_stops_recruiting_recruits_no_one():
    stopped, going = Game(SETUP), Game(SETUP)
    for game, recruits in ((stopped, False), (going, True)):
        for _ in range(2):
            game.submit("kia", TurnOrders(recruits=recruits))
            game.submit("tatmadaw", TurnOrders())
    for game, enlists in ((stopped, False), (going, True)):
        kia = game.model.factions["kia"]
        assert (kia.recruited + kia.in_training > 0) is enlists  # recruits train for weeks


def test_fog_shows_enemies_only_next_to_what_a_side_holds_or_occupies():
    game = Game(SETUP.model_copy(update={"seed": 1}))
    model = game.model
    places = seen_places(model, "kia")
    graph = model.grid.G
    for unit in seen_units(model, "kia"):
        if unit.faction != "kia":
            assert unit.place in places
    hidden = [u for u in model.units if u.faction != "kia" and u.place not in places]
    assert hidden, "the default theatre must keep some enemy out of the KIA's sight"
    view = side_view(model, game.knowledge["kia"])
    shown = {u.id for u in view.units}
    assert not shown & {u.unique_id for u in hidden}
    assert all(u.morale is None for u in view.units if u.faction != "kia")
    for place in places:  # seen = own ground or units, or one road from it
        near = {place, *graph.neighbors(place)}
        assert any(
            model.controller.get(p) == "kia"
            or any(u.place == p for u in model.units if u.faction == "kia")
            for p in near
        )


def test_the_umpire_can_close_the_border_and_change_the_price():
    game = Game(SETUP)
    game.inject(Injection(kind="close_border"))
    game.inject(Injection(kind="price", commodity="rare_earth", price=60_000.0))
    game.advance()
    assert game.model.parameters.prices["rare_earth"] == 60_000.0
    assert game.model.parameters.prices["jade"] == 33_600.0  # the others' as they were
    texts = [e.text for e in game.model.events]
    assert "the umpire: China closed every crossing" in texts
    assert "the umpire: the rare-earth oxide price moved to US$60,000 a tonne" in texts


def test_the_umpire_may_price_only_the_theatres_commodities_and_close_only_a_brokers_border(
    theatre_dir,
):
    game = Game(SETUP)
    with pytest.raises(OrderError, match="a price needs a commodity of the theatre"):
        game.inject(Injection(kind="price", commodity="rubies", price=1.0))
    alone = Game(GameSetup(theatre=str(theatre_dir(broker=None)), humans=["red"], turns=1))
    with pytest.raises(OrderError, match="no broker"):
        alone.inject(Injection(kind="close_border"))
    assert alone.injections == [] and game.injections == []


def test_replaying_a_games_record_reaches_the_same_state():
    game = Game(SETUP)
    unit = first_unit(game, "kia")
    target = next(iter(game.model.grid.G.neighbors(unit.place)))
    for turn in range(3):
        orders = {unit.unique_id: UnitOrder(objective=target)} if turn == 0 else {}
        game.submit("kia", TurnOrders(units=orders, calls_home=turn != 1))
        if turn == 1:
            game.inject(Injection(kind="ceasefire", factions=("kia", "tatmadaw")))
        game.submit("tatmadaw", TurnOrders(accepts_ceasefire=False))
    again = Game.replay(SETUP, game.record)
    assert summary(again.model) == summary(game.model)
    assert [e.sentence for e in again.model.events] == [e.sentence for e in game.model.events]


def test_rooms_survive_a_server_restart_mid_turn(tmp_path):
    store = tmp_path / "classroom.sqlite"
    classroom = Classroom(store)
    code, _ = classroom.create_room(SETUP)
    assert len(code) == CODE_LENGTH
    kia = classroom.join(code, "Team A", "kia")
    tatmadaw = classroom.join(code, "Team B", "tatmadaw")
    with pytest.raises(RoomError, match="already taken"):
        classroom.join(code, "Team C", "kia")
    classroom.submit(kia.token, TurnOrders())
    assert classroom.submit(tatmadaw.token, TurnOrders()) is True
    classroom.submit(kia.token, TurnOrders(recruits=False))  # turn 2 half submitted
    before = summary(classroom.game(code).model)
    classroom.close()  # the server stops

    restarted = Classroom(store)  # a new server process reading the same file
    game = restarted.game(code)
    assert summary(game.model) == before and game.turn == 1
    assert game.waiting_for() == ["tatmadaw"]
    assert restarted.seat(kia.token).faction == "kia"
    restarted.submit(tatmadaw.token, TurnOrders())
    assert restarted.game(code).turn == 2
    with pytest.raises(RoomError):
        restarted.umpire(code, "not-the-key")


def test_a_seat_speaks_only_for_its_own_faction(tmp_path):
    classroom = Classroom(tmp_path / "c.sqlite")
    code, _ = classroom.create_room(SETUP)
    kia = classroom.join(code, "Team A", "kia")
    enemy = first_unit(classroom.game(code), "tatmadaw")
    with pytest.raises(OrderError, match="not a kia unit"):
        classroom.submit(kia.token, TurnOrders(units={enemy.unique_id: UnitOrder()}))
    with pytest.raises(RoomError):
        classroom.submit("forged-token", TurnOrders())


def test_a_commander_without_an_answer_leaves_the_policy_to_doctrine():

    model = ConflictModel("kachin", rng=1)
    kia = model.factions["kia"]
    assert kia.decides("calls_home", default=True) is True  # the doctrine AI has no answer
    game = Game(SETUP)
    game.commanders["kia"].start_turn(TurnOrders(calls_home=False, accepts_ceasefire=False))
    team = game.model.factions["kia"]
    assert team.decides("calls_home", default=True) is False
    assert team.decides("accepts_ceasefire", default=True) is False


def test_the_replay_of_a_game_shows_the_day_asked_for():
    from wargame.apps.classroom.game import replay_to_day

    game = Game(SETUP)
    for _ in range(2):
        game.submit("kia", TurnOrders(recruits=False))
        game.submit("tatmadaw", TurnOrders())
    middle = replay_to_day(SETUP, game.record, 7)  # turn 2, day 2 of 5
    assert middle.day == 7
    middle.run(3)  # the rest of that turn, with the same orders already given
    assert summary(middle) == summary(game.model)
    assert replay_to_day(SETUP, game.record, 5).day == 5


def test_a_paused_game_takes_orders_but_waits_for_the_umpire(tmp_path):
    classroom = Classroom(tmp_path / "c.sqlite")
    code, key = classroom.create_room(SETUP)
    kia = classroom.join(code, "A", "kia")
    tatmadaw = classroom.join(code, "B", "tatmadaw")
    classroom.pause(code, key)
    classroom.submit(kia.token, TurnOrders())
    assert classroom.submit(tatmadaw.token, TurnOrders()) is False
    # the file keeps the pause: the game rebuilt from it waits too
    assert Classroom(tmp_path / "c.sqlite", read_only=True).game(code).paused
    with pytest.raises(RoomError, match="resume it first"):
        classroom.force_turn(code, key)
    classroom.resume(code, key)
    assert classroom.game(code).turn == 1


def test_idle_rooms_close_and_the_umpire_can_list_replay_and_reopen_them(tmp_path):
    import datetime as dt

    from wargame.apps.classroom.rooms import IDLE

    classroom = Classroom(tmp_path / "c.sqlite")
    code, key = classroom.create_room(SETUP)
    later = dt.datetime.now(dt.UTC) + IDLE + dt.timedelta(minutes=1)
    assert classroom.sweep(later) == [code]
    with pytest.raises(RoomError):
        classroom.game(code)  # teams can no longer reach it
    listed = {room["code"]: room for room in classroom.rooms()}
    assert listed[code]["status"] == "idle" and "umpire_key" not in listed[code]
    assert classroom.umpire(code, key).turn == 0  # the umpire still can, to replay
    classroom.resume(code, key)
    assert classroom.status(code) == "open" and classroom.game(code)


def test_classroom_list_prints_each_game_with_its_umpire_address(tmp_path, capsys):
    from wargame.cli import main

    db = tmp_path / "c.sqlite"
    code, key = Classroom(db).create_room(SETUP)
    assert main(["classroom", "--db", str(db), "--list"]) == 0
    out = capsys.readouterr().out
    assert code in out and f"?room={code}&key={key}" in out


def test_a_teams_charts_show_only_its_own_side():
    from wargame.drawing.charts import series_chart_options

    game = Game(SETUP.model_copy(update={"seed": 2}))
    for _ in range(2):
        game.submit("kia", TurnOrders())
        game.submit("tatmadaw", TurnOrders())
    kia = game.model.factions["kia"]
    charts = series_chart_options(game.knowledge["kia"].series(), [kia])
    assert "civilians" not in charts
    names = [s["name"] for option in charts.values() for s in option["series"]]
    assert names and all(name.split(" ")[0] == "KIA" for name in names)


def test_a_timed_turn_runs_when_its_time_is_up(tmp_path):
    import datetime as dt

    classroom = Classroom(tmp_path / "c.sqlite")
    code, _ = classroom.create_room(SETUP.model_copy(update={"turn_minutes": 5.0}))
    classroom.join(code, "A", "kia")
    due = classroom.deadline(code)
    assert classroom.tick(due - dt.timedelta(seconds=1)) == []
    assert classroom.tick(due) == [code]
    game = classroom.game(code)
    assert game.turn == 1 and game.model.day == SETUP.turn_days  # nobody sent orders: all held
    assert classroom.deadline(code) == due + dt.timedelta(minutes=5)  # the next turn's clock


def test_a_downloaded_record_reads_back_and_a_broken_one_is_refused():
    import json

    from wargame.apps.classroom.app import read_record

    game = Game(SETUP)
    game.submit("kia", TurnOrders(recruits=False))
    game.submit("tatmadaw", TurnOrders())
    data = json.dumps({"setup": SETUP.model_dump(), "turns": game.record}).encode()
    setup, turns = read_record(data)
    assert summary(Game.replay(setup, turns).model) == summary(game.model)
    broken = json.dumps({"setup": SETUP.model_dump(), "turns": [{"orders": {"kia": {"units": 3}}}]})
    with pytest.raises(ValueError):
        read_record(broken.encode())
    enemy = next(u for u in game.model.units if u.faction == "tatmadaw").unique_id
    forged = [{"turn": 0, "orders": {"kia": {"units": {str(enemy): {}}}}, "injections": []}]
    with pytest.raises(OrderError, match="not a kia unit"):
        read_record(json.dumps({"setup": SETUP.model_dump(), "turns": forged}).encode())


def test_the_umpires_ceasefire_is_an_offer_a_team_may_refuse(tmp_path):
    game = Game(SETUP)
    game.inject(Injection(kind="ceasefire", factions=("kia", "tatmadaw")))
    game.submit("kia", TurnOrders(accepts_ceasefire=False))
    game.submit("tatmadaw", TurnOrders())
    assert ("kia", "tatmadaw") not in game.model.truces
    assert any("the KIA refused" in e.text for e in game.model.events)
    game.inject(Injection(kind="ceasefire", factions=("kia", "tatmadaw")))
    game.submit("kia", TurnOrders())
    game.submit("tatmadaw", TurnOrders())
    assert game.model.truces_made >= 1
    classroom = Classroom(tmp_path / "c.sqlite")
    code, _ = classroom.create_room(SETUP)
    classroom.join(code, "A", "kia")
    assert classroom.taken(code) == {"kia"}


def test_several_rooms_run_at_once_without_touching_each_other(tmp_path):
    classroom = Classroom(tmp_path / "c.sqlite")
    first, _ = classroom.create_room(SETUP)
    second, _ = classroom.create_room(SETUP.model_copy(update={"seed": 4}))
    seats = {room: [classroom.join(room, "A", "kia"), classroom.join(room, "B", "tatmadaw")]
             for room in (first, second)}  # fmt: skip
    for seat in seats[first]:
        classroom.submit(seat.token, TurnOrders())
    assert classroom.game(first).turn == 1 and classroom.game(second).turn == 0
    assert classroom.game(second).model.day == 0
    with pytest.raises(RoomError):
        classroom.umpire(first, classroom.rooms(with_keys=True)[1]["umpire_key"])


def test_a_room_set_up_by_hand_gives_teams_the_chosen_theatres_own_factions(monkeypatch, tmp_path):
    """The lobby's teams follow its theatre: Kachin's KIA and Tatmadaw at first, Tamsen's
    Front and Army once Tamsen is chosen (it kept the KIA and Tatmadaw, which Tamsen lacks,
    and a room could not be created)."""
    import ipyvuetify as v
    import solara

    from wargame.apps.classroom import app
    from wargame.apps.viewer import THEATRES_ENV

    monkeypatch.setenv(THEATRES_ENV, str(tmp_path))  # the shipped theatres alone
    # its own file, not the checkout's classroom.sqlite, which another test may hold
    monkeypatch.setattr(app, "_classroom", Classroom(tmp_path / "classroom.sqlite"))
    _, rc = solara.render(app.Lobby(lambda query: None), handle_error=False)
    teams = rc.find(v.Select, label="Factions played by teams")
    assert teams.widget.v_model == ["kia", "tatmadaw"]
    rc.find(v.Select, label="Theatre").widget.v_model = "tamsen_island"
    assert rc.find(v.Select, label="Factions played by teams").widget.v_model == ["front", "army"]


def test_an_error_shown_in_the_lobby_keeps_its_drop_downs_and_what_they_hold(monkeypatch, tmp_path):
    """A refused room shows its error above the cards without rebuilding them: rebuilt, a
    theatre chosen as the error came would go to a closed drop-down and be lost (a browser
    test under load chose Kachin just then, and the page kept the refused theatre)."""
    import ipyvuetify as v
    import solara

    from wargame.apps.classroom import app
    from wargame.apps.viewer import THEATRES_ENV

    monkeypatch.setenv(THEATRES_ENV, str(tmp_path))
    monkeypatch.setattr(app, "_classroom", Classroom(tmp_path / "classroom.sqlite"))
    _, rc = solara.render(app.Lobby(lambda query: None), handle_error=False)
    theatre = rc.find(v.Select, label="Theatre").widget
    theatre.v_model = str(tmp_path / "nowhere")  # a name the page never offered
    rc.find(v.Btn, children=["Create room"]).widget.click()
    assert len(rc.find(v.Alert).widgets) == 2  # the card's refusal and the page's error
    assert rc.find(v.Select, label="Theatre").widget is theatre
    theatre.v_model = "kachin"  # still the page's own: the choice arrives
    assert rc.find(v.Select, label="Factions played by teams").widget.v_model == ["kia", "tatmadaw"]
    assert len(rc.find(v.Alert).widgets) == 1  # the card's refusal is gone, the error stays
