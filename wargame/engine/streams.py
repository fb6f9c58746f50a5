"""A run's random streams: each draw is a function of the seed, its purpose, its day and its id.

Two runs with one seed that differ in one lever (two arms of an experiment, or a
run and its fork from some day) should see the same luck wherever their worlds
are the same, so that the lever's effect is not buried under noise (common
random numbers). With one generator for the whole run that fails at the first
difference: one more draw anywhere shifts every later draw of every phase.
Here a draw never depends on how many draws came before it:

- `stream(seed, *key)` derives an independent generator from the seed and a key
  of stable names and numbers (numpy's SeedSequence over a hash of the key),
  so adding a stream never shifts another;
- `Streams` gives a phase the draws of one purpose on one day, one per id (a
  unit's or a civilian group's) or per name (a crossing, a faction): the draw
  of id 57 on day 12 is the same whichever other ids draw that day.

Draws other than uniforms are made by inversion (the quantile function at the
uniform), so a lever that moves a chance or a mean moves each outcome by as
little as it can: a higher chance keeps every event a lower one had.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence

import numpy as np
from scipy import special

try:  # the kernel of scipy's `binom.ppf`, without its per-call checks (~20x cheaper)
    from scipy.special._ufuncs import _binom_ppf
except ImportError:  # pragma: no cover - a scipy that moved it: the public quantile
    # here only: importing scipy.stats costs every process that runs a model about a second
    from scipy.stats import binom

    _binom_ppf = binom.ppf

Key = str | int


def stream(seed: int, *key: Key) -> np.random.Generator:
    """The generator of `key` (a purpose, then days, ids, names) in the run seeded `seed`.

    The same seed and key give the same generator in any run and any process,
    whatever else the run drew; different keys give independent streams.
    """
    text = json.dumps([str(part) if isinstance(part, str) else int(part) for part in key])
    digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
    words = np.frombuffer(digest, dtype=np.uint32).tolist()
    return np.random.default_rng([int(seed), *words])


class Streams:
    """The draws of one run, by purpose and day: what the phases roll their dice with."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def uniform(self, purpose: str, day: int, *key: Key) -> float:
        """One uniform in [0, 1) for a purpose on a day, and the names it is about (a
        crossing, a faction): for rare draws one at a time."""
        return float(stream(self.seed, purpose, day, *key).random())

    def uniforms(self, purpose: str, day: int, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """A uniform in [0, 1) for each id (agents' unique ids, non-negative), each the
        same whichever other ids draw: the day's stream is read as a table by id."""
        ids = np.asarray(ids, dtype=np.intp)
        if not len(ids):
            return np.empty(0)
        return stream(self.seed, purpose, day).random(int(ids.max()) + 1)[ids]

    def binomial(
        self,
        purpose: str,
        day: int,
        ids: Sequence[int] | np.ndarray,
        trials: Sequence[int] | np.ndarray,
        chance: Sequence[float] | np.ndarray,
    ) -> np.ndarray:
        """A binomial draw for each id, by inversion of its uniform (scipy's quantile).

        Raises ValueError for trials that are not whole and non-negative or a chance
        outside [0, 1], where scipy's quantile would give NaN.
        """
        uniforms = self.uniforms(purpose, day, ids)
        trials, chance = np.asarray(trials), np.asarray(chance, dtype=float)
        if np.any(trials < 0) or np.any(trials != np.floor(trials)):
            raise ValueError(f"{purpose}: binomial trials must be whole and >= 0: {trials}")
        if np.any(~((chance >= 0.0) & (chance <= 1.0))):
            raise ValueError(f"{purpose}: binomial chance must be in [0, 1]: {chance}")
        drawn = np.where(uniforms > 0.0, _binom_ppf(uniforms, trials, chance), 0.0)
        return drawn.astype(np.int64)

    def lognormal(
        self, purpose: str, day: int, ids: Sequence[int] | np.ndarray, mu: float, sigma: float
    ) -> np.ndarray:
        """exp(mu + sigma Z) for each id, Z the standard normal quantile of its uniform.

        The C library's exp, not numpy's: on a CPU with AVX-512 numpy takes a vector exp
        whose last bits differ from it (about 1 draw in 20), and a last bit can change a
        run (a unit that breaks on day 44 instead of day 50), so one seed gave two runs on
        two machines. Elsewhere numpy's exp is the C library's, so those runs are unchanged."""
        exponents = mu + sigma * special.ndtri(self.uniforms(purpose, day, ids))
        flat = exponents.ravel()
        drawn = np.fromiter(map(math.exp, flat.tolist()), dtype=float, count=flat.size)
        return drawn.reshape(exponents.shape)
