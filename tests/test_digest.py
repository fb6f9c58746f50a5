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
    ("kachin", 1): "7f40de24b7cfd0652cd753b6afe26a34a8d780702fe178598cb9ddca26123743",
    ("kachin", 2): "971da7c019fef8ca442471b841771e676294a5793c29d3e0182104c144937848",
    ("kachin", 3): "9b761396fd93817466ea0937ba9255cdbda84767b5fca81d07950392a68de8a5",
    # seeds whose columns meet on the roads, so the road-fight search is guarded too (seeds
    # 1-3 have few or none). Seed 12 had 1,437 unit-days of road fights in 120 days, most of
    # them the Lamyang pocket's, until Lamyang became a KIA depot and broken units rallied on
    # strongholds: 8 after. Seeds 5 and 48 have the most of seeds 4-50 now, 111 and 119 (the
    # benchmark's seed 42, guarded here before, had 562 until garrisons were kept to the
    # nearest battalion, 16 after)
    ("kachin", 5): "ee48a2e239869d8f41cc756296a6eb818f8f776b5c498c990eccc856ded60faa",
    ("kachin", 12): "e21ce043162cd2945c0cafff889c71658c7797cd5832cb12128aaae8d409aa58",
    ("kachin", 48): "6e036f88535d08b85032f42ab70230e0db3d2dda0f7087c3c555e7ddbc13a844",
    ("synthetic", 1): "58765916a10fbb5daebd022f8a421232c6bca0699733aa9fecf635fff58ee9ee",
    ("synthetic", 2): "a2265789d72d8fe0236b597210164c9df19c4b6ffdfbbbda8ec87e32aea49f09",
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
