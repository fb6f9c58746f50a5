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
    ("kachin", 1): "51e5065ce3e4c9e5a885be81c7bfc2a7997c7822fb652d44ca191df58841c13c",
    ("kachin", 2): "669575dbf78408de44b196ff5395d7b26d07c4e35e2dca60d8196d36bc60db7a",
    ("kachin", 3): "b28b69fb75c4011420a4be01854c4db10e958b956b439115b82a82c3077f2a0e",
    # the benchmark's seed: its columns meet on the roads (562 unit-days of road fights in
    # 120 days, where seeds 1-3 have none), so the road-fight search is guarded here too;
    # recorded on ef55f9c, before that search was rewritten for speed
    ("kachin", 42): "2f738759fafa472f87658fa1b31525592d5d06b95bd77e220c3ffa5ccd6d140e",
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
