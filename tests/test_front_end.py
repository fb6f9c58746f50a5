"""The pages' front end is in the package: every file a page asks the server for is there.

`wargame serve` points Solara's asset proxy at wargame/_assets/cdn and lets it
fetch nothing, so a file missing there is a broken page in a classroom with no
internet. A Solara release whose page names other front-end versions fails here
until front_end.toml pins them and `python -m wargame._assets.fetch` has unpacked
them. tests/test_offline.py asks running servers for every file their page names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wargame._assets import CDN, pins
from wargame._assets.fetch import named_by

VIEWER = Path(__file__).parent.parent / "wargame" / "apps" / "viewer"
TEMPLATES = [VIEWER / "chart.vue", VIEWER / "map.vue"]
SHARED_METHODS = VIEWER / "echarts_template.js"  # the ECharts loading both templates call
TEMPLATE_URL = re.compile(r"\{\{\s*cdn\s*\}\}([^\"'\s]+)")


def page_files() -> set[str]:
    """The front-end files Solara's page template names for the installed widget libraries,
    in production mode (`wargame serve` runs Solara so: test_cli)."""
    import ipyvuetify
    import ipywidgets
    from solara.server import server, settings

    template = (Path(server.__file__).parent / "templates" / "solara.html.j2").read_text()
    named = {
        url.replace("{{ipywidget_major_version}}", ipywidgets.__version__.split(".")[0])
        .replace("{{assets.fontawesome_path}}", settings.assets.fontawesome_path)
        .lstrip("/")
        for url in TEMPLATE_URL.findall(template)
    }
    vuetify3 = int(ipyvuetify.__version__.split(".")[0]) >= 3  # Solara's choice of front end
    unused = "solara-vuetify-app@" if vuetify3 else "solara-vuetify3-app@"
    return {
        url
        for url in named
        if unused not in url and not (url.endswith(".js") and url[:-3] + ".min.js" in named)
    }


def test_every_file_solaras_page_names_is_in_the_package():
    files = page_files()
    assert any("solara-vuetify" in f for f in files) and any("require" in f for f in files)
    missing = sorted(f for f in files if not (CDN / f).is_file())
    assert not missing, f"pin these in wargame/_assets/front_end.toml and fetch them: {missing}"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_the_charts_and_the_map_ask_for_the_echarts_the_package_keeps(template):
    """ECharts, and requirejs for a notebook (JupyterLab has none): both from the package."""
    assert "this.loadEcharts(" in template.read_text()
    paths = re.findall(r"\$\{cdn\}/([^`]+)`", SHARED_METHODS.read_text())
    assert any(path.startswith("echarts@") for path in paths)
    assert any(path.startswith("requirejs@") for path in paths)
    for path in paths:
        assert (CDN / path).is_file(), path


@pytest.mark.parametrize("stylesheet", sorted(CDN.rglob("*.css")), ids=lambda p: p.name)
def test_the_fonts_and_pictures_a_kept_stylesheet_loads_are_there(stylesheet):
    relative = stylesheet.relative_to(CDN).as_posix()
    for path in named_by(relative, stylesheet.read_text(encoding="utf-8")):
        assert (CDN / path).is_file(), f"{relative} loads {path}"


def test_the_folder_holds_the_pinned_packages_and_nothing_else():
    folders = {
        inner
        for outer in CDN.iterdir()
        for inner in (outer.iterdir() if outer.name.startswith("@") else [outer])
    }
    assert folders == {pin.folder for pin in pins()}
    for pin in pins():
        for path in (*pin.files, *pin.notices):
            assert (pin.folder / path).is_file(), f"{pin.name}@{pin.version}: {path}"


def test_both_templates_get_the_shared_methods_as_one_object_ipyvue_can_return():
    """ipyvue evaluates a widget's `methods` as `return <methods>`, undoing only the first
    line break: a comment or a line break before the object would return nothing."""
    from wargame.apps.viewer.chart_widget import ChartWidget
    from wargame.apps.viewer.map_view import MapWidget

    text = SHARED_METHODS.read_text()
    assert text.startswith("({") and text.rstrip().endswith("})")
    for widget in (ChartWidget, MapWidget):
        assert widget.class_traits()["methods"].default_value == text
