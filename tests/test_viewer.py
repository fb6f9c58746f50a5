"""The viewer's page, rendered without a browser: it draws, steps, resets."""

import ipyvuetify as v
import solara

from wargame.viewer.app import Page


def page_text(rc) -> str:
    return " ".join(w.template for w in rc.find(v.VuetifyTemplate).widgets)


def test_the_page_steps_a_day_and_resets():
    _, rc = solara.render(Page(), handle_error=False)
    assert "Day 0</strong>" in page_text(rc)
    step = rc.find(v.Btn, children=["Step one day"]).widget
    step.click()
    step.click()
    assert "Day 2</strong>" in page_text(rc)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert "Day 0</strong>" in page_text(rc)


def test_two_pages_have_their_own_models():
    _, first = solara.render(Page(), handle_error=False)
    _, second = solara.render(Page(), handle_error=False)
    first.find(v.Btn, children=["Step one day"]).widget.click()
    assert "Day 1</strong>" in page_text(first)
    assert "Day 0</strong>" in page_text(second)
