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
    ("kachin", 1): "c28a18c0210d9d85b77cd7a2b85febfeca3ca889e51b8ff629f86f4fd88f5af1",
    ("kachin", 2): "de23840f99bff2bd4df6a2f15ade68172a44b86fd386f88bb212b7785d3ae9c2",
    ("kachin", 3): "4639527f4c9ea95c7a31855b08948b166000fd3b1dbea68fdbf2aeac1cd76006",
    ("synthetic", 1): "02e6df1bf163946115ada6e694b5b3a8f9be5917ffd25b2cf1cadd08ead3a3ff",
    ("synthetic", 2): "aa7019903a927f170af86df9c3313a25e04ab5bd6f2763a8fc972c0449c77c55",
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
