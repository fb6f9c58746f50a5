"""A team's orders by groups, the page's word on what was sent, the umpire's injects reaching
only their sides, and the debrief after the game: on the server and in the page Solara renders
(without a browser; tests/test_classroom_browser.py drives the same pages in Chromium)."""

from __future__ import annotations

import html
import json
import re

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from wargame.apps.classroom import app
from wargame.apps.classroom.fog import side_view
from wargame.apps.classroom.game import Game, GameSetup, Injection, replay_to_day
from wargame.apps.classroom.rooms import Classroom, RoomError
from wargame.apps.classroom.team import (
    OrderDraft,
    OrderError,
    TurnOrders,
    common_destinations,
    described,
    stacks,
)
from wargame.apps.viewer.chart_widget import option_json
from wargame.apps.viewer.map_view import MapWidget
from wargame.drawing.map_option import day_option
from wargame.drawing.map_state import whole_map
from wargame.engine.posture import Posture

SETUP = GameSetup(theatre="kachin", seed=3, humans=["kia", "tatmadaw"], turn_days=5, turns=4)
THREE = SETUP.model_copy(update={"humans": ["kia", "tatmadaw", "ndak"]})


@pytest.fixture
def classroom(tmp_path, monkeypatch) -> Classroom:
    """The pages' classroom server, on a fresh file."""
    rooms = Classroom(tmp_path / "classroom.sqlite")
    monkeypatch.setattr(app, "_classroom", rooms)
    return rooms


def own_view(game: Game, faction: str):
    return side_view(game.model, game.knowledge[faction])


def page_text(rc) -> str:
    """Everything the page says: its HTML blocks, texts and alerts, as plain text."""
    parts = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    parts += [str(c) for w in rc.find(v.Html).widgets for c in w.children if isinstance(c, str)]
    parts += [str(c) for w in rc.find(v.Alert).widgets for c in w.children if isinstance(c, str)]
    return html.unescape(re.sub("<[^>]+>", "", " ".join(parts)))


def test_units_group_by_the_place_they_stand_at_or_the_road_they_are_on():
    game = Game(SETUP)
    own = [u for u in game.model.units if u.faction == "kia"]
    groups = stacks(own_view(game, "kia").units, "kia")
    assert len(groups) < len(own)  # fewer orders to give than units
    assert sorted(u for g in groups for u in g.units) == sorted(u.unique_id for u in own)
    for group in groups:
        for unit in group.units:
            at = game.model.unit(unit)
            assert (at.place or at.transit.destination) == group.place
            assert group.moving is (at.place is None)


def test_a_stacks_order_sends_its_units_together_and_a_later_order_takes_units_from_it():
    game = Game(SETUP)
    stack = max(stacks(own_view(game, "kia").units, "kia"), key=lambda s: len(s.units))
    goal, other = sorted(common_destinations(game.model, [stack.place]))[:2]
    draft = OrderDraft().choose(stack.units).go_to(goal).add()
    assert draft.chosen == () and [g.units for g in draft.given] == [stack.units]
    first = stack.units[0]
    draft = draft.toggle(first).go_to(other).hold_as(Posture.WITHDRAW).add()
    orders = draft.turn_orders(recruits=False)
    assert orders.units[first].objective == other
    assert orders.units[first].posture is Posture.WITHDRAW
    assert {orders.units[u].objective for u in stack.units[1:]} == {goal}
    assert orders.recruits is False
    assert draft.remove(0).turn_orders().units.keys() == {first}
    game.submit("kia", orders)
    game.submit("tatmadaw", TurnOrders())
    moved = [game.model.unit(u) for u in stack.units[1:] if game.model.unit(u) is not None]
    assert moved and all(u.objective == goal or u.posture is Posture.WITHDRAW for u in moved)


def test_a_click_on_a_place_picks_its_stack_then_sends_the_chosen_units_there():
    """What a map's click will do: ids, checked as the form's labels are."""
    game = Game(SETUP)
    groups = stacks(own_view(game, "kia").units, "kia")
    first, second = groups[0], groups[1]
    draft = OrderDraft().click(first.place, groups, reach=set())
    assert draft.chosen == first.units and draft.objective is None
    reach = common_destinations(game.model, [first.place])
    goal = next(p for p in sorted(reach) if p != second.place)
    assert draft.click(goal, groups, reach).objective == goal
    assert draft.click(second.place, groups, reach - {second.place}).chosen == second.units
    with pytest.raises(OrderError, match="no road leads the chosen units to 'atlantis'"):
        draft.click("atlantis", groups, reach)


def test_orders_are_described_by_group_with_place_names():
    game = Game(SETUP)
    view = own_view(game, "kia")
    own = {u.id: u for u in view.units if u.faction == "kia"}
    big = max(stacks(view.units, "kia"), key=lambda s: len(s.units))
    goal = min(common_destinations(game.model, [big.place]))
    few = [u for u in own if u not in big.units][:2]
    draft = OrderDraft().choose(big.units).go_to(goal).add()
    orders = draft.choose(few).hold_as(Posture.HOLD).add().turn_orders()
    places = {p: game.model.place_name(p) for p in game.model.theatre.map.places}
    lines = described(orders, own, places)
    soldiers = sum(own[u].strength for u in big.units)
    assert lines[0] == (
        f"{len(big.units)} units ({soldiers:,} soldiers) at {places[big.place]}: "
        f"go to {places[goal]}, attack"
    )
    for unit in few:  # a small group by its units' names
        assert any(f"{own[unit].name} ({own[unit].strength:,})" in line for line in lines[1:])
    assert all(line.endswith(": stay where they are, hold") for line in lines[1:])
    assert not any(goal in line for line in lines)  # the place's name, never its id


def test_the_server_refuses_what_a_draft_may_not_command_whatever_the_page_sent(classroom):
    """A map click or a rewritten message may put any id in the draft: the seat's own units,
    places of the theatre the roads reach, or nothing is taken."""
    code, _ = classroom.create_room(SETUP)
    kia = classroom.join(code, "A", "kia")
    model = classroom.game(code).model
    enemy = next(u for u in model.units if u.faction == "tatmadaw")
    own = next(u for u in model.units if u.faction == "kia")
    for draft, refusal in (
        (OrderDraft().choose([enemy.unique_id]), "not a kia unit"),
        (OrderDraft().choose([own.unique_id, 10**6]), "no such unit"),
        (OrderDraft().choose([own.unique_id]).go_to("atlantis"), "no place 'atlantis'"),
    ):
        with pytest.raises(OrderError, match=refusal):
            classroom.submit(kia.token, draft.add().turn_orders())
    assert classroom.game(code).submitted == {}


def test_the_page_offers_groups_and_places_by_name_and_refuses_labels_it_did_not_offer(classroom):
    code, _ = classroom.create_room(SETUP)
    kia = classroom.join(code, "A", "kia")
    model = classroom.game(code).model
    ids = set(model.theatre.map.places)
    _, rc = solara.render(app.TeamPage(kia.token), handle_error=False)
    stack = rc.find(v.Select, label="Units at").widget
    assert stack.items and not ids & {s.split(":")[0] for s in stack.items}
    stack.v_model = stack.items[0]
    goes = rc.find(v.Select, label="Go to").widget
    assert len(goes.items) > 1 and not ids & set(goes.items[1:])  # names, not ids
    goes.v_model = "chipwi_rare_earth"  # an id, not a name offered: refused
    assert "Not taken: the chosen units have no road to 'chipwi_rare_earth'" in page_text(rc)
    rc.find(v.Select, label="Units").widget.v_model = ["Forged Brigade (9,999)"]
    assert "no unit of yours called 'Forged Brigade (9,999)'" in page_text(rc)
    rc.find(v.Select, label="Posture").widget.v_model = "charge"  # not a posture offered
    assert "Not taken: no posture 'charge'" in page_text(rc)
    goes = rc.find(v.Select, label="Go to").widget
    goal = goes.v_model = goes.items[1]
    rc.find(v.Btn, children=["Add order"]).widget.click()
    rc.find(v.Btn, children=["Send orders"]).widget.click()
    (sent,) = classroom.game(code).submitted.values()
    chosen = [u for u in model.units if u.faction == "kia"]
    chosen = {u.unique_id for u in chosen if stack.items[0].startswith(model.place_name(u.place))}
    assert set(sent.units) == chosen
    assert {model.place_name(o.objective) for o in sent.units.values()} == {goal}
    rc.close()


def test_a_group_chosen_and_sent_on_without_add_order_goes_with_the_orders(classroom):
    """Choosing a stack and its destination (on the map or the form) and pressing Send
    orders sends it: what the page shows chosen is not dropped for want of Add order."""
    code, _ = classroom.create_room(SETUP)
    kia = classroom.join(code, "A", "kia")
    model = classroom.game(code).model
    _, rc = solara.render(app.TeamPage(kia.token), handle_error=False)
    stack = rc.find(v.Select, label="Units at").widget
    stack.v_model = stack.items[0]
    goes = rc.find(v.Select, label="Go to").widget
    goal = goes.v_model = goes.items[-1]
    rc.find(v.Btn, children=["Send orders"]).widget.click()
    (sent,) = classroom.game(code).submitted.values()
    assert sent.units and {model.place_name(o.objective) for o in sent.units.values()} == {goal}
    rc.close()


def test_the_sent_banner_says_what_went_where_and_is_gone_next_turn(classroom):
    code, _ = classroom.create_room(SETUP)
    kia = classroom.join(code, "A", "kia")
    tatmadaw = classroom.join(code, "B", "tatmadaw")
    _, rc = solara.render(app.TeamPage(kia.token), handle_error=False)
    rc.find(v.Select, label="Units at").widget.v_model = rc.find(
        v.Select, label="Units at"
    ).widget.items[0]
    goes = rc.find(v.Select, label="Go to").widget
    goal = goes.items[-1]
    goes.v_model = goal
    rc.find(v.Btn, children=["Add order"]).widget.click()
    rc.find(v.Btn, children=["Send orders"]).widget.click()
    said = page_text(rc)
    assert "Orders sent for turn 1: " in said and f"go to {goal}, attack" in said
    assert not rc.find(v.Btn, children=["Send orders"]).widgets  # no form under the banner
    classroom.submit(tatmadaw.token, TurnOrders())  # the turn runs
    rc.close()
    _, rc = solara.render(app.TeamPage(kia.token), handle_error=False)
    said = page_text(rc)
    assert "Orders for turn 2" in said and "Orders sent" not in said
    assert rc.find(v.Btn, children=["Send orders"]).widgets
    assert f"heading for {goal}" in said or f"at {goal}" in said or f"{goal}:" in said
    rc.close()


def test_injects_reach_their_sides_and_a_side_not_reached_sees_nothing_of_them(classroom):
    code, key = classroom.create_room(THREE)
    seats = {f: classroom.join(code, f, f) for f in THREE.humans}
    classroom.inject(code, key, Injection(kind="ceasefire", factions=("kia", "tatmadaw")))
    classroom.inject(code, key, Injection(kind="price", commodity="rare_earth", price=61_000.0))
    for seat in seats.values():
        classroom.submit(seat.token, TurnOrders())
    game = classroom.game(code)
    truce = next(e for e in game.model.events if "the umpire: a ceasefire" in e.text)
    price = next(e for e in game.model.events if "price moved to US$61,000" in e.text)
    for faction, seat in seats.items():
        view = own_view(game, faction)
        _, rc = solara.render(app.TeamPage(seat.token), handle_error=False)
        (injects,) = [
            w.unsafe_innerHTML
            for w in rc.find(solara.widgets.HTML).widgets
            if "wargame-injects" in (w.attributes or {}).get("class", "")
        ]
        reached = faction != "ndak"
        assert (truce in view.injects) is reached and (truce in view.events) is reached
        assert (html.escape(truce.text) in injects) is reached
        assert (truce.text in page_text(rc)) is reached
        assert price in view.injects and html.escape(price.text) in injects  # news for all
        rc.close()


def test_after_the_end_each_seat_keeps_a_read_only_debrief(classroom):
    code, key = classroom.create_room(SETUP)
    seats = [classroom.join(code, "A", "kia"), classroom.join(code, "B", "tatmadaw")]
    for seat in seats:
        classroom.submit(seat.token, TurnOrders())
    classroom.end(code, key)
    game = classroom.umpire(code, key)
    replayed = replay_to_day(game.setup, game.record, 5)  # what the last day must show
    expected = json.loads(option_json(day_option(replayed.theatre, whole_map(replayed))))
    for seat in seats:
        _, rc = solara.render(app.TeamPage(seat.token), handle_error=False)
        said = page_text(rc)
        assert "Debrief" in said and "cannot be found" not in said
        assert "Replaying day 5" in said and rc.find(v.Slider).widgets
        (drawn,) = rc.find(MapWidget).widgets  # the ended game's model, not a replay of it
        assert json.loads(drawn.option) == expected
        assert not rc.find(v.Btn, children=["Send orders"]).widgets
        rc.close()
        with pytest.raises(RoomError, match="the game is over"):
            classroom.submit(seat.token, TurnOrders())
    assert len(classroom.umpire(code, key).record) == 1  # nothing was taken
    with pytest.raises(RoomError, match="seen the debrief"):  # its fog is lifted for good
        classroom.resume(code, key)
    assert classroom.status(code) == "ended"


def test_a_game_closed_when_idle_keeps_its_fog_until_the_umpire_reopens_it(classroom):
    """Idle is not the end: the umpire may reopen it, so its teams get no debrief, only word
    that it is closed, and no orders go in."""
    import datetime as dt

    from wargame.apps.classroom.rooms import IDLE

    code, key = classroom.create_room(SETUP)
    seat = classroom.join(code, "A", "kia")
    classroom.sweep(dt.datetime.now(dt.UTC) + IDLE + dt.timedelta(minutes=1))
    with pytest.raises(RoomError, match="not over"):
        classroom.debrief(seat.token)
    _, rc = solara.render(app.TeamPage(seat.token), handle_error=False)
    said = page_text(rc)
    assert "closed after a long time without play" in said and "Debrief" not in said
    assert not rc.find(v.Btn, children=["Send orders"]).widgets and not rc.find(v.Slider).widgets
    rc.close()
    with pytest.raises(RoomError):
        classroom.submit(seat.token, TurnOrders())
    classroom.resume(code, key)
    _, rc = solara.render(app.TeamPage(seat.token), handle_error=False)
    assert rc.find(v.Btn, children=["Send orders"]).widgets  # playing again, fogged as before
    rc.close()


def test_two_places_of_one_name_are_told_apart_in_a_drop_down():
    assert app.labels({"a": "Sadung", "b": "Sadung", "c": "Laiza"}) == {
        "Sadung (a)": "a",
        "Sadung (b)": "b",
        "Laiza": "c",
    }


def test_an_error_on_the_umpires_page_keeps_its_controls(classroom):
    """A refused action shows its error above the umpire's controls without rebuilding them,
    so a choice made as it shows is not lost to a closed drop-down."""
    code, key = classroom.create_room(SETUP)
    _, rc = solara.render(app.UmpirePage(code, key), handle_error=False)
    rc.find(v.Btn, children=["End the game"]).widget.click()
    commodity = rc.find(v.Select, label="Commodity").widget
    rc.find(v.Btn, children=["Run the turn now"]).widget.click()  # the game has ended
    assert len(rc.find(v.Alert).widgets) == 1, page_text(rc)
    assert rc.find(v.Select, label="Commodity").widget is commodity
