"""The seeds a run accepts: one range for the CLI, experiment files, the viewer and the classroom.

A seed fixes every random draw of a run (`ConflictModel(theatre, rng=seed)`). Fresh
seeds are drawn as 32 bits, a results table stores them as 64-bit integers and
a page's seed field holds ten digits: 0 to 2**32 - 1 fits all three, so a seed
that one way into a run accepts, every other accepts too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

SEED_MAX = 2**32 - 1
SEED_RANGE = f"a whole number from 0 to {SEED_MAX}"

_SEED_FIELD = {"ge": 0, "le": SEED_MAX, "description": f"the run's seed, {SEED_RANGE}"}
"""The pydantic `Field` of `Seed`, written once for the type checker and the run."""

if TYPE_CHECKING:  # what a type checker reads; at run time `__getattr__` makes it
    from pydantic import Field

    Seed = Annotated[int, Field(**_SEED_FIELD)]


def __getattr__(name: str) -> Any:
    """`Seed`, the pydantic field of a seed, made once when a file model asks for it: the
    command line checks seeds with `seed_problem` and starts without importing pydantic."""
    if name == "Seed":
        from pydantic import Field

        seed = Annotated[int, Field(**_SEED_FIELD)]
        globals()["Seed"] = seed
        return seed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def seed_problem(seed: object) -> str:
    """What a seed should be, when `seed` is not one ("" when it is)."""
    if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= SEED_MAX:
        return ""
    return f"expected {SEED_RANGE}"
