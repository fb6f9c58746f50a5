"""JSON Schemas of the TOML files a user writes: a set-up, a faction, a history, an experiment.

Why: an editor that knows a file's schema (Taplo, VS Code's Even Better TOML)
marks a misspelt key or a word where a number belongs as it is typed. Each
schema is generated from the pydantic model the loader reads the file with, so
the two cannot drift apart. A schema checks one file alone, key by key; what
needs another file or the theatre (a unit's place must be on the map, a
history's faction one of the theatre's) is for `wargame validate`.

The models are imported when a schema is asked for, not with this module, so
that the command line can list the kinds without loading the analysis layer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import core_schema

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


class ForEditors(GenerateJsonSchema):
    """Pydantic's schemas, told the way the loader reads a file, so an editor's message
    names the key that is wrong.

    - A table whose keys must match a pattern (an id, a country code) says so:
      pydantic lists the pattern, but JSON Schema lets other keys by unless
      `additionalProperties` is false, where the loader refuses them.
    - A union tagged by a key (a history's targets by `kind`) picks its branch by
      the tag, as the loader does, with `if`/`then`: pydantic's `oneOf` leaves a
      validator to try every branch, and a misspelt key in one comes out as "not
      valid under any of the schemas", the whole table quoted.
    """

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        generated = super().dict_schema(schema)
        if "patternProperties" in generated and "additionalProperties" not in generated:
            generated["additionalProperties"] = False
        return generated

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        generated = super().tagged_union_schema(schema)
        if "discriminator" not in generated:
            return generated
        tag = generated["discriminator"]["propertyName"]
        branches = generated["discriminator"]["mapping"]
        return {
            "type": "object",
            "required": [tag],
            "properties": {tag: {"enum": list(branches)}},
            "allOf": [
                {
                    "if": {"properties": {tag: {"const": value}}, "required": [tag]},
                    "then": {"$ref": branch} if isinstance(branch, str) else branch,
                }
                for value, branch in branches.items()
            ],
        }


def file_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a kind of file (a key of `KINDS`), its own name and purpose first.

    Raises KeyError for a kind not in `KINDS`.
    """
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
