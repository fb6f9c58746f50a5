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
    ("kachin", 1): "6df87ad3f831b6f7b3ea9055ca1c6dd6939577379ec7392ec0865225bde298d1",
    ("kachin", 2): "2acc37e211860ad41043c9987138a015be83291ce7d2d7ae1851085b9f6ff050",
    ("kachin", 3): "88081ee6946798440879260b6eb19ce1c490a480c44dcf551e27eb86a8c4f07a",
    # seeds whose columns meet on the roads, so the road-fight search is guarded too (seeds
    # 1-3 have few or none). Seed 12 had 1,437 unit-days of road fights in 120 days until
    # Lamyang became a KIA depot and broken units fell back on strongholds, 204 after; seed 32
    # has 496 (the benchmark's seed 42, guarded here before, had 562 until garrisons were kept
    # to the nearest battalion, 16 after)
    ("kachin", 12): "acba748edd519dbf34b4c5d5ce0eb63f8c26f0bca2f83824b93be4dddbded3ce",
    ("kachin", 32): "b02622bf01b838e48420d843a5ce0ec10c4c0d1b59fc1f7e5927785ab7e346c2",
    ("synthetic", 1): "0f0bc8da9bb18e10eb5bfb8850eccdea9980ee572ceab003765f925bf6f02b62",
    ("synthetic", 2): "bf8b40a0e5780cde270db2aba8cefa9abd446f00ebc4ecec5c433ff3cdef0531",
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
