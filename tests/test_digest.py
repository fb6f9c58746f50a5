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
    ("kachin", 1): "db4a2d32026e825012b24e75c85c70689becdf8b8c203af97964fc36bf58b080",
    ("kachin", 2): "0e5db2c5dd303ec87f516a95c78de2917799c1e34023ca80c50153957370a5d3",
    ("kachin", 3): "7576977d93786565d36349bc47379f3de936ae5c8fb6b661e4842282b6775af2",
    ("synthetic", 1): "74c7e4947a52f4a4caa95d490825a2243d7b9b1898c06dfe728826cb205b0830",
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
