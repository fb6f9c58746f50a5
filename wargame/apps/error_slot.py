"""An error that comes and goes without rebuilding what follows it on the page."""

from __future__ import annotations

import solara


@solara.component
def ErrorSlot(message: str | None) -> None:
    """`message` as an error, or nothing, in a slot that is always on the page.

    Solara matches a page's parts by their position: an error shown only when there is
    one moves every later part, and they are rebuilt. A choice made in a drop-down as
    that happens goes to a closed widget and is lost. The slot makes no box of its own
    (`display: contents`), so an empty one leaves no gap.
    """
    with solara.Div(style="display: contents"):  # a plain div: Column's d-flex would win
        if message:
            solara.Error(message)
