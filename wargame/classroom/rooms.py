"""Rooms and seats, kept in SQLite as they happen, so a restarted server loses no game.

A room has a short join code for students and a longer umpire key for the
teacher; a seat (a team at a faction) has a token its page keeps, so a reload
rejoins it. Every action goes through here and is checked here: a token
speaks only for its own faction, whatever the page sends.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from wargame.classroom.game import Game, GameSetup, Injection
from wargame.classroom.team import OrderError, TurnOrders

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread on a board
CODE_LENGTH = 8  # 31^8 ~ 8.5e11 codes: not guessable by a class

SCHEMA = """
create table if not exists rooms (
    code text primary key, umpire_key text not null, setup text not null,
    created text not null, updated text not null, status text not null
);
create table if not exists seats (
    token text primary key, room text not null, faction text not null, team text not null,
    unique (room, faction)
);
create table if not exists turns (
    room text not null, turn integer not null, record text not null, primary key (room, turn)
);
create table if not exists pending (
    room text not null, kind text not null, faction text not null, body text not null,
    seq integer primary key autoincrement
);
"""


class RoomError(ValueError):
    pass


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

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.executescript(SCHEMA)
        self.lock = threading.RLock()
        self.games: dict[str, Game] = {}
        for (code,) in self.db.execute("select code from rooms where status != 'ended'"):
            self.games[code] = self._rebuild(code)

    # --- the umpire -------------------------------------------------------------------

    def create_room(self, setup: GameSetup) -> tuple[str, str]:
        """A new room; returns its join code and the umpire's key."""
        with self.lock:
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
        row = self.db.execute("select umpire_key from rooms where code = ?", (code,)).fetchone()
        if row is None or not secrets.compare_digest(row[0], key):
            raise RoomError("no room with that code and umpire key")
        return self.game(code)

    def inject(self, code: str, key: str, injection: Injection) -> None:
        with self.lock:
            self.umpire(code, key).inject(injection)
            self._pending(code, "inject", "", injection.model_dump_json())

    def force_turn(self, code: str, key: str) -> None:
        with self.lock:
            game = self.umpire(code, key)
            game.advance()
            self._commit_turn(code, game)

    def end(self, code: str, key: str) -> None:
        with self.lock:
            self.umpire(code, key)
            self.db.execute(
                "update rooms set status = 'ended', updated = ? where code = ?", (_now(), code)
            )

    def rooms(self) -> list[dict[str, object]]:
        rows = self.db.execute(
            "select code, setup, created, updated, status from rooms order by created"
        )
        return [
            {"code": c, "setup": json.loads(s), "created": cr, "updated": u, "status": st}
            for c, s, cr, u, st in rows
        ]

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

    def seat(self, token: str) -> Seat:
        row = self.db.execute(
            "select token, room, faction, team from seats where token = ?", (token,)
        ).fetchone()
        if row is None:
            raise RoomError("no such seat")
        return Seat(*row)

    def submit(self, token: str, orders: TurnOrders) -> bool:
        """A team's orders; the faction is the seat's, never one the page names."""
        with self.lock:
            seat = self.seat(token)
            game = self.game(seat.room)
            advanced = game.submit(seat.faction, orders)
            if advanced:
                self._commit_turn(seat.room, game)
            else:
                self._pending(seat.room, "orders", seat.faction, orders.model_dump_json())
            return advanced

    # --- storage ----------------------------------------------------------------------

    def game(self, code: str) -> Game:
        if code not in self.games:
            raise RoomError("no open room with that code")
        return self.games[code]

    def _pending(self, code: str, kind: str, faction: str, body: str) -> None:
        self.db.execute(
            "insert into pending (room, kind, faction, body) values (?, ?, ?, ?)",
            (code, kind, faction, body),
        )
        self.db.execute("update rooms set updated = ? where code = ?", (_now(), code))

    def _commit_turn(self, code: str, game: Game) -> None:
        turn = game.record[-1]
        with self.db:
            self.db.execute("begin")
            self.db.execute(
                "insert into turns values (?, ?, ?)", (code, turn["turn"], json.dumps(turn))
            )
            self.db.execute("delete from pending where room = ?", (code,))
            self.db.execute("update rooms set updated = ? where code = ?", (_now(), code))

    def _rebuild(self, code: str) -> Game:
        (setup,) = self.db.execute("select setup from rooms where code = ?", (code,)).fetchone()
        record = [
            json.loads(r)
            for (r,) in self.db.execute(
                "select record from turns where room = ? order by turn", (code,)
            )
        ]
        game = Game.replay(GameSetup.model_validate_json(setup), record)
        for kind, faction, body in self.db.execute(
            "select kind, faction, body from pending where room = ? order by seq", (code,)
        ):
            if kind == "orders":
                game.submitted[faction] = TurnOrders.model_validate_json(body)
            else:
                game.injections.append(Injection.model_validate_json(body))
        return game


__all__ = ["Classroom", "OrderError", "RoomError", "Seat"]
