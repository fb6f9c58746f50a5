"""A guard against unintended change: a few runs' summaries against digests recorded earlier.

It stands beside the conservation, closed-form and pattern tests, never
instead of them: it says only that the same seeds still give the same runs.
Speed work must leave it green. When the model is meant to change, print the
new digests with `python tests/test_digest.py`, paste them below, and say so
in the commit message.
"""

import hashlib
import json

import pytest

from wargame import ConflictModel
from wargame.observation import summary

DAYS = 120
RECORDED = {
    1: "8669da432eb0b591e4590c5b2d744c8bb203316e24e2d5ee5007b367c75ef1c6",
    2: "532bd77eead3f9aedb8e92e2b2955bcf7c7a20b2d4d1bc200c3b70c0cba323e7",
    3: "c77eb48db0caf4fc09e36e93eca3ee8118370983897d2b53d9b25e4246c3d163",
}


def digest(seed: int) -> str:
    model = ConflictModel("kachin", rng=seed)
    model.run(DAYS)
    record = {"summary": summary(model), "events": [e.sentence for e in model.events]}
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("seed", sorted(RECORDED))
def test_the_same_seed_gives_the_same_run_as_recorded(seed):
    assert digest(seed) == RECORDED[seed]


if __name__ == "__main__":
    for seed in sorted(RECORDED):
        print(f'    {seed}: "{digest(seed)}",')
