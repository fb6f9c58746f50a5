"""The browser viewer (Solara) and the map drawing it shares with reports."""

SCENARIO_ENV = "WARGAME_SCENARIO"
"""`wargame serve --scenario PATH` names the theatre the page opens first through this."""
