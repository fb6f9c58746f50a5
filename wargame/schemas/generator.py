"""How pydantic's JSON Schemas are told for an editor (`ForEditors`).

Kept apart from the kinds of file so that listing them (`wargame schema --help`, the
command line's start) does not import pydantic's schema generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue

if TYPE_CHECKING:
    from pydantic_core import core_schema


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
