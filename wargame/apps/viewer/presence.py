"""Whether a browser still shows a page, for the loops a page runs on the server.

Solara keeps a page's session (its kernel: the model, the page's threads) after
the browser's connection goes, so that a reconnect finds it, until the cull
timeout (`SOLARA_KERNEL_CULL_TIMEOUT`, which `wargame serve` and `wargame
classroom` bound). The server renders the page whether or not a browser is
there, so a loop that waits for the render, as the viewer's Play does, would go
on at full speed for nobody. Such a loop asks `page_presence()` each round.
"""

from __future__ import annotations

from collections.abc import Callable

from solara.server import kernel_context
from solara.server.kernel_context import PageStatus


def page_presence() -> Callable[[], bool]:
    """A test, made while a page renders, of whether a browser is still connected to it.

    Solara's own record of the session's pages says so: the test is False once
    no page is connected (a closed tab, a lost connection) or the session is
    closed, and True again when a page reconnects. Outside a Solara server (a
    notebook, a test's `solara.render`) there is no connection to lose: always True.
    """
    if not kernel_context.has_current_context():
        return lambda: True
    context = kernel_context.get_current_context()

    def present() -> bool:
        if context.closed_event.is_set():
            return False
        statuses = list(context.page_status.values())
        return not statuses or PageStatus.CONNECTED in statuses

    return present
