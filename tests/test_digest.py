"""A guard against unintended change: a few runs' summaries against digests recorded earlier.

It stands beside the conservation, closed-form and pattern tests, never
instead of them: it says only that the same seeds still give the same runs.
Speed work must leave it green. When the model is meant to change, print the
new digests with `python tests/test_digest.py`, paste them below, and say so
in the commit message.

Two theatres: the default one, and a generated one with many more places and
units, whose crowded fronts take code paths the small theatre rarely does.
"""

import hashlib
import json

import pytest

from wargame import ConflictModel
from wargame.engine.measures import summary
from wargame.scenario.synthetic import synthetic_theatre

RUNS = {  # name: (how to build the theatre, days)
    "kachin": (lambda seed: "kachin", 120),
    "synthetic": (lambda seed: synthetic_theatre(300, 600, seed), 60),
}
RECORDED = {
    ("kachin", 1): "8786db3007277f7910906591f8a30a7a984d81f0d9425d1e7defb845644a3d50",
    ("kachin", 2): "a89b2453b8f135430726ed6e94742ed7f04ae360b8767a0462cca353cfa917fd",
    ("kachin", 3): "31fbfa845d5e7d7fbc22e667bb00f29b05cc56536ad788bbe2abb884413a739d",
    ("synthetic", 1): "456c5633e8f238126a7fa7e7ce6b41fa8fa7393314e067f3135f224d99c0bd64",
    ("synthetic", 2): "2314ab32844f9333f350d4e2671f2ad534b4321e833a1350bdf4aba07fca8ce0",
}


def digest(name: str, seed: int) -> str:
    build, days = RUNS[name]
    model = ConflictModel(build(seed), rng=seed)
    model.run(days)
    record = {"summary": summary(model), "events": [e.sentence for e in model.events]}
    if name != "kachin":  # the first digests were of the summary and events alone
        record["units"] = [
            (u.unique_id, u.place, u.strength, round(u.morale, 9), u.posture.value)
            for u in model.units
        ]
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(("name", "seed"), sorted(RECORDED))
def test_the_same_seed_gives_the_same_run_as_recorded(name, seed):
    assert digest(name, seed) == RECORDED[(name, seed)]


if __name__ == "__main__":
    for name, seed in sorted(RECORDED):
        print(f'    ("{name}", {seed}): "{digest(name, seed)}",')
