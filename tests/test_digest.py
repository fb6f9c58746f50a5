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
    ("kachin", 1): "ffa33a046b1cdd1a51f83740c00ef69b1444d2c7e10a99d7b23c12f8a2ae6138",
    ("kachin", 2): "4623536673de54e6aee8bb9f7b21e0c2542c8cb13de1f4894bd6306db2c84b59",
    ("kachin", 3): "8db097477a8674e57a4758eaa38d4f42c0d0b70b06c66c6a48c172d861d5b4de",
    ("synthetic", 1): "cdddb6bcf0258c489a508e5fb84885ef5eda47eb26097dcaa19dab5941c84752",
    ("synthetic", 2): "70d5e116b686cc5abb91f6e9cc65c03f23a7fd7117da3045e8df6480458e4f89",
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
