"""Reading a JSON file (a map, a basemap, a GIS layer) into Python, or one clear error."""

from __future__ import annotations

import json
from pathlib import Path

from wargame.files import StrPath
from wargame.scenario.errors import ScenarioError


def read_json(path: StrPath) -> object:
    """The file's JSON document; raises ScenarioError saying why it does not read."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_repeats)
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", "expected a file, found a folder") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ScenarioError(path, where, f"not valid JSON: {error.msg}") from None
    except _RepeatedKey as error:
        raise ScenarioError(path, "", f"key {error.args[0]!r} given twice in one object") from None
    except RecursionError:
        raise ScenarioError(path, "", "nested too deeply to be read") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(path, "", f"cannot be read: {error}") from None


class _RepeatedKey(ValueError):
    pass


def _no_repeats(pairs: list[tuple[str, object]]) -> dict:
    """JSON objects as dicts, refusing a key given twice (json keeps the last one silently)."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return document
