"""`wargame new-theatre`: a minimal theatre that validates and runs at once, never overwriting."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.invariants import check_day, starting_counts
from tests.test_cli import assert_clean_failure, wargame
from wargame.engine.model import ConflictModel
from wargame.scenario import PlaceKind, load_theatre
from wargame.scenario.scaffold import default_title, new_theatre


def test_the_scaffold_is_two_towns_a_road_a_crossing_and_two_hostile_factions(tmp_path):
    theatre = load_theatre(new_theatre(tmp_path / "my_island"))
    kinds = [place.kind for place in theatre.map.places.values()]
    assert kinds.count(PlaceKind.TOWN) == 2
    towns = [p.id for p in theatre.map.places.values() if p.kind is PlaceKind.TOWN]
    assert any({road.a, road.b} == set(towns) for road in theatre.map.roads)
    sanctuaries = {p.id for p in theatre.map.places.values() if p.kind is PlaceKind.SANCTUARY}
    crossings = [
        road for road in theatre.map.roads if {road.a, road.b} & sanctuaries and
        any(theatre.map.places[end].kind is PlaceKind.BORDER_POST for end in (road.a, road.b))
    ]  # fmt: skip
    assert crossings and theatre.map.border
    assert len(theatre.factions) == 2
    first, second = theatre.factions
    assert theatre.factions[first].relations[second] < 0
    assert theatre.factions[second].relations[first] < 0
    # its own faction files, not the shipped ones
    assert all(path.parent == tmp_path / "my_island" / "agents" for path in
               theatre.faction_paths.values())  # fmt: skip
    assert theatre.title == "My island"


def test_the_scaffold_plays_a_war_at_once_keeping_its_laws_every_day(tmp_path):
    """Not a still life: over a few seeds places change hands, soldiers are lost and
    people flee, while soldiers, civilians and money are conserved each day."""
    setup = new_theatre(tmp_path / "t")
    captured = fought = fled = 0
    for seed in range(5):
        model = ConflictModel(setup, rng=seed)
        start, people = starting_counts(model)
        held = dict(model.controller)
        for _ in range(90):
            model.step()
            check_day(model, start, people)
        captured += model.controller != held
        fought += sum(f.killed for f in model.factions.values()) > 0
        civilians = model.summary()["civilians"]
        fled += civilians["displaced"] + civilians["refugees_abroad"] + civilians["returned"] > 0
    assert captured >= 3 and fought >= 3 and fled >= 3


def test_new_theatre_from_the_command_line_validates_and_runs(tmp_path):
    made = wargame("new-theatre", "border_war", "--title", "A border war", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "border_war/setup.toml" in made.stdout
    checked = wargame("validate", "border_war", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "valid theatre 'border_war': 4 places, 3 roads, 2 factions" in checked.stdout
    ran = wargame("run", "--scenario", "border_war", "--days", "30", "--json", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout)
    assert summary["days"] == 30 and set(summary["factions"]) == {"rebels", "government"}
    assert load_theatre(tmp_path / "border_war").title == "A border war"


def test_new_theatre_never_overwrites(tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "setup.toml").write_text("mine = 1\n")
    assert_clean_failure(wargame("new-theatre", str(folder)), "already exists")
    assert (folder / "setup.toml").read_text() == "mine = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]  # no staging folder left


def test_an_empty_folder_is_filled(tmp_path):
    (tmp_path / "empty").mkdir()
    assert new_theatre(tmp_path / "empty").is_file()


@pytest.mark.parametrize("title", ['say "hi"', "back\\slash", "   "])
def test_a_title_toml_cannot_hold_is_refused_and_nothing_written(tmp_path, title):
    assert_clean_failure(wargame("new-theatre", str(tmp_path / "t"), "--title", title), "--title")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("folder", "title"),
    [("my_island", "My island"), ("north-war", "North war"), ("Kessel", "Kessel")],
)
def test_a_title_is_made_from_the_folder_name(folder, title, tmp_path):
    assert default_title(tmp_path / folder) == title


def test_the_commands_it_suggests_work_as_printed_for_a_folder_with_spaces(tmp_path):
    """A folder name the shell would split or expand is quoted in the command to try next
    (new-theatre, generate)."""
    made = wargame("new-theatre", "My Theatre!", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    suggested = made.stdout.split("Try `")[1].split("`")[0]
    assert shlex.split(suggested) == ["wargame", "run", "--scenario", "My Theatre!", "--days", "60"]
    generated = wargame("generate", "Big One!", "--places", "20", cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    runs = generated.stdout.split("open it with `")[1].split("`")[0]
    assert shlex.split(runs) == ["wargame", "run", "--scenario", "Big One!"]
