"""What the viewer's inspector says about one place, gathered from the model in one go.

Kept apart from the Solara component so the same report can be tested, and
printed, without a browser.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wargame.engine.agents import CivilianState
from wargame.scenario import PlaceKind

if TYPE_CHECKING:
    from wargame.engine.events import Event
    from wargame.engine.model import ConflictModel

RECENT_EVENTS = 8
UNIT_COLUMNS = ("unit", "side", "soldiers", "morale", "posture")
UNIT_ALIGN = ("left", "left", "right", "right", "left")
CELL_PADDING = "2px 12px 2px 0"


@dataclass(frozen=True)
class UnitLine:
    name: str
    faction: str
    strength: int
    morale: float
    posture: str


@dataclass(frozen=True)
class PlaceReport:
    name: str
    kind: str
    country: str
    controller: str
    contested: bool
    units: list[UnitLine]
    mine_sites: int
    mineral: str
    mine_revenue_per_day: float
    trade_per_day: float
    crossing_closed: bool
    ore_unsold: bool
    population: int
    displaced_from_here: int
    abroad_from_here: int
    sheltering_here: int
    recent: list[Event]


def place_report(model: ConflictModel, place_id: str) -> PlaceReport:
    place = model.theatre.map.places[place_id]
    holder = model.controller.get(place_id)
    if place.kind is PlaceKind.SANCTUARY:
        controller = f"foreign ground ({model.country_name(place_id)})"
    else:
        controller = model.factions[holder].name if holder else "nobody"
    units = [
        UnitLine(
            u.name, model.factions[u.faction].short_name, int(u.strength), u.morale, u.posture.value
        )
        for u in model.units
        if u.place == place_id
    ]
    from_here = [g for g in model.civilians if g.home == place_id]
    sheltering = [
        g
        for g in model.civilians
        if g.home != place_id
        and g.state is CivilianState.DISPLACED
        and g.cell is not None
        and g.cell.coordinate == place_id
    ]
    recent = [e for e in reversed(model.events) if e.place == place_id][:RECENT_EVENTS]
    return PlaceReport(
        name=place.name,
        kind=place.kind.value.replace("_", " "),
        country=place.country,
        controller=controller,
        contested=place_id in model.contested,
        units=sorted(units, key=lambda u: (u.faction, -u.strength)),
        mine_sites=place.mine_sites,
        mineral=model.theatre.commodities[place.mineral].name if place.mine_sites else "",
        mine_revenue_per_day=model.mine_revenue(place_id) if place.mine_sites else 0.0,
        trade_per_day=model.trade_revenue(place_id) * model.home_share(place_id),
        crossing_closed=place_id in model.closed_crossings,
        ore_unsold=place_id in model.ore_unsold,
        population=sum(g.size for g in from_here),
        displaced_from_here=sum(g.size for g in from_here if g.state is CivilianState.DISPLACED),
        abroad_from_here=sum(g.size for g in from_here if g.state is CivilianState.REFUGEE),
        sheltering_here=sum(g.size for g in sheltering),
        recent=recent,
    )


def report_html(report: PlaceReport) -> str:
    """The report as the HTML the inspector shows; every name from the files is escaped."""
    e = html.escape
    status = " - <b>contested</b>" if report.contested else ""
    facts = []
    if report.mine_sites:
        facts.append(
            f"Mines: {report.mine_sites} {e(report.mineral)} sites, "
            f"US${report.mine_revenue_per_day:,.0f} a day to the holder"
            + (" (today its ore reached no buyer)" if report.ore_unsold else "")
        )
    if report.trade_per_day or report.crossing_closed:
        closed = " (crossing closed)" if report.crossing_closed else ""
        facts.append(f"Trade: US${report.trade_per_day:,.0f} a day to the holder{closed}")
    facts.append(f"People living here: {report.population:,}")
    facts.append(
        f"Displaced from here: {report.displaced_from_here:,}; "
        f"abroad: {report.abroad_from_here:,}; sheltering here: {report.sheltering_here:,}"
    )
    parts = [
        f"<h3>{e(report.name)}</h3>",
        f"<p>{e(report.kind.capitalize())}, held by <b>{e(report.controller)}</b>{status}</p>",
        _list(facts),
        "<h4>Units here</h4>",
    ]
    if report.units:
        rows = "".join(
            f"<tr>{_cell(e(u.name))}{_cell(e(u.faction))}{_cell(f'{u.strength:,}', 'right')}"
            f"{_cell(f'{u.morale:.2f}', 'right')}{_cell(e(u.posture))}</tr>"
            for u in report.units
        )
        heads = "".join(
            _cell(name, align, "th") for name, align in zip(UNIT_COLUMNS, UNIT_ALIGN, strict=True)
        )
        parts.append(
            f"<table class='wargame-units' style='border-collapse: collapse'>"
            f"<tr>{heads}</tr>{rows}</table>"
        )
    else:
        parts.append("<p>None.</p>")
    parts.append("<h4>Recent events here</h4>")
    parts.append(
        _list([e(event.sentence) for event in report.recent])
        if report.recent
        else "<p>None yet.</p>"
    )
    return "".join(parts)


def _cell(text: str, align: str = "left", tag: str = "td") -> str:
    """A table cell with room around it: the page's own style puts none ("moraleposture")."""
    rule = " border-bottom: 1px solid #ccc;" if tag == "th" else ""
    return f"<{tag} style='padding: {CELL_PADDING}; text-align: {align};{rule}'>{text}</{tag}>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
