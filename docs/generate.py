"""Rewrite the generated blocks of docs/user-guide.md, and schemas/, from the code they describe.

The option lists come from the CLI's own parser and the output tables from the
descriptions kept in the measures table (`wargame/engine/measures.py`) and beside the
GeoJSON's attributes (`wargame/drawing/geojson.py`), so the guide cannot drift from the
code: tests/test_docs.py fails when a block differs from what this script writes now.
The JSON Schemas in `schemas/`, which editors check the TOML files by, come from the
files' pydantic models (`wargame/schemas/`), and the same test fails when one differs.

    python docs/generate.py            rewrite every generated block and schema in place
    python docs/generate.py --check    list stale blocks and schemas, exit 1; write nothing

A block is the text between `<!-- generated: NAME -->` and `<!-- end generated -->`;
everything outside the markers is written by hand and left alone. Every
sub-command needs a hand-written section: a heading "### `wargame NAME`" with
an example, then its block. A sub-command without one is not appended
anywhere: the script writes what it can, names the sub-command and exits 1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from wargame.analysis.batch import RUNS_COLUMN_DOCS
from wargame.cli import build_parser
from wargame.drawing.geojson import ATTRIBUTES
from wargame.engine import measures
from wargame.engine.events import EventKind
from wargame.files import written_whole
from wargame.schemas import KINDS, schema_text

GUIDE = Path(__file__).with_name("user-guide.md")
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
"""Where the JSON Schemas of the TOML files are kept, for editors to find them."""
HELP_COLUMNS = "100"  # argparse wraps at the terminal's width: fix it so the output is stable
BLOCK = re.compile(
    r"^<!-- generated: (?P<name>[^>]+?) -->\n(?P<body>.*?)^<!-- end generated -->$",
    re.MULTILINE | re.DOTALL,
)
REGENERATE = "run `python docs/generate.py`"


# --- what the blocks should hold ------------------------------------------------------


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """The parser's sub-commands by name, in the order the parser lists them."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help_text(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        return parser.format_help()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def _code(text: str) -> str:
    return f"```text\n{text.rstrip()}\n```\n"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def output_tables() -> dict[str, str]:
    """The tables of section "Outputs", from the measures table (`wargame.engine.measures`)
    and the GeoJSON's attributes (`wargame.drawing.geojson.ATTRIBUTES`)."""
    summary = [
        (f"`{key}`", meaning, unit) for key, (meaning, unit) in measures.SUMMARY_DOCS.items()
    ]
    factions = [
        (
            f"`factions.<faction>.{key}`",
            f"`<faction>_{key}`",
            m.meaning + ("; one per commodity of the theatre's set-up" if commodity else ""),
            m.unit,
        )
        for key, m, commodity in measures.of_factions(["<commodity>"])
    ]
    civilians = [
        (f"`civilians.{m.name}`", f"`{m.column()}`", m.meaning, m.unit)
        for m in measures.of_scope(measures.Scope.CIVILIANS)
    ]
    series = [
        (f"`{m.column()}`", m.meaning, m.unit) for m in measures.of_scope(measures.Scope.WORLD)
    ]
    events = [
        (f"`{c}`", meaning, unit) for c, (meaning, unit) in measures.EVENT_COLUMN_DOCS.items()
    ]
    kinds = ", ".join(f"`{kind.value}`" for kind in EventKind)
    runs = [(f"`{column}`", meaning, unit) for column, (meaning, unit) in RUNS_COLUMN_DOCS.items()]
    geojson = [
        (f"`{layer}`", f"`{name}`", meaning, unit)
        for layer, attributes in ATTRIBUTES.items()
        for name, (meaning, unit) in attributes.items()
    ]
    measure_header = ("summary key (`--json`)", "daily column (`--out`)", "meaning", "unit")
    return {
        "summary keys": _table(("key", "meaning", "unit"), summary),
        "faction measures": _table(measure_header, factions),
        "civilian measures": _table(measure_header, civilians),
        "series columns": _table(("column", "meaning", "unit"), series),
        "event columns": _table(("column", "meaning", "unit"), events)
        + f"\nEvent kinds: {kinds}.\n",
        "runs columns": _table(("column", "meaning", "unit"), runs),
        "geojson attributes": _table(("layer", "attribute", "meaning", "unit"), geojson),
    }


def expected_blocks() -> dict[str, str]:
    """Every block the guide must hold, by name, with the text it must hold."""
    blocks = {"cli wargame": _code(_help_text(build_parser()))}
    for name, parser in subcommands().items():
        blocks[f"cli wargame {name}"] = _code(_help_text(parser))
    return {**blocks, **output_tables()}


def expected_schemas() -> dict[Path, str]:
    """Every file `schemas/` must hold, with the text it must hold."""
    return {SCHEMAS / kind.file_name: schema_text(name) for name, kind in KINDS.items()}


def stale_schemas() -> list[Path]:
    """The schema files missing or differing from what the models make now."""
    return [
        path
        for path, text in expected_schemas().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_schemas(stale: list[Path]) -> None:
    expected = expected_schemas()
    for path in stale:
        with written_whole(path) as temporary:
            temporary.write_text(expected[path], encoding="utf-8")
    if stale:
        print(f"rewrote {', '.join(str(path) for path in stale)}")


# --- reading and writing the guide ----------------------------------------------------


def blocks_in(text: str) -> dict[str, str]:
    """The generated blocks a guide holds now, by name."""
    return {match["name"]: match["body"] for match in BLOCK.finditer(text)}


def hand_written(text: str) -> str:
    """The guide with its generated blocks emptied, markers kept."""
    return BLOCK.sub(lambda m: f"<!-- generated: {m['name']} -->\n<!-- end generated -->", text)


def missing_sections(text: str) -> list[str]:
    """Sub-commands the guide has no hand-written section for: heading, example and block."""
    problems = []
    sections = re.split(r"^(?=#{1,3} )", hand_written(text), flags=re.MULTILINE)
    for name in subcommands():
        heading = f"### `wargame {name}`"
        section = next((s for s in sections if s.startswith(heading + "\n")), None)
        if section is None:
            problems.append(
                f"`wargame {name}` has no section: add one under 'Command reference' with a "
                f"heading '{heading}', what it is for, an example 'wargame {name} ...' and "
                f"the lines '<!-- generated: cli wargame {name} -->' and "
                "'<!-- end generated -->'; then run `python docs/generate.py`"
            )
        elif f"<!-- generated: cli wargame {name} -->" not in section:
            problems.append(
                f"`wargame {name}`: put the lines '<!-- generated: cli wargame {name} -->' "
                "and '<!-- end generated -->' under its heading"
            )
        elif not re.search(rf"^wargame {re.escape(name)}\b", section, re.MULTILINE):
            problems.append(f"`wargame {name}`: its section needs an example 'wargame {name} ...'")
    return problems


def regenerate(text: str) -> tuple[str, list[str], list[str]]:
    """The guide with every block rewritten; the blocks that were stale; what is wrong."""
    expected = expected_blocks()
    present = blocks_in(text)
    stale = [name for name, body in present.items() if expected.get(name, body) != body]
    sections = {f"cli wargame {name}" for name in subcommands()}  # see missing_sections
    problems = [
        f"block '{n}' matches nothing in the code: remove it" for n in present.keys() - expected
    ]
    problems += [
        f"no block '{n}': add its markers" for n in expected if n not in present.keys() | sections
    ]
    problems += missing_sections(text)

    def fill(match: re.Match[str]) -> str:
        body = expected.get(match["name"], match["body"])
        return f"<!-- generated: {match['name']} -->\n{body}<!-- end generated -->"

    return BLOCK.sub(fill, text), stale, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list stale blocks; write nothing")
    args = parser.parse_args(argv)
    text = GUIDE.read_text(encoding="utf-8")
    new_text, stale, problems = regenerate(text)
    schemas = stale_schemas()
    if args.check:
        for name in stale:
            print(f"{GUIDE}: block '{name}' is stale: {REGENERATE}", file=sys.stderr)
        for path in schemas:
            print(f"{path} is stale: {REGENERATE}", file=sys.stderr)
    else:
        if new_text != text:
            GUIDE.write_text(new_text, encoding="utf-8")
            print(f"{GUIDE}: rewrote {', '.join(stale)}")
        write_schemas(schemas)
    for problem in problems:
        print(f"{GUIDE}: {problem}", file=sys.stderr)
    return 1 if problems or (args.check and (stale or schemas)) else 0


if __name__ == "__main__":
    sys.exit(main())
