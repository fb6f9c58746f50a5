"""The documentation keeps up with the code: parameters, phases, commands, outputs and links."""

import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest

from wargame import build_model
from wargame.analysis.batch import results_schema
from wargame.analysis.experiments import load_experiment
from wargame.engine import measures
from wargame.scenario.parameters import PRICES, Parameters

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
ODD = (DOCS / "ODD.md").read_text(encoding="utf-8")
GUIDE = (DOCS / "user-guide.md").read_text(encoding="utf-8")
REGENERATE = "run `python docs/generate.py`"


def _load_generator():
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


def test_the_odd_lists_every_parameter_with_its_default():
    for name, info in Parameters.model_fields.items():
        if name == PRICES:  # a price per commodity, each the theatre's own
            assert f"| `{PRICES}.<commodity>` | the set-up's |" in ODD
            continue
        default = f"{info.default:g}" if isinstance(info.default, float) else str(info.default)
        assert f"| `{name}` | {default} |" in ODD, name


def test_the_odd_names_the_module_of_every_phase():
    for module in (
        "diplomacy",
        "command",
        "movement",
        "combat",
        "supply",
        "morale",
        "control",
        "economy",
        "civilians",
        "observation",
    ):
        assert f"`wargame/phases/{module}.py`" in ODD, module


# --- the user guide's generated blocks -------------------------------------------------


def test_the_guides_generated_blocks_are_what_the_code_says_now():
    expected = generate.expected_blocks()
    present = generate.blocks_in(GUIDE)
    missing = sorted(expected.keys() - present.keys())
    assert not missing, f"docs/user-guide.md lacks the blocks {missing}: {REGENERATE}"
    stale = [name for name, body in expected.items() if present[name] != body]
    assert not stale, f"docs/user-guide.md: stale blocks {stale}: {REGENERATE}"
    unknown = sorted(present.keys() - expected.keys())
    assert not unknown, f"docs/user-guide.md: blocks {unknown} match nothing in the code"


def test_every_subcommand_has_a_hand_written_section_with_an_example():
    problems = generate.missing_sections(GUIDE)
    assert not problems, "docs/user-guide.md: " + "; ".join(problems)


def test_the_committed_schemas_are_what_the_generator_makes_now():
    """`schemas/` is what editors read: it must say what the file models say today."""
    expected = generate.expected_schemas()
    assert sorted(path.name for path in expected) == sorted(
        path.name for path in (ROOT / "schemas").iterdir()
    ), f"schemas/ holds other files than the generator writes: {REGENERATE}"
    stale = [path.name for path in generate.stale_schemas()]
    assert not stale, f"schemas/{stale} differ from the file models: {REGENERATE}"


def test_the_generator_rewrites_a_stale_schema_and_check_names_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(generate, "SCHEMAS", tmp_path / "schemas")
    assert len(generate.stale_schemas()) == 4  # none written yet
    assert generate.main(["--check"]) == 1
    assert "setup.schema.json is stale" in capsys.readouterr().err
    assert not (tmp_path / "schemas").exists()
    monkeypatch.setattr(generate, "GUIDE", tmp_path / "user-guide.md")
    (tmp_path / "user-guide.md").write_text(GUIDE, encoding="utf-8")
    assert generate.main([]) == 0
    assert generate.stale_schemas() == []
    assert (
        (tmp_path / "schemas" / "history.schema.json")
        .read_text(encoding="utf-8")
        .startswith('{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",')
    )


def test_the_generator_fails_a_subcommand_without_a_section():
    name = next(iter(generate.subcommands()))
    heading = f"### `wargame {name}`\n"
    assert heading in GUIDE
    problems = generate.missing_sections(GUIDE.replace(heading, "### Something else\n"))
    assert any(f"`wargame {name}` has no section" in p for p in problems)


def documented_units() -> dict[str, str]:
    """Each name in the guide's generated tables (backticked, before meaning and unit) -> unit."""
    units: dict[str, str] = {}
    for body in generate.blocks_in(GUIDE).values():
        for line in body.splitlines():
            if not line.startswith("| `"):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            for cell in cells[:-2]:
                for name in re.findall(r"`([^`]+)`", cell):
                    units[name] = cells[-1]
    return units


def assert_documented(names: set[str], what: str) -> None:
    units = documented_units()
    undocumented = sorted(n for n in names if not units.get(n, "").strip())
    assert not undocumented, (
        f"{what} {undocumented} have no meaning and unit in docs/user-guide.md: describe them "
        f"in wargame/engine/measures.py (MEASURES and the *_DOCS mappings) and {REGENERATE}"
    )


@pytest.fixture(scope="module")
def model():
    model = build_model("kachin", seed=1)
    model.run(5)
    return model


def pattern(name: str, model, separator: str = ".") -> str:
    """A key with its faction, place, parameter and commodity names replaced by `<faction>`
    and so on (`income_gold` is `income_<commodity>`, `prices.gold` is `prices.<commodity>`)."""
    parts = name.split(separator)
    for i, part in enumerate(parts[1:], start=1):
        if part in model.factions:
            parts[i] = "<faction>"
        elif part in model.theatre.map.places:
            parts[i] = "<place>"
        elif parts[i - 1] == PRICES and part in model.theatre.commodities:
            parts[i] = "<commodity>"
        elif part in Parameters.model_fields and part != PRICES:
            parts[i] = "<parameter>"
        else:
            parts[i] = with_commodity(part, model)
    return separator.join(parts)


def with_commodity(name: str, model) -> str:
    """`income_rare_earth` -> `income_<commodity>`: a commodity measure's key or column."""
    for commodity in model.theatre.commodities:
        if name.endswith(f"_{commodity}"):
            return name.removesuffix(commodity) + "<commodity>"
    return name


def flat_keys(record: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in record.items():
        if isinstance(value, dict):
            keys += flat_keys(value, f"{prefix}{key}.")
        else:
            keys.append(f"{prefix}{key}")
    return keys


def test_every_key_of_the_run_summary_is_documented_with_a_unit(model):
    keys = {pattern(key, model) for key in flat_keys(model.summary())}
    assert "factions.<faction>.strength" in keys and "parameters.<parameter>" in keys
    assert_documented(keys, "summary keys")


def test_every_column_of_the_daily_series_is_documented_with_a_unit(model):
    columns = set()
    for column in model.series().columns:
        faction = next((f for f in model.factions if column.startswith(f"{f}_")), None)
        column = with_commodity(column, model)
        columns.add(column.replace(faction, "<faction>", 1) if faction else column)
    assert "<faction>_strength" in columns and "civilians_displaced" in columns
    assert_documented(columns, "daily series columns")


def test_every_column_of_the_event_log_is_documented_with_a_unit(model):
    assert_documented(set(measures.events_frame(model).columns), "event log columns")


def test_every_column_of_a_batchs_runs_table_is_documented_with_a_unit(model):
    experiment = load_experiment("china_pressure")
    columns = set()
    for name in results_schema(experiment).names:
        if name in experiment.grid:
            name = "<parameter>"
        elif name.startswith("outcome."):
            name = re.sub(r"^outcome\.[^.]+", "outcome.<name>", name)
        columns.add(pattern(name, model))
    assert {"<parameter>", "outcome.<name>.day", "factions.<faction>.killed"} <= columns
    assert_documented(columns, "runs table columns")


# --- links -----------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose(text: str) -> str:
    """Markdown without fenced code blocks and inline code, where links are not links."""
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`\n]*`", "", text)


def slugs(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lowercase, punctuation dropped, '-' for ' '."""
    found: set[str] = set()
    code = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", markdown, flags=re.MULTILINE | re.DOTALL)
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", code, flags=re.MULTILINE):
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def broken_links(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(prose(text)):
        if SCHEME.match(target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in slugs(linked.read_text("utf-8")):
            broken.append(f"{target} (no heading with that anchor)")
    return broken


def test_every_relative_link_in_the_docs_and_readme_leads_somewhere():
    pages = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    broken = {str(p.relative_to(ROOT)): b for p in pages if (b := broken_links(p))}
    assert not broken, broken


def test_the_link_check_sees_a_broken_file_and_a_broken_anchor(tmp_path):
    (tmp_path / "there.md").write_text("# A heading, with `code`\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#a-heading-with-code) [gone](missing.md) [bad](there.md#nope) "
        "[web](https://example.org/x) `[code](nowhere.md)`\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "missing.md (no such file)",
        "there.md#nope (no heading with that anchor)",
    ]


# --- the Kachin theatre's sources ------------------------------------------------------

CITATION = re.compile(r"\[(\d+[a-z]?)\]")  # [9], or a sub-entry such as [31c]
SOURCE_ENTRY = re.compile(r"^ *- \[(\d+[a-z]?)\]", re.MULTILINE)
TOML_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'")


def strings(value) -> list[str]:
    """Every string in a parsed TOML or JSON value, however deeply nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def citing_text(path: Path) -> str:
    """Where a file cites sources: a TOML file's comments and strings (not its table headers
    or arrays), a map's `source` properties, a Markdown page's whole text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        comments = [TOML_STRING.sub("", line).partition("#")[2] for line in text.splitlines()]
        return "\n".join(comments + strings(tomllib.loads(text)))
    if path.suffix == ".geojson":
        features = json.loads(text)["features"]
        return "\n".join(f["properties"].get("source", "") for f in features)
    return text


def test_every_source_number_cited_in_the_kachin_theatre_has_an_entry_in_sources_md():
    entries = SOURCE_ENTRY.findall((DOCS / "sources.md").read_text(encoding="utf-8"))
    numbered = [n for n in entries if n.isdigit()]
    assert numbered == [str(i) for i in range(1, len(numbered) + 1)], (
        "docs/sources.md: the entries should be numbered 1, 2, 3 ... in order, each once"
    )
    files = [
        ROOT / "maps" / "kachin" / "setup.toml",
        ROOT / "maps" / "kachin" / "map.geojson",
        *sorted((ROOT / "agents").glob("*.toml")),
        DOCS / "ODD.md",
    ]
    cited = {str(f.relative_to(ROOT)): set(CITATION.findall(citing_text(f))) for f in files}
    assert all(cited.values()), f"a file cites no source at all: {cited}"
    missing = {f: sorted(n - set(entries)) for f, n in cited.items() if n - set(entries)}
    assert not missing, f"source numbers with no entry in docs/sources.md: {missing}"
