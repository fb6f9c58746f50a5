"""The one error every bad input becomes, and the one warning every strange one does.

Both say the file, the place in it and the problem. An error stops the
command; a warning (a `ScenarioWarning` through Python's `warnings`) lets it
run on, and every command and the viewer print it as one `warning:` line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import reprlib
import sys
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

# Problems one message lists, one a line; the rest are counted. Issue 17: an import of a
# 10 MB file ended in a 1.3 MB error no one could read.
MAX_PROBLEMS_LISTED = 20
# A value quoted in a message is cut short: a cell or key may be 100,000 characters long.
_QUOTED = reprlib.Repr(maxstring=60, maxother=60, maxlist=4, maxtuple=4, maxdict=4, maxlevel=2)
MAX_NAME_CHARS = 60  # a longer id or column name is cut short in a message
MAX_NAMED = 10  # names (places cut off, columns ignored) one message lists; the rest counted


class ScenarioError(Exception):
    """A theatre, faction or experiment file that cannot be used as it is."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path = Path(path)
        self.where = where
        self.problem = problem
        location = f"{self.path}: {where}: " if where else f"{self.path}: "
        super().__init__(location + problem)


class ScenarioProblems(ScenarioError):
    """Several problems found in one reading: a line stating how many and where, then a
    line for each of the first `MAX_PROBLEMS_LISTED`, each naming its own file and place."""

    def __init__(self, listed: Sequence[ScenarioError], counts: Counter[Path]) -> None:
        self.problems = tuple(listed[:MAX_PROBLEMS_LISTED])
        self.total = counts.total()
        files = ", ".join(f"{path} ({n:,})" for path, n in counts.items())
        lines = [f"{self.total:,} problems in {files}:", *(f"  {p}" for p in self.problems)]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems):,} more")
        super().__init__(self.problems[0].path, "", "\n".join(lines))
        self.args = (self.problem,)  # its lines name their own files


class Problems:
    """Problems gathered while reading on, so that one reading reports them all, and what
    is merely strange, said once the reading has found no problem."""

    def __init__(self) -> None:
        self.listed: list[ScenarioError] = []
        self.counts: Counter[Path] = Counter()
        self.strange: list[ScenarioWarning] = []
        self.strange_count = 0

    def __len__(self) -> int:
        return self.counts.total()

    def add(self, problem: ScenarioError) -> None:
        self.counts[problem.path] += 1
        if len(self.listed) < MAX_PROBLEMS_LISTED:
            self.listed.append(problem)

    def add_strange(self, warning: ScenarioWarning) -> None:
        self.strange_count += 1
        if len(self.strange) < MAX_PROBLEMS_LISTED:
            self.strange.append(warning)

    def say_strange(self) -> None:
        """Each warning gathered (the first `MAX_PROBLEMS_LISTED`, then how many more)."""
        for warning in self.strange:
            warnings.warn(warning, stacklevel=2)
        more = self.strange_count - len(self.strange)
        if more:
            warnings.warn(ScenarioWarning(None, "", f"... and {more:,} more"), stacklevel=2)

    @contextlib.contextmanager
    def noted(self) -> Iterator[None]:
        """A ScenarioError raised in the block is noted, and the reading goes on after it."""
        try:
            yield
        except ScenarioError as problem:
            self.add(problem)

    def raise_any(self) -> None:
        """One problem as it is (one line); several as a ScenarioProblems."""
        if len(self) == 1:
            raise self.listed[0]
        if self.counts:
            raise ScenarioProblems(self.listed, self.counts)


def quoted(value: object) -> str:
    """A value as a message shows it: its repr, cut short if long; a date or time as TOML
    writes it (2025-01-01), not as Python's repr."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _QUOTED.repr(value)


def shown(name: str) -> str:
    """A name in a message as it is, unless it is long or holds line breaks or the like."""
    return name if len(name) <= MAX_NAME_CHARS and name.isprintable() else quoted(name)


def name_list(names: Sequence[str]) -> str:
    """Names for a message: the first `MAX_NAMED` of them, and how many more."""
    more = len(names) - MAX_NAMED
    return ", ".join(map(shown, names[:MAX_NAMED])) + (f" and {more:,} more" if more > 0 else "")


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


def validation_problems(
    path: Path | str,
    error: ValidationError,
    prefix: tuple[str | int, ...] = (),
    labels: dict[tuple, str] | None = None,
    missing: str = "required key is missing",
) -> list[ScenarioError]:
    """Every problem pydantic found, each worded for a person; `missing` words a required
    key that is absent (a spreadsheet says "empty cell")."""
    # A misspelt key also makes the real key "missing": report the misspelling first.
    found = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    return [
        ScenarioError(path, describe_location((*prefix, *p["loc"]), labels), _worded(p, missing))
        for p in found
    ]


def _worded(problem: dict, missing: str) -> str:
    message = problem["msg"]
    if problem["type"] == "extra_forbidden":
        return "unknown key (check its spelling)"
    if problem["type"] == "missing":
        return missing
    if problem["type"] == "value_error":  # our own validators' words, without pydantic's prefix
        return str(problem.get("ctx", {}).get("error", message)).removeprefix("Value error, ")
    if "input" in problem:
        message += f", got {quoted(problem['input'])}"
    return message


def from_validation_error(
    path: Path | str,
    error: ValidationError,
    prefix: tuple[str | int, ...] = (),
    labels: dict[tuple, str] | None = None,
) -> ScenarioError:
    """The first problem pydantic found, worded for a person; the rest counted."""
    first, *rest = validation_problems(path, error, prefix, labels)
    if not rest:
        return first
    more = f" (and {len(rest)} more problem{'s' if len(rest) > 1 else ''})"
    return ScenarioError(first.path, first.where, first.problem + more)


class ScenarioWarning(UserWarning):
    """Input that can be meant but is probably a slip: said once, and the run goes on."""

    def __init__(self, path: Path | str | None, where: str, problem: str) -> None:
        self.path = Path(path) if path is not None else None
        self.where = where
        self.problem = problem
        location = "".join(f"{part}: " for part in (self.path, where) if part)
        super().__init__(location + problem)


def warn(path: Path | str | None, where: str, problem: str) -> None:
    """Say that `where` in `path` looks wrong; Python shows each warning once per process."""
    warnings.warn(ScenarioWarning(path, where, problem), stacklevel=2)


_other_warnings = warnings.showwarning
"""How warnings that are not ours are shown (Python's way, or a host's such as pytest's)."""


def _show_as_line(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, ScenarioWarning):
        print(f"warning: {message}", file=file or sys.stderr, flush=True)
    else:
        _other_warnings(message, category, filename, lineno, file, line)


def show_warnings_as_lines() -> None:
    """Print every ScenarioWarning from now on as one `warning: ...` line on stderr.

    For a process that lives as long as it shows them (the viewer's server);
    other warnings are shown as before.
    """
    global _other_warnings
    if warnings.showwarning is not _show_as_line:
        _other_warnings = warnings.showwarning
        warnings.showwarning = _show_as_line


@contextlib.contextmanager
def warnings_as_lines() -> Iterator[None]:
    """`show_warnings_as_lines` for the length of one command, then as before."""
    before = warnings.showwarning
    show_warnings_as_lines()
    try:
        yield
    finally:
        warnings.showwarning = before


@contextlib.contextmanager
def already_said() -> Iterator[None]:
    """No ScenarioWarning in the block: for loading again input whose warnings were said
    (a batch's runs and workers load the theatre its experiment loaded and checked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        yield
