"""What a hostile or careless visitor or teacher found in the classroom server (issue 17).

A set-up that a page, an uploaded record or the games' file names is opened only
inside what the server serves, and refused unread otherwise; the games' file is
served by one server at a time, checked before it is served and readable by its
owner only; a record asks for no more work than its own set-up. The same things
through the pages, in Chromium: tests/test_classroom_browser.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time

import pytest
from browser import free_port
from fresh_python import fresh_python
from theatres import write_theatre

from wargame.apps.classroom.game import MAX_GAME_DAYS, Game, GameSetup
from wargame.apps.classroom.games_file import ClassroomError, open_games_file
from wargame.apps.classroom.rooms import Classroom, RoomError, read_record
from wargame.apps.classroom.team import TurnOrders
from wargame.apps.viewer import THEATRES_ENV
from wargame.apps.viewer.access import served_theatres
from wargame.scenario import loader

SECRET = "SECRET-VALUE-42"
LEAKS = ("TOML", "Expected", "line 1", "api_key", SECRET, "root:")
"""What a refusal must not say: a file's format, its keys or values, its first line."""


def write_folders(tmp_path):
    """The server's theatres folder (one theatre, two links out of it) and a folder beside it."""
    root, outside = tmp_path / "theatres", tmp_path / "elsewhere"
    write_theatre(root / "ours")
    write_theatre(outside / "theirs")
    (outside / "secret.toml").write_text(f'[scenario]\napi_key = "{SECRET}"\n', encoding="utf-8")
    (root / "link").symlink_to(outside / "theirs")
    linked = write_theatre(root / "linked_setup")
    (linked / "setup.toml").unlink()
    (linked / "setup.toml").symlink_to(outside / "secret.toml")
    return root, outside


@pytest.fixture
def folders(tmp_path, monkeypatch):
    root, outside = write_folders(tmp_path)
    monkeypatch.setenv(THEATRES_ENV, str(root))
    return root, outside


def outside_names(root, outside) -> list[str]:
    """Paths a record or a forged form may name, none of them inside the theatres folder."""
    return [
        "/etc/passwd",
        "/etc/shadow",
        "/etc",
        str(outside / "secret.toml"),
        str(outside / "theirs"),  # a whole theatre, absolute
        f"{root}/../elsewhere/theirs",  # `..` out of the folder
        f"{root}/ours/../../elsewhere/secret.toml",
        "../../../../../../../etc/passwd",  # relative to wherever the server runs
        str(root / "link"),  # a link in the folder to a theatre outside it
        str(root / "linked_setup"),  # a theatre whose set-up links outside
    ]


def store_rooms(store, names: list[str]) -> list[str]:
    """Rooms on `names` as an older server stored them (its drop-down's value rewritten on the
    way), each with the umpire key "key" and a team at seat "seat<code>"; their codes."""
    codes = [f"OUT{index}" for index in range(len(names))]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with sqlite3.connect(store) as db:
        for code, name in zip(codes, names, strict=True):
            setup = GameSetup(theatre=name, humans=["red"]).model_dump_json()
            db.execute(
                "insert into rooms values (?, 'key', ?, ?, ?, 'open')", (code, setup, now, now)
            )
            db.execute("insert into seats values (?, ?, 'red', 'A')", (f"seat{code}", code))
    return codes


def record(theatre: str, played: list | None = None, **setup) -> bytes:
    setup = {"theatre": theatre, "humans": ["red"], **setup}
    return json.dumps({"setup": setup, "turns": played or []}).encode()


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Every TOML file the loader opens, to show that a refusal opened none."""
    opened: list[str] = []
    read_toml = loader.read_toml

    def spy(path):
        opened.append(str(path))
        return read_toml(path)

    monkeypatch.setattr(loader, "read_toml", spy)
    return opened


def test_a_record_naming_a_path_outside_the_theatres_folder_is_refused_unread(folders, reads):
    root, outside = folders
    for name in outside_names(root, outside):
        with pytest.raises(RoomError) as refused:
            read_record(record(name))
        message = str(refused.value)
        assert "theatre folders inside" in message or "links outside" in message, name
        assert not any(leak in message for leak in LEAKS), (name, message)
    assert reads == []  # nothing was opened to find out


def test_no_room_is_made_on_an_outside_path_and_a_stored_one_is_not_rebuilt(
    folders, reads, tmp_path
):
    root, outside = folders
    store = tmp_path / "classroom.sqlite"
    classroom = Classroom(store)
    names = outside_names(root, outside)
    for name in names:
        with pytest.raises(RoomError, match=r"theatre folders inside|links outside"):
            classroom.create_room(GameSetup(theatre=name, humans=["red"]))
    assert classroom.rooms() == []
    ours, _ = classroom.create_room(GameSetup(theatre=str(root / "ours"), humans=["red"]))
    classroom.close()
    codes = store_rooms(store, names)
    reads.clear()
    restarted = Classroom(store)  # starts: the rooms it cannot serve do not stop the others
    assert restarted.game(ours).model.theatre.title == "Test theatre"
    for code, name in zip(codes, names, strict=True):
        for attempt, arguments in ((restarted.game, ()), (restarted.umpire, ("key",))):
            with pytest.raises(RoomError) as refused:
                attempt(code, *arguments)
            assert "cannot be rebuilt" in str(refused.value)
            assert not any(leak in str(refused.value) for leak in LEAKS), name
        with pytest.raises(RoomError):
            restarted.submit(f"seat{code}", TurnOrders())
    assert all(path.startswith(str(root / "ours")) for path in reads), reads


def test_a_theatre_in_the_theatres_folder_is_offered_played_and_replayed(folders, tmp_path):
    root, outside = folders
    offered = served_theatres()
    assert offered["ours (theatre folder)"] == str(root / "ours")
    assert not any(str(outside) in path or "link" in path for path in offered.values())
    setup = GameSetup(theatre=str(root / "ours"), humans=["red"], turn_days=3, turns=2)
    classroom = Classroom(tmp_path / "c.sqlite")
    code, _ = classroom.create_room(setup)
    seat = classroom.join(code, "A", "red")
    assert classroom.submit(seat.token, TurnOrders()) is True
    game = classroom.game(code)
    data = json.dumps({"setup": setup.model_dump(), "turns": game.record}).encode()
    assert read_record(data)[1] == game.record


def test_an_exercise_is_named_not_given_as_a_path(folders, tmp_path):
    _, outside = folders
    (outside / "sheet.md").write_text(SECRET, encoding="utf-8")
    classroom = Classroom(tmp_path / "c.sqlite")
    for name in (str(outside / "secret"), "../../elsewhere/secret", "/etc/passwd"):
        with pytest.raises(RoomError, match="No shipped exercise"):
            classroom.create_room(GameSetup(theatre="kachin", humans=["kia"], exercise=name))
        with pytest.raises(RoomError, match="No shipped exercise"):
            read_record(record("kachin", humans=["kia"], exercise=name))
    code, _ = classroom.create_room(
        GameSetup(theatre="kachin", humans=["kia"], exercise="why_the_border_fell")
    )
    assert classroom.game(code).setup.exercise == "why_the_border_fell"


def test_a_record_asks_for_no_more_turns_than_its_set_up_has():
    game = Game(GameSetup(theatre="kachin", humans=["kia"], turn_days=7, turns=2))
    for _ in range(2):
        game.submit("kia", TurnOrders())
    forty = [{**game.record[0], "turn": n} for n in range(40)]
    started = time.process_time()
    with pytest.raises(RoomError, match="40 turns played; its set-up has 10 turns"):
        read_record(record("kachin", forty, humans=["kia"], turn_days=7))
    assert time.process_time() - started < 0.5  # refused before any day is played
    with pytest.raises(RoomError, match=f"a game lasts at most {MAX_GAME_DAYS}"):
        read_record(record("kachin", forty, humans=["kia"], turn_days=60, turns=40))
    shuffled = [game.record[1], game.record[0]]
    with pytest.raises(RoomError, match=r"turns\[0\] is numbered 1; expected 0"):
        read_record(record("kachin", shuffled, humans=["kia"], turns=2))
    with pytest.raises(RoomError, match=r"turns\[0\]\.orders\.kia\.units"):
        read_record(
            record("kachin", [{"turn": 0, "orders": {"kia": {"units": 3}}}], humans=["kia"])
        )


# --- the games' file ---------------------------------------------------------------------


def test_one_server_per_games_file(tmp_path):
    store = tmp_path / "classroom.sqlite"
    first = Classroom(store)
    with pytest.raises(ClassroomError, match="in use by another classroom server"):
        Classroom(store)
    code, _ = first.create_room(GameSetup(theatre="kachin", humans=["kia"]))
    assert Classroom(store, read_only=True).rooms()[0]["code"] == code  # a look is allowed
    first.close()
    assert Classroom(store).game(code).turn == 0  # the next server


def test_the_classroom_command_checks_its_file_without_importing_the_model(tmp_path):
    """`wargame classroom` checks and locks the games file, then becomes the server, which
    imports the model: importing it here too cost every start about seven seconds
    (a first page in 16 s instead of 8.5 s on an idle machine)."""
    store = tmp_path / "classroom.sqlite"
    script = (
        "import os, sys\n"
        "from wargame.cli import main\n"
        "def become(path, argv, env):\n"
        "    heavy = ('mesa', 'pandas', 'solara')\n"
        "    print(argv[1:4], sorted(m for m in heavy if m in sys.modules))\n"
        "    sys.exit(0)\n"
        "os.execve = become\n"
        f"main(['classroom', '--db', {str(store)!r}, '--port', '{free_port()}'])\n"
    )
    out = fresh_python(script).strip().splitlines()
    assert out[-1] == "['-m', 'solara', 'run'] []"
    assert store.is_file()  # checked and laid out before the server starts


def wargame(*args: str) -> subprocess.CompletedProcess:
    """`wargame ARGS`; one that does not refuse starts a server, which the timeout stops."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "wargame.cli", *args, "--port", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"wargame {' '.join(args)} started a server instead of refusing")


def test_a_second_classroom_command_on_a_file_in_use_exits_with_one_line(tmp_path):
    store = tmp_path / "classroom.sqlite"
    server = Classroom(store)  # as the running server holds it
    result = wargame("classroom", "--db", str(store))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {store}: in use by another classroom server (process "
        f"{os.getpid()}); stop that one first, or give this one another --db"
    ]
    listed = wargame("classroom", "--db", str(store), "--list")  # beside it: a look
    assert listed.returncode == 0 and listed.stdout == ""
    server.close()


def test_an_empty_damaged_or_foreign_games_file_is_refused_by_name(tmp_path):
    good = tmp_path / "good.sqlite"
    Classroom(good).create_room(GameSetup(theatre="kachin", humans=["kia"]))
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    damaged = tmp_path / "damaged.sqlite"
    content = bytearray(good.read_bytes())
    content[4096:8192] = b"\xff" * 4096
    damaged.write_bytes(bytes(content))
    for path, problem in ((empty, "an empty file"), (damaged, "damaged")):
        result = wargame("classroom", "--db", str(path))
        assert result.returncode == 1
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"error: {path}: {problem}") and "restore it from a copy" in line
        assert "Traceback" not in result.stderr
    text = tmp_path / "notes.sqlite"
    text.write_text("my notes, saved under the wrong name\n" * 50, encoding="utf-8")
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("create table rooms (name text)")
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as db:
        db.execute("pragma user_version = 99")
    for path, problem in (
        (text, "damaged or not a classroom's games file (file is not a database)"),
        (foreign, "not a classroom's games file (its tables are not the classroom's)"),
        (newer, "laid out by a newer wargame (layout 99; this one reads 1)"),
    ):
        with pytest.raises(ClassroomError) as refused:
            open_games_file(path)
        assert str(refused.value).startswith(f"{path}: {problem}")
    assert empty.stat().st_size == 0 and text.read_text().startswith("my notes")  # left as found


def test_the_games_file_is_readable_by_its_owner_only(tmp_path):
    store = tmp_path / "classroom.sqlite"
    Classroom(store).create_room(GameSetup(theatre="kachin", humans=["kia"]))
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    older = tmp_path / "older.sqlite"  # made world-readable by an older server
    older.write_bytes(store.read_bytes())
    older.chmod(0o644)
    Classroom(older).close()
    assert stat.S_IMODE(older.stat().st_mode) == 0o600


def test_a_games_file_from_before_its_layout_was_numbered_is_served(tmp_path):
    from wargame.apps.classroom.games_file import SCHEMA

    store = tmp_path / "classroom.sqlite"
    with sqlite3.connect(store) as db:  # as the first classroom servers made it
        db.executescript(SCHEMA)
    code, _ = Classroom(store).create_room(GameSetup(theatre="kachin", humans=["kia"]))
    with sqlite3.connect(store) as db:
        assert db.execute("pragma user_version").fetchone() == (1,)
    assert Classroom(store, read_only=True).game(code).turn == 0
