"""The browser viewer (Solara) and the map drawing it shares with reports."""

SCENARIO_ENV = "WARGAME_SCENARIO"
"""`wargame serve --scenario PATH` names the theatre the page opens first through this."""

THEATRES_ENV = "WARGAME_THEATRES"
"""`wargame serve --theatres DIR`: the only folder (with the one given by --scenario) whose
theatre folders a page may open; the server's working folder when unset."""
