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
    ("kachin", 1): "2ee39e47d32d39757cbab5e310ad8a3dff9304ce91ba4225affa9c6f4a6f17da",
    ("kachin", 2): "9a76d42d16fbf9d48cc3c22c3d8a73c9ec1c1efeb22d468460b31dbc56084e1c",
    ("kachin", 3): "5aa319400921dabda496c0aa9f12b297f257645d74360d70d6895b95a710f64c",
    # a seed whose columns met on the roads, so the road-fight search is guarded too: 1,437
    # unit-days of road fights in 120 days until Lamyang became a KIA depot, 8 after (seeds 1-3
    # have few or none; the benchmark's seed 42, guarded here before, had 562 until garrisons
    # were kept to the nearest battalion, 16 after)
    ("kachin", 12): "ec03e148010331a547c1b376015c3fa272a688e1fd67db3402cc5a04af374bee",
    ("synthetic", 1): "bc7894e1aece420ad581e7b48f9915595275e32750d5b60441904a2d06962a37",
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
