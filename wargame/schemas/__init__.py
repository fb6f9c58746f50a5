"""JSON Schemas of the TOML files a user writes: a set-up, a faction, a history, an experiment.

Why: an editor that knows a file's schema (Taplo, VS Code's Even Better TOML)
marks a misspelt key or a word where a number belongs as it is typed. Each
schema is generated from the pydantic model the loader reads the file with, so
the two cannot drift apart. A schema checks one file alone, key by key; what
needs another file or the theatre (a unit's place must be on the map, a
history's faction one of the theatre's) is for `wargame validate`.

The models and pydantic's schema generator are imported when a schema is asked
for, not with this module, so that the command line can list the kinds without
loading the analysis layer or pydantic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

ID_PREFIX = "urn:wargame-abm:schema:"
"""The schemas' `$id`s: names, not addresses (nothing is fetched from them)."""


@dataclass(frozen=True)
class FileKind:
    """One kind of file: the model that reads it, and how its schema is named."""

    module: str
    model: str
    title: str
    file_name: str
    """The schema's file name in `schemas/`, and what `--out` suggests."""

    def read_by(self) -> type[BaseModel]:
        return getattr(import_module(self.module), self.model)


KINDS: dict[str, FileKind] = {
    "setup": FileKind(
        "wargame.scenario.schema", "SetupFile", "wargame set-up file", "setup.schema.json"
    ),
    "faction": FileKind(
        "wargame.scenario.schema", "FactionFile", "wargame faction file", "faction.schema.json"
    ),
    "history": FileKind(
        "wargame.scenario.history",
        "HistoryFileByKind",
        "wargame history file",
        "history.schema.json",
    ),
    "experiment": FileKind(
        "wargame.analysis.experiments",
        "ExperimentFile",
        "wargame experiment file",
        "experiment.schema.json",
    ),
}
"""Every kind of TOML file a user writes, by the name `wargame schema KIND` takes."""


def file_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a kind of file (a key of `KINDS`), its own name and purpose first.

    Raises KeyError for a kind not in `KINDS`.
    """
    from wargame.schemas.generator import ForEditors  # pydantic: only when a schema is asked for

    spec = KINDS[kind]
    generated = spec.read_by().model_json_schema(schema_generator=ForEditors)
    header = {
        "$schema": ForEditors.schema_dialect,
        "$id": f"{ID_PREFIX}{kind}",
        "title": spec.title,
        "description": generated.pop("description"),
    }
    generated.pop("title")
    return {**header, **generated}


def schema_text(kind: str) -> str:
    """A kind's schema as the file `schemas/<kind>.schema.json` holds it."""
    return json.dumps(file_schema(kind), indent=2, ensure_ascii=False) + "\n"
