"""The package's layers point down: no import cycle, no phase importing another phase.

Imports are read from the source with `ast`, those made only for type
checking and those inside functions included: a module typed on another
that calls it is still a cycle for whoever reads the code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
from fresh_python import fresh_python

PACKAGE = Path(__file__).resolve().parent.parent / "wargame"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The package's modules a file imports (`from a import b` is `a.b` when `a.b` is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
    return {name for name in found if name in known}


def import_graph() -> nx.DiGraph:
    known = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in known.items():
        graph.add_edges_from((name, imported) for imported in imports_of(path, set(known)))
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    graph.remove_node("wargame")  # the package's front door re-exports; nothing imports it back
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_no_phase_imports_another_and_nothing_below_the_phases_imports_them():
    graph = import_graph()
    phases = {n for n in graph if n.startswith("wargame.phases.")}
    for phase in phases:
        assert not set(graph.successors(phase)) & phases, phase
    below = {n for n in graph if n.startswith(("wargame.engine.", "wargame.scenario"))}
    for module in below - {"wargame.engine.model"}:
        assert not set(graph.successors(module)) & phases, module


def test_the_day_loop_names_every_phase_module_once_in_odd_order():
    from wargame.engine.model import PHASES

    names = [phase.__name__.rsplit(".", 1)[1] for phase in PHASES]
    assert names == [
        "diplomacy", "command", "movement", "combat", "supply", "morale",
        "control", "economy", "civilians", "observation",
    ]  # fmt: skip
    on_disk = {p.stem for p in (PACKAGE / "phases").glob("*.py")} - {"__init__"}
    assert set(names) == on_disk
    for phase in PHASES:
        assert callable(phase.start) and callable(phase.run), phase.__name__


def test_no_code_clears_kept_answers_by_hand():
    """Kept answers belong to the world's clocks; a `.clear()` of a cache elsewhere goes stale."""
    pattern = re.compile(r"\b_?(situation|ground|cache|memo|measures)\w*\.clear\(\)")
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


LAYERS = (  # lowest first: a module may import from its own layer and those below
    ("wargame.seeds", "wargame.files", "wargame.progress", "wargame.scenario"),
    ("wargame.engine",),
    ("wargame.phases",),
    ("wargame.engine.model",),
    ("wargame.drawing", "wargame.analysis", "wargame.schemas"),
    ("wargame.apps", "wargame._assets"),  # the pages, and their browser half
    ("wargame.cli", "wargame.__main__"),
)


def layer_of(module: str) -> int:
    matches = [
        (len(prefix), rank)
        for rank, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"{module} is in no layer: add its package to LAYERS"
    return max(matches)[1]


def test_layers_point_down_pages_and_cli_over_analysis_over_the_day_over_the_world():
    graph = import_graph()
    graph.remove_node("wargame")
    upward = [
        f"{a} -> {b}" for a, b in graph.edges if a != "wargame.engine" and layer_of(b) > layer_of(a)
    ]
    assert not upward, upward


def test_only_the_engine_imports_mesa():
    """Mesa is the engine's business: the rest of the package reaches it through the models
    the engine builds, so the tests that build and use them meet every Mesa call wargame
    makes (`make test-mesa-next` runs only those on Mesa's next release)."""
    importers = set()
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            if any(n == "mesa" or n.startswith("mesa.") for n in names):
                importers.add(name)
    assert importers == {"wargame.engine.world", "wargame.engine.agents"}, importers


def _mesa_private_names() -> set[str]:
    """The underscored attributes Mesa's own classes and a fresh model have."""
    import mesa
    from mesa import discrete_space
    from mesa.agent import AgentSet

    classes = [mesa.Model, mesa.Agent, AgentSet, discrete_space.Network]
    classes += [discrete_space.Cell, discrete_space.CellAgent, discrete_space.CellCollection]
    names = {name for cls in classes for name in dir(cls)}
    names |= set(vars(mesa.Model(rng=0)))
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def _own_private_names() -> set[str]:
    """The underscored attributes wargame's code gives its own objects (`self._x = ...`)."""
    owned = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                owned |= {t.attr for t in targets if isinstance(t, ast.Attribute)}
    return owned


def test_no_private_mesa_attribute_is_touched():
    """Mesa may rename what it does not publish in any release (4.0 did): wargame reads and
    writes only Mesa's public API. A name wargame sets on its own objects is its own."""
    mesa_private = _mesa_private_names() - _own_private_names()
    assert len(mesa_private) >= 5  # the check sees Mesa's privates (names vary by version)
    touched = {
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} .{node.attr}"
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in mesa_private
    }
    assert not touched


def test_the_browsers_map_is_built_without_matplotlib():
    """The pages' map is ECharts data: building it loads no matplotlib, which only the static
    map, the time-lapse and the reports draw with (`map_state` holds what both maps share)."""
    script = (
        "import sys\n"
        "from wargame import ConflictModel\n"
        "from wargame.drawing.map_option import map_option\n"
        "from wargame.drawing.map_state import whole_map\n"
        "model = ConflictModel('kachin', rng=1)\n"
        "assert map_option(model.theatre, whole_map(model), 'bhamo')['series']\n"
        "print('matplotlib' in sys.modules)\n"
    )
    assert fresh_python(script).strip().splitlines()[-1] == "False"


def test_the_servers_pages_import_matplotlib_only_to_draw_a_time_lapse():
    """Every viewer and classroom server imports its page at start; matplotlib, which only the
    time-lapse download draws with, would cost each start about a second, and scipy.stats,
    which the model does not need, another."""
    script = (
        "import sys\n"
        "import wargame.apps.viewer.page, wargame.apps.classroom.app\n"
        "print(sorted(m for m in ('matplotlib', 'scipy.stats') if m in sys.modules))\n"
    )
    assert fresh_python(script).strip().splitlines()[-1] == "[]"
