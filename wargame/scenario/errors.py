"""The one error every bad input becomes: file, place in it, what was expected."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class ScenarioError(Exception):
    """A theatre, faction or experiment file that cannot be used as it is."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path = Path(path)
        self.where = where
        self.problem = problem
        location = f"{self.path}: {where}: " if where else f"{self.path}: "
        super().__init__(location + problem)


def describe_location(loc: tuple[str | int, ...], labels: dict[tuple, str] | None = None) -> str:
    """Turn pydantic's ('features', 3, 'properties', 'kind') into 'features[3].properties.kind'.

    `labels` maps a location prefix to a readable name, e.g. the place id of a
    feature, so the message points at "features[3] (place 'laiza')".
    """
    text = ""
    for depth, part in enumerate(loc):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        if labels and tuple(loc[: depth + 1]) in labels:
            text += f" ({labels[tuple(loc[: depth + 1])]})"
    return text


def from_validation_error(
    path: Path | str,
    error: ValidationError,
    prefix: tuple[str | int, ...] = (),
    labels: dict[tuple, str] | None = None,
) -> ScenarioError:
    """The first problem pydantic found, worded for a person; the rest counted."""
    # A misspelt key also makes the real key "missing": report the misspelling first.
    problems = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = problems[0]
    where = describe_location(prefix + tuple(first["loc"]), labels)
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key (check its spelling)"
    elif first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] == "value_error":  # our own validators' words, without pydantic's prefix
        message = str(first.get("ctx", {}).get("error", message)).removeprefix("Value error, ")
    elif "input" in first and first["type"] not in {"missing"}:
        message += f", got {first['input']!r}"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return ScenarioError(path, where, message)
