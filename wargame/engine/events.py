"""The structured event log: the campaign's story as records and sentences."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import Enum


class EventKind(Enum):
    CAPTURE = "capture"
    CONTESTED = "contested"
    RETREAT = "retreat"
    INTERNMENT = "internment"
    REPATRIATION = "repatriation"
    SURRENDER = "surrender"
    DESTROYED = "destroyed"
    CIVILIANS_KILLED = "civilians_killed"
    FLIGHT = "flight"
    RETURN = "return"
    CALLED_HOME = "called_home"
    ALLIANCE = "alliance"
    WAR = "war"
    COLLAPSE = "collapse"
    CEASEFIRE = "ceasefire"
    CEASEFIRE_REFUSED = "ceasefire_refused"
    CEASEFIRE_BROKEN = "ceasefire_broken"
    WARNING = "warning"
    BORDER = "border"
    ORE = "ore"
    OUTSIDE = "outside"


@dataclass(frozen=True, slots=True)
class Event:
    day: int
    date: dt.date
    kind: EventKind
    factions: tuple[str, ...]
    place: str | None
    text: str

    @property
    def sentence(self) -> str:
        return f"Day {self.day}: {self.text}"

    def as_record(self) -> dict[str, object]:
        record = asdict(self)
        record["kind"] = self.kind.value
        record["date"] = self.date.isoformat()
        record["factions"] = ",".join(self.factions)
        record["sentence"] = self.sentence
        return record


class EventLog(list[Event]):
    """Events in the order they happened; written to by the phases, read by the views."""

    def of_kind(self, kind: EventKind) -> list[Event]:
        return [event for event in self if event.kind is kind]

    def first_capture_day(self, faction: str, place: str) -> int | None:
        """The day `faction` first captured `place`, or None when it never did."""
        for event in self:
            if event.kind is EventKind.CAPTURE and (event.place, event.factions[0]) == (
                place,
                faction,
            ):
                return event.day
        return None

    def since(self, day: int) -> list[Event]:
        """Events from `day` on, read from the end: the phases ask about yesterday."""
        recent = []
        for event in reversed(self):
            if event.day < day:
                break
            recent.append(event)
        return recent[::-1]
