"""The browser pages: the viewer and the classroom (Solara)."""
