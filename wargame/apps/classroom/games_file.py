"""The classroom's games file: one SQLite file a server holds for its life.

Kept apart from the rooms (`rooms`), which play games and so import the model: `wargame
classroom` checks and locks the file here before it hands over to the server, and a
command that starts in a second should not import the model twice (once here, once in
the server it becomes).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from pathlib import Path

from wargame.files import StrPath

DB_ENV = "WARGAME_CLASSROOM_DB"
"""The games file the server is given by `wargame classroom`."""
LOCK_ENV = "WARGAME_CLASSROOM_LOCK"
"""The descriptor of the lock `wargame classroom` took, which the server inherits."""

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
    room text not null, turn integer not null, record text not null, committed text not null,
    primary key (room, turn)
);
create table if not exists pending (
    room text not null, kind text not null, faction text not null, body text not null,
    seq integer primary key autoincrement
);
"""
TABLES = ("rooms", "seats", "turns", "pending")
SCHEMA_VERSION = 1
"""The games' file's layout (`pragma user_version`). Files made before it was numbered
(version 0) have the same tables and are numbered when a server opens them."""


class LockedDatabase:
    """The one SQLite connection every page's thread shares, one statement at a time.

    A connection is not safe to use from two threads at once: under load (ten
    players' pages polling a room) a thread read another's half-read cursor and
    a page went blank (benchmarks/load.py). Each statement runs under the
    classroom's lock and hands back all its rows; a `with` block (a
    transaction) holds the lock throughout.
    """

    def __init__(self, connection: sqlite3.Connection, lock: threading.RLock) -> None:
        self.connection = connection
        self.lock = lock

    def execute(self, sql: str, parameters: tuple = ()) -> Rows:
        with self.lock:
            return Rows(self.connection.execute(sql, parameters).fetchall())

    def executescript(self, script: str) -> None:
        with self.lock:
            self.connection.executescript(script)

    def __enter__(self) -> LockedDatabase:
        self.lock.acquire()
        self.connection.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.connection.__exit__(*exc)
        finally:
            self.lock.release()


class Rows(list):
    """A statement's rows, read in full: iterate them, or take the first."""

    def fetchone(self) -> tuple | None:
        return self[0] if self else None

    def fetchall(self) -> list[tuple]:
        return list(self)


class ClassroomError(Exception):
    """The games' file cannot be served (in use, empty, damaged, not a classroom's):
    the message names the file, what is wrong and what to do."""


class ServerLock:
    """One server per games' file, held for the server's life.

    Each server keeps its rooms' games in memory: two on one file each ran
    their own game, and one team's orders vanished when the other server ran
    the turn. The lock is the system's (`flock` on FILE.lock, which holds the
    holder's process id), so it goes with its process however that ends.
    `wargame classroom` takes it before starting the server, which inherits it
    (`inherited`: its descriptor).
    """

    def __init__(self, db: StrPath, inherited: int | None = None) -> None:
        db = Path(db)
        self.path = db.with_name(db.name + ".lock")
        if not db.parent.is_dir():
            raise ClassroomError(f"{db}: no folder {db.parent} to keep the games' file in")
        try:
            if inherited is not None and _same_file(inherited, self.path):
                self.file = open(inherited, "r+b", buffering=0)  # noqa: SIM115 - held for life
                os.set_inheritable(inherited, False)
            else:
                descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self.file = open(descriptor, "r+b", buffering=0)  # noqa: SIM115
        except OSError as error:
            raise ClassroomError(f"{db}: cannot be locked: {error.strerror}") from None
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.file.fileno(), 20, 0).decode(errors="replace").strip()
            self.file.close()
            raise ClassroomError(
                f"{db}: in use by another classroom server (process {holder or 'unknown'}); "
                "stop that one first, or give this one another --db"
            ) from None
        self.file.truncate(0)
        os.pwrite(self.file.fileno(), f"{os.getpid()}\n".encode(), 0)

    def fileno(self) -> int:
        return self.file.fileno()

    def release(self) -> None:
        self.file.close()


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        held, named = os.fstat(descriptor), path.stat()
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def open_games_file(path: StrPath, read_only: bool = False) -> sqlite3.Connection:
    """The games' file, checked; made (readable by its owner only) when there is none yet.

    Raises ClassroomError for a file a server must not serve: an empty one
    (SQLite would take it for a new classroom, every room gone), a damaged
    one, another program's, or one a newer wargame laid out. The file holds
    umpire keys and team tokens, so it is kept readable by its owner only.
    """
    path = Path(path)
    fresh = not path.exists()
    try:
        if fresh and read_only:
            raise ClassroomError(f"{path}: no classroom file yet (`wargame classroom` makes it)")
        if fresh:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        elif not path.is_file():
            raise ClassroomError(f"{path}: not a file; expected the classroom's games file")
        elif path.stat().st_size == 0:
            raise ClassroomError(
                f"{path}: an empty file, not a classroom's games (serving it would show no "
                "rooms); restore it from a copy, or delete it to start an empty classroom"
            )
        elif not os.access(path, os.R_OK if read_only else os.R_OK | os.W_OK):
            raise ClassroomError(f"{path}: this user may not {'read' if read_only else 'write'} it")
        elif not read_only and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError as error:
        raise ClassroomError(f"{path}: cannot be used: {error.strerror}") from None
    mode = "ro" if read_only else "rw"
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        check_same_thread=False,
        isolation_level=None,
    )
    try:
        _check_layout(connection, path, fresh, read_only)
    except sqlite3.Error as error:
        connection.close()
        if fresh:
            path.unlink(missing_ok=True)
        raise ClassroomError(
            f"{path}: damaged or not a classroom's games file ({error}); restore it from a "
            "copy, or move it away to start an empty classroom"
        ) from None
    except ClassroomError:
        connection.close()
        raise
    return connection


def _check_layout(connection: sqlite3.Connection, path: Path, fresh: bool, read_only: bool) -> None:
    version = connection.execute("pragma user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ClassroomError(
            f"{path}: laid out by a newer wargame (layout {version}; this one reads "
            f"{SCHEMA_VERSION}); upgrade wargame to serve it"
        )
    (damage,) = connection.execute("pragma quick_check(1)").fetchone()
    if damage != "ok":  # SQLite's first finding, on one line
        raise sqlite3.DatabaseError(damage.strip().splitlines()[-1])
    if fresh:
        connection.executescript(f"{SCHEMA} pragma user_version = {SCHEMA_VERSION};")
        return
    with contextlib.closing(sqlite3.connect(":memory:")) as expected:
        expected.executescript(SCHEMA)
        layout = _layout(expected)
    if _layout(connection) != layout:
        raise ClassroomError(
            f"{path}: not a classroom's games file (its tables are not the classroom's); "
            "give --db the file `wargame classroom` made"
        )
    if version < SCHEMA_VERSION and not read_only:
        connection.execute(f"pragma user_version = {SCHEMA_VERSION}")


def _layout(connection: sqlite3.Connection) -> dict[str, list[str]]:
    """The classroom's tables' columns as the file has them (no columns: no such table)."""
    return {
        table: [column[1] for column in connection.execute(f"pragma table_info({table})")]
        for table in TABLES
    }
