"""Rooms and seats, kept in SQLite as they happen, so a restarted server loses no game.

A room has a short join code for students and a longer umpire key for the
teacher; a seat (a team at a faction) has a token its page keeps, so a reload
rejoins it. Every action goes through here and is checked here: a token
speaks only for its own faction, whatever the page sends, and a set-up (a
form's, an uploaded record's, the file's own) opens only a theatre the server
serves (`check_served`). One server serves a file at a time, and only once the
file is checked (`games_file`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from wargame.apps.classroom.game import Game, GameRecord, GameSetup, Injection
from wargame.apps.classroom.games_file import (
    ClassroomError,
    LockedDatabase,
    ServerLock,
    open_games_file,
)
from wargame.apps.classroom.team import OrderError, TurnOrders
from wargame.apps.viewer.access import refusal
from wargame.files import StrPath
from wargame.scenario import ScenarioError
from wargame.scenario.errors import from_validation_error
from wargame.scenario.exercises import PREFIX

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread on a board
CODE_LENGTH = 8  # 31^8 ~ 8.5e11 codes: not guessable by a class
PLAYED = ("open", "paused")
"""The statuses of a room whose game the teams still play; any other's is over (a debrief)."""
IDLE = dt.timedelta(hours=12)
"""A room nobody has touched for this long is closed (it stays on file, to list and replay)."""

log = logging.getLogger(__name__)


class RoomError(ValueError):
    pass


def check_served(setup: GameSetup) -> None:
    """Raise RoomError unless this server may open the set-up's theatre and exercise.

    A set-up comes from a page's form, an uploaded record or the games' file,
    any of which may name any path: it is checked as the viewer checks a page's
    folder, before anything reads the theatre.
    """
    refused = refusal(setup.theatre)
    if not refused and setup.exercise is not None:
        refused = refusal(PREFIX + setup.exercise)
    if refused:
        raise RoomError(refused)


def read_record(data: bytes, name: str = "game record") -> tuple[GameSetup, list[dict]]:
    """A downloaded game record: its set-up and turns, checked before anything replays it.

    Raises RoomError naming the record (`name`) and what is wrong with it; a
    theatre or exercise this server does not serve is refused unread.
    """
    try:
        record = GameRecord.model_validate_json(data)
    except ValidationError as error:
        raise RoomError(str(from_validation_error(name, error))) from None
    turns = [turn.model_dump(mode="json") for turn in record.turns]
    try:
        check_served(record.setup)
        Game.replay(record.setup, turns)  # every order checked as it was when given
    except (RoomError, OrderError) as problem:
        raise type(problem)(f"{name}: {problem}") from None
    return record.setup, turns


@dataclass(frozen=True)
class Seat:
    token: str
    room: str
    faction: str
    team: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Classroom:
    """Every room of one server, backed by one SQLite file."""

    def __init__(
        self, path: StrPath, read_only: bool = False, lock: ServerLock | None = None
    ) -> None:
        """The server's classroom (it holds `lock`, or takes it: one server per file), or with
        `read_only` a look at the file beside a running server (`wargame classroom --list`)."""
        self.path = Path(path)
        self.lock = threading.RLock()
        self.file_lock = None if read_only else lock or ServerLock(self.path)
        try:
            connection = open_games_file(self.path, read_only)
        except ClassroomError:
            if lock is None and self.file_lock is not None:
                self.file_lock.release()
            raise
        self.db = LockedDatabase(connection, self.lock)
        self.games: dict[str, Game] = {}
        self.unavailable: dict[str, str] = {}
        """Rooms that cannot be rebuilt from the file, and why (their pages say it)."""
        if read_only:
            return
        self.sweep()
        for (code,) in self.db.execute("select code from rooms where status in ('open', 'paused')"):
            try:
                self._loaded(code)
            except RoomError as problem:
                log.warning("%s", problem)

    def close(self) -> None:
        """Let go of the file (and of the lock on it): another server may serve it now."""
        self.db.connection.close()
        if self.file_lock is not None:
            self.file_lock.release()

    def sweep(self, now: dt.datetime | None = None) -> list[str]:
        """Close rooms idle for longer than IDLE; returns their codes."""
        cutoff = ((now or dt.datetime.now(dt.UTC)) - IDLE).isoformat(timespec="seconds")
        with self.lock:
            idle = [
                code
                for (code,) in self.db.execute(
                    "select code from rooms where status in ('open', 'paused') and updated < ?",
                    (cutoff,),
                )
            ]
            for code in idle:
                self.db.execute("update rooms set status = 'idle' where code = ?", (code,))
                self.games.pop(code, None)
            return idle

    # --- the umpire -------------------------------------------------------------------

    def create_room(self, setup: GameSetup) -> tuple[str, str]:
        """A new room; returns its join code and the umpire's key."""
        with self.lock:
            check_served(setup)
            game = Game(setup)
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            key = secrets.token_urlsafe(16)
            self.db.execute(
                "insert into rooms values (?, ?, ?, ?, ?, 'open')",
                (code, key, setup.model_dump_json(), _now(), _now()),
            )
            self.games[code] = game
            return code, key

    def umpire(self, code: str, key: str) -> Game:
        """The room's game for its umpire; a closed game is rebuilt, to replay or reopen."""
        row = self.db.execute("select umpire_key from rooms where code = ?", (code,)).fetchone()
        if row is None or not secrets.compare_digest(row[0], key):
            raise RoomError("no room with that code and umpire key")
        return self._loaded(code)

    def deadline(self, code: str) -> dt.datetime | None:
        """When a timed turn runs by itself: its start (the last turn, or the room's) + its time."""
        minutes = self.game(code).setup.turn_minutes
        if minutes is None:
            return None
        (last,) = self.db.execute(
            "select coalesce(max(committed), (select created from rooms where code = ?)) "
            "from turns where room = ?",
            (code, code),
        ).fetchone()
        return dt.datetime.fromisoformat(last) + dt.timedelta(minutes=minutes)

    def tick(self, now: dt.datetime | None = None) -> list[str]:
        """Run every open timed turn whose time is up; returns the rooms that moved on."""
        now = now or dt.datetime.now(dt.UTC)
        moved = []
        with self.lock:
            for code, game in list(self.games.items()):
                if self.status(code) != "open" or game.finished:
                    continue
                due = self.deadline(code)
                if due is not None and now >= due:
                    game.advance()
                    self._commit_turn(code, game, when=now)
                    moved.append(code)
        return moved

    def status(self, code: str) -> str:
        row = self.db.execute("select status from rooms where code = ?", (code,)).fetchone()
        if row is None:
            raise RoomError("no room with that code")
        return row[0]

    def _set_status(self, code: str, status: str) -> None:
        self.db.execute(
            "update rooms set status = ?, updated = ? where code = ?", (status, _now(), code)
        )

    def pause(self, code: str, key: str) -> None:
        with self.lock:
            self.umpire(code, key).paused = True
            self._set_status(code, "paused")

    def resume(self, code: str, key: str) -> None:
        """Reopens a game closed when idle, or paused; runs the turn if every team had sent its
        orders. An ended game stays ended: its teams have seen the whole game in the debrief."""
        with self.lock:
            game = self.umpire(code, key)
            if self.status(code) == "ended":
                raise RoomError("the game is over: its teams have seen the debrief")
            self._set_status(code, "open")
            if game.resume():
                self._commit_turn(code, game)

    def inject(self, code: str, key: str, injection: Injection) -> None:
        with self.lock:
            self.umpire(code, key).inject(injection)
            self._pending(code, "inject", "", injection.model_dump_json())

    def force_turn(self, code: str, key: str) -> None:
        with self.lock:
            game = self.umpire(code, key)
            if self.status(code) != "open":
                raise RoomError(f"the game is {self.status(code)}: resume it first")
            game.advance()
            self._commit_turn(code, game)

    def end(self, code: str, key: str) -> None:
        with self.lock:
            self.umpire(code, key)
            self._set_status(code, "ended")

    def rooms(self, with_keys: bool = False) -> list[dict[str, object]]:
        """Every game on file, newest last; `with_keys` for the teacher's terminal only."""
        rows = self.db.execute(
            "select code, umpire_key, setup, created, updated, status from rooms order by created"
        )
        listed = []
        for code, key, setup, created, updated, status in rows:
            turns = self.db.execute("select count(*) from turns where room = ?", (code,))
            listed.append(
                {
                    "code": code,
                    "setup": json.loads(setup),
                    "created": created,
                    "updated": updated,
                    "status": status,
                    "turns_played": turns.fetchone()[0],
                    **({"umpire_key": key} if with_keys else {}),
                }
            )
        return listed

    # --- the teams --------------------------------------------------------------------

    def join(self, code: str, team: str, faction: str) -> Seat:
        with self.lock:
            game = self.game(code)
            if faction not in game.setup.humans:
                raise RoomError(f"{faction} is not played by a team in this room")
            token = secrets.token_urlsafe(16)
            try:
                self.db.execute(
                    "insert into seats values (?, ?, ?, ?)",
                    (token, code, faction, team.strip()[:40]),
                )
            except sqlite3.IntegrityError:
                raise RoomError(f"{faction} is already taken in this room") from None
            return Seat(token, code, faction, team)

    def taken(self, code: str) -> set[str]:
        """Factions of the room that a team already holds."""
        rows = self.db.execute("select faction from seats where room = ?", (code,))
        return {faction for (faction,) in rows}

    def seat(self, token: str) -> Seat:
        row = self.db.execute(
            "select token, room, faction, team from seats where token = ?", (token,)
        ).fetchone()
        if row is None:
            raise RoomError("no such seat")
        return Seat(*row)

    def debrief(self, token: str) -> tuple[Seat, Game]:
        """A seat's game once the umpire ended it, to replay in the debrief without the fog;
        RoomError before (a game closed when idle may be reopened, so it keeps its fog)."""
        with self.lock:
            seat = self.seat(token)
            if self.status(seat.room) != "ended":
                raise RoomError("the game is not over")
            return seat, self._loaded(seat.room)

    def submit(self, token: str, orders: TurnOrders) -> bool:
        """A team's orders; the faction is the seat's, never one the page names. A game that
        is over (a debrief's) takes none."""
        with self.lock:
            seat = self.seat(token)
            if self.status(seat.room) not in PLAYED:
                raise RoomError("the game is over: its debrief takes no orders")
            game = self.game(seat.room)
            advanced = game.submit(seat.faction, orders)
            if advanced:
                self._commit_turn(seat.room, game)
            else:
                self._pending(seat.room, "orders", seat.faction, orders.model_dump_json())
            return advanced

    # --- storage ----------------------------------------------------------------------

    def game(self, code: str) -> Game:
        """The game of an open (or paused) room, as the teams reach it."""
        row = self.db.execute("select status from rooms where code = ?", (code,)).fetchone()
        if row is None or row[0] not in PLAYED:
            raise RoomError("no open room with that code")
        return self._loaded(code)

    def _loaded(self, code: str) -> Game:
        """The room's game, rebuilt from the file when first asked for. A room that cannot be
        rebuilt (its theatre is not served here, its file was tampered with) raises RoomError
        saying why, each time it is asked for, without rebuilding again."""
        with self.lock:
            if code in self.games:
                return self.games[code]
            if code not in self.unavailable:
                try:
                    self.games[code] = self._rebuild(code)
                    return self.games[code]
                except (RoomError, OrderError, ScenarioError, ValueError) as problem:
                    self.unavailable[code] = f"room {code} cannot be rebuilt: {problem}"
                except Exception:  # a bug, not the file: the log has it, the page says so
                    log.exception("room %s cannot be rebuilt", code)
                    self.unavailable[code] = f"room {code} cannot be rebuilt (see the server's log)"
            raise RoomError(self.unavailable[code])

    def _pending(self, code: str, kind: str, faction: str, body: str) -> None:
        self.db.execute(
            "insert into pending (room, kind, faction, body) values (?, ?, ?, ?)",
            (code, kind, faction, body),
        )
        self.db.execute("update rooms set updated = ? where code = ?", (_now(), code))

    def _commit_turn(self, code: str, game: Game, when: dt.datetime | None = None) -> None:
        turn = game.record[-1]
        with self.db:
            self.db.execute("begin")
            self.db.execute(
                "insert into turns values (?, ?, ?, ?)",
                (
                    code,
                    turn["turn"],
                    json.dumps(turn),
                    (when or dt.datetime.now(dt.UTC)).isoformat(),
                ),
            )
            self.db.execute("delete from pending where room = ?", (code,))
            self.db.execute("update rooms set updated = ? where code = ?", (_now(), code))

    def _rebuild(self, code: str) -> Game:
        (setup,) = self.db.execute("select setup from rooms where code = ?", (code,)).fetchone()
        setup = GameSetup.model_validate_json(setup)
        check_served(setup)  # the file may have been written by an older, laxer server
        record = [
            json.loads(r)
            for (r,) in self.db.execute(
                "select record from turns where room = ? order by turn", (code,)
            )
        ]
        game = Game.replay(setup, record)
        game.paused = self.status(code) == "paused"
        for kind, faction, body in self.db.execute(
            "select kind, faction, body from pending where room = ? order by seq", (code,)
        ):
            if kind == "orders":
                game.submitted[faction] = TurnOrders.model_validate_json(body)
            else:
                game.injections.append(Injection.model_validate_json(body))
        return game


__all__ = ["Classroom", "OrderError", "RoomError", "Seat"]
