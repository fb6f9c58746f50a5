"""Small theatres written to disk for tests: the same files a user would write."""

from __future__ import annotations

import json
from pathlib import Path

FACTION_TEMPLATE = """\
name = "{name}"
short_name = "{short}"
colour = "{colour}"

[doctrine]
revenue = 1.0
strategic = 1.0
risk = 1.0
distance = 0.1
aggression = {aggression}
garrison = 50

[combat]
effectiveness = {effectiveness}

[morale]
initial = 0.8
break_point = {break_point}
recovery_per_day = 0.05

[economy]
treasury = 1000000.0
upkeep_per_soldier_per_day = 2.0
recruit_cost = 1000.0
manpower = 1000
external_income_per_day = {external}
fighting_cost_per_soldier_per_day = {fighting_cost}
{patron}
[relations]
{relations}
"""

DEFAULT_FACTIONS = {
    "red": {"short": "Red", "colour": "#D55E00", "relations": {"blue": -1.0, "green": 0.5}},
    "blue": {"short": "Blue", "colour": "#0072B2", "relations": {"red": -1.0, "green": -0.5}},
    "green": {"short": "Green", "colour": "#009E73", "relations": {"red": 0.5, "blue": -0.5}},
}


def place(
    place_id: str,
    lon: float,
    lat: float,
    kind: str = "town",
    population: int = 0,
    country: str = "MM",
    **extra: object,
) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": place_id,
            "name": place_id.title(),
            "kind": kind,
            "country": country,
            "population": population,
            **extra,
        },
    }


def road(a: str, b: str, kind: str = "road", length_km: float | None = None, coords=None) -> dict:
    """A road feature; without `coords` it is drawn straight between its places when the
    map is written (`drawn`), as a user's map draws a road from place to place."""
    properties: dict[str, object] = {"from": a, "to": b, "kind": kind}
    if length_km is not None:
        properties["length_km"] = length_km
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": properties,
    }


def drawn(features: list[dict]) -> list[dict]:
    """The features with every road left undrawn drawn straight between its places."""
    points = {
        f["properties"]["id"]: f["geometry"]["coordinates"]
        for f in features
        if f["geometry"]["type"] == "Point"
    }
    for feature in features:
        geometry, properties = feature["geometry"], feature["properties"]
        if geometry["type"] == "LineString" and geometry["coordinates"] is None:
            ends = [points.get(properties["from"]), points.get(properties["to"])]
            geometry["coordinates"] = ends if None not in ends else [[0, 0], [0.1, 0]]
    return features


def line_map(**changed: dict[str, object]) -> list[dict]:
    """Four places in a row, A-B by highway, B-C by road, C-D by track, D to a sanctuary.

    The roads' lengths are what the tests' travel times need; the places lie
    far enough apart that no length is shorter than the straight line or
    winds more than a real road does (3 times it). `changed` gives a place's new
    properties by its id (`line_map(bravo={"kind": "base"})`).
    """
    features = [
        place("alpha", 97.0, 25.0, "base", population=1200),
        place("bravo", 97.3, 25.0, "town", population=800),
        place("charlie", 97.5, 25.0, "mine", population=300, mine_sites=50),
        place("delta", 97.7, 25.0, "border_post", population=100, trade_per_day=1000.0),
        place("sanctum", 97.72, 25.0, "sanctuary", country="CN"),
        road("alpha", "bravo", "highway", 80.0),
        road("bravo", "charlie", "road", 50.0),
        road("charlie", "delta", "track", 24.0),
        road("delta", "sanctum", "road", 2.0),
    ]
    for feature in features:
        feature["properties"].update(changed.get(feature["properties"].get("id"), {}))
    return features


def write_theatre(
    folder: Path,
    features: list[dict] | None = None,
    control: dict[str, str] | None = None,
    units: list[dict] | None = None,
    factions: list[str] | None = None,
    parameters: dict[str, object] | None = None,
    faction_overrides: dict[str, dict] | None = None,
    commodities: dict[str, float] | None = None,
    markets: dict[str, list[str]] | None = None,
    countries: dict[str, str] | None = None,
    broker: str | None = "CN",
    neighbours: dict[str, dict[str, object]] | None = None,
    buys: list[str] | None = None,
    ore_through_closed_crossings: bool = False,
    coalitions: dict[str, list[str]] | None = None,
    militias: dict[str, dict[str, object]] | None = None,
    events: list[dict[str, object]] | None = None,
    tables: str = "",
) -> Path:
    """Write map.geojson, setup.toml and agents/*.toml into `folder`; return the folder.

    By default the theatre's mines yield `rare_earth` at US$33,600 a tonne, and
    China, across the border, is its broker (on a map with a sanctuary in China);
    `neighbours` gives a country's policy towards soldiers who flee into it
    (`{"CN": {"soldiers": "hand_back", "hand_back_after_days": 3}}`); `buys` the
    commodities the broker buys (through its closed crossings too with
    `ore_through_closed_crossings`), `markets` the places where each commodity's ore is bought,
    `coalitions` each coalition's members, `militias` what each militia does when its
    alliance breaks (`{"green": {"on_break": "defect"}}`) and
    `events` the dated outside events (`{"day": 5, "description": ..., "set": {...}}`);
    `tables` is more set-up text as a user writes it (`[[lift]]`, `[[handover]]`...).
    """
    commodities = {"rare_earth": 33_600.0} if commodities is None else commodities
    countries = {"MM": "Myanmar", "CN": "China"} if countries is None else countries
    folder.mkdir(parents=True, exist_ok=True)
    features = line_map() if features is None else features
    across = {f["properties"].get("country") for f in features if _is_sanctuary(f)}
    broker = broker if broker in across else None
    factions = factions or ["red", "blue"]
    control = {"alpha": "red", "delta": "blue"} if control is None else control
    units = [] if units is None else units
    (folder / "map.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": drawn(features)}), encoding="utf-8"
    )
    lines = [
        "[scenario]",
        'title = "Test theatre"',
        'map = "map.geojson"',
        "start_date = 2024-03-07",
        f"factions = {json.dumps(factions)}",
        "",
        "[control]",
        *(f'{p} = "{f}"' for p, f in control.items()),
        "",
    ]
    for unit in units:
        lines += ["[[units]]", *(f"{k} = {json.dumps(v)}" for k, v in unit.items()), ""]
    lines += ["[countries]", *(f'{code} = "{name}"' for code, name in countries.items()), ""]
    if broker:
        lines += [f'[broker]\ncountry = "{broker}"']
        if buys:
            lines.append(f"buys = {json.dumps(buys)}")
        if ore_through_closed_crossings:
            lines.append("ore_through_closed_crossings = true")
        lines.append("")
    for coalition, members in (coalitions or {}).items():
        lines += [f"[coalitions.{coalition}]", f"members = {json.dumps(members)}", ""]
    for militia, policy in (militias or {}).items():
        lines += [f"[militias.{militia}]", *(f"{k} = {json.dumps(v)}" for k, v in policy.items())]
        lines.append("")
    for event in events or []:
        lines.append("[[events]]")
        lines += [f"{k} = {_toml(v)}" for k, v in event.items() if k not in ("set", "scale")]
        for table in ("set", "scale"):
            if table in event:
                changes = event[table].items()
                lines += [f"[events.{table}]", *(f"{k} = {json.dumps(v)}" for k, v in changes)]
        lines.append("")
    for code, policy in (neighbours or {}).items():
        lines += [f"[neighbours.{code}]", *(f"{k} = {json.dumps(v)}" for k, v in policy.items())]
        lines.append("")
    markets = markets or {}
    lines += [
        f"[commodities.{c}]\nprice = {price}\n"
        + (f"markets = {json.dumps(markets[c])}\n" if c in markets else "")
        for c, price in commodities.items()
    ]
    lines += [tables] if tables else []
    lines.append("[parameters]")
    # the arms a faction buys add nothing to its fire unless a test says so: tests of other
    # phases check fights against the closed form at the doctrine's effectiveness
    parameters = {"arms_edge_max": 0.0, **(parameters or {})}
    lines += [f"{k} = {json.dumps(v)}" for k, v in parameters.items()]
    (folder / "setup.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    agents = folder / "agents"
    agents.mkdir(exist_ok=True)
    for faction_id in factions:
        spec = {
            "name": faction_id.title() + " Army",
            "aggression": 0.5,
            "effectiveness": 0.01,
            "break_point": 0.3,
            "external": 0.0,
            "fighting_cost": 0.0,
            "patron": None,
            **DEFAULT_FACTIONS[faction_id],
            **(faction_overrides or {}).get(faction_id, {}),
        }
        if "relations" not in (faction_overrides or {}).get(faction_id, {}):
            # the defaults' relations to the factions this theatre has (a faction file
            # may name only those)
            spec["relations"] = {k: v for k, v in spec["relations"].items() if k in factions}
        relations = "\n".join(f"{k} = {v}" for k, v in spec["relations"].items())
        text = FACTION_TEMPLATE.format(
            name=spec["name"],
            short=spec["short"],
            colour=spec["colour"],
            aggression=spec["aggression"],
            effectiveness=spec["effectiveness"],
            break_point=spec["break_point"],
            external=spec["external"],
            fighting_cost=spec["fighting_cost"],
            patron=f'patron = "{spec["patron"]}"' if spec["patron"] else "",
            relations=relations,
        )
        (agents / f"{faction_id}.toml").write_text(text, encoding="utf-8")
    return folder


def _toml(value: object) -> str:
    """A TOML value: dates bare, the rest as JSON writes them (the same in TOML)."""
    import datetime as dt

    return value.isoformat() if isinstance(value, dt.date) else json.dumps(value)


def _is_sanctuary(feature: dict) -> bool:
    return feature["properties"].get("kind") == "sanctuary"


def with_doctrine(folder: Path, faction: str, **settings: float) -> Path:
    """Add doctrine settings (caution, leash_days...) to a faction file of a written theatre."""
    path = folder / "agents" / f"{faction}.toml"
    lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
    path.write_text(path.read_text().replace("garrison = 50\n", "garrison = 50\n" + lines))
    return folder


def passive_model(scenario, parameters=None, rng: int = 1):
    """A model whose commanders give no orders, so a test moves units by hand."""
    from wargame import ConflictModel
    from wargame.engine.orders import StandingOrders

    model = ConflictModel(scenario, parameters, rng=rng)
    for faction in model.factions.values():
        faction.commander = StandingOrders()
    return model


def known_outcome_theatre(folder: Path) -> Path:
    """A theatre whose outcome its mechanics fix: Red takes Delta within days 1 to 5.

    Three Red battalions of 1,000 stand 40 km of highway (one day at 40 km/day,
    travel_friction 0) from Delta, held by 20 Blue soldiers who never attack;
    combat is deterministic, the broker's (China's) pressure 0 (no truce, no closed gate).
    Red arrives on day 1 and holds Delta alone by `capture_days` (3) later at
    the latest, in every run whatever the seed.
    """
    return _red_against_delta(folder, "highway", 40.0)


def march_theatre(folder: Path) -> Path:
    """A theatre whose one outcome its track speed fixes: the day Red takes Delta.

    As `known_outcome_theatre`, but Delta lies 60 km of mountain track from Red's
    base and nobody defends it (Blue, its holder, has no unit and never collapses):
    at `speed_track_km_per_day` s (above 6, ten days' march or less) Red arrives on
    day ceil(60 / s) and takes Delta `capture_days` (3) days on, on day
    ceil(60 / s) + 2, in every run (12 km/day, the default: day 7), so the speeds
    that meet a history's capture date are a known interval. (A defender would make
    it depend on the hour Red arrives and on when the broken defender reaches the
    border.)
    """
    return _red_against_delta(folder, "track", 60.0, defended=False)


def _red_against_delta(folder: Path, kind: str, km: float, defended: bool = True) -> Path:
    """Three Red battalions against 20 Blue soldiers at Delta (none, not `defended`), `km`
    of `kind` road away."""
    blue = [{"faction": "blue", "place": "delta", "strength": 20}] if defended else []
    features = [
        place("alpha", 97.0, 25.0, "base", population=1000),
        place("delta", 97.4, 25.0, "border_post", population=1000),
        place("sanctum", 97.41, 25.0, "sanctuary", country="CN"),
        road("alpha", "delta", kind, km),
        road("delta", "sanctum", "road", 2.0),
    ]
    return write_theatre(
        folder,
        features=features,
        control={"alpha": "red", "delta": "blue"},
        units=[
            {"faction": "red", "place": "alpha", "strength": 1000, "count": 3},
            *blue,
        ],
        parameters={
            "travel_friction": 0.0,
            "combat_mode": "deterministic",
            "capture_days": 3,
            "broker_pressure": 0.0,
            **({} if defended else {"collapse_strength_share": 0.0}),
        },
        faction_overrides={"red": {"aggression": 1.0}, "blue": {"aggression": 0.0}},
    )


def write_history(
    folder: Path,
    targets: list[dict],
    name: str = "history.toml",
    patterns: list[dict] | None = None,
    **header,
) -> Path:
    """A history file of these targets (and patterns) in `folder` (the theatre's own when
    named history.toml)."""
    import tomli_w

    document = {"history": header, "targets": targets} if header else {"targets": targets}
    if patterns is not None:
        document["patterns"] = patterns
    path = folder / name
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path
