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
    ("kachin", 1): "fda899452ef41a3b42b639fd0933069964a6576a635dd0298c9cc21854eeced1",
    ("kachin", 2): "b5e5179b07428a429521686375d701049a5d5eec9e6d588a876b2594249ece34",
    ("kachin", 3): "2c187004acb03e62744f19643fc84cee71e5ea722fb11707c5ce6be5a4bf1b61",
    ("synthetic", 1): "cda48d3754118249cbc33ea3d72d15290703f00518b0b4fe50e85158be078ba3",
    ("synthetic", 2): "b337c0e65ddfc35287d87e1af7f212e2e3941ab984327139cc078420d71d6cf2",
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
