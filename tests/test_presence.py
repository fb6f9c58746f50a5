"""`page_presence`: Solara's record of a session's pages, read as "is a browser still there?"."""

import pytest
from solara.server import kernel_context

from wargame.apps.viewer.presence import page_presence


def test_outside_a_server_a_page_is_always_there():
    assert page_presence()() is True


@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_a_page_is_there_while_connected_and_again_after_a_reconnect():
    session = kernel_context.create_dummy_context()
    with session:
        present = page_presence()
    first = session.page_connect("tab")
    assert present()
    session.page_disconnect("tab", first)  # a closed tab, a lost network
    assert not present()
    again = session.page_connect("tab")  # the network came back
    assert present()
    session.page_connect("second tab")
    session.page_disconnect("tab", again)
    assert present()  # one of its pages is still shown
    session.closed_event.set()  # the session was freed
    assert not present()
