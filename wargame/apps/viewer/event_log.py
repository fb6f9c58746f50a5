"""The event log's filters: the story newest first, narrowed to a faction or a kind of event."""

from __future__ import annotations

from collections.abc import Iterable

from wargame.engine.events import Event, EventKind

EVERY = "all"


def filter_events(
    events: Iterable[Event], faction: str = EVERY, kind: str = EVERY, limit: int = 60
) -> list[Event]:
    """The newest `limit` events, newest first, that involve `faction` and are of `kind`."""
    chosen = []
    for event in reversed(list(events)):
        if faction != EVERY and faction not in event.factions:
            continue
        if kind != EVERY and event.kind is not EventKind(kind):
            continue
        chosen.append(event)
        if len(chosen) == limit:
            break
    return chosen


def kind_label(kind: EventKind) -> str:
    return kind.value.replace("_", " ")
