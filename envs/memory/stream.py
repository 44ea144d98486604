"""The random stream of the memory tasks: SplitMix64, a counter-based generator that numpy steps for many envs at once.

Every memory task draws an episode's random values in one block at reset: `words_per_episode` 64-bit words from its
own stream. A stream is one uint64 counter: word j of the block is `mix64(counter + (j + 1) * GAMMA)`, and the
counter then moves on by `words * GAMMA` (Steele, Lea and Flood's SplitMix64). `reset(seed=s)` starts the stream at
`mix64(s)`; the first reset without a seed starts it from the env's `np_random`.

Because a word depends only on the counter and its index, the array implementations in `envs.vector` draw the
blocks of any set of envs with one array expression, and env i of a vector env reset with seed s shows exactly the
episodes of a single env reset with seed s + i.

Example:
    >>> streams = seed_streams(np.array([0, 1], dtype=np.uint64))
    >>> words, streams = draw(streams, 3)
    >>> words.shape, integers(words, 4).dtype
    ((2, 3), dtype('int64'))
"""

from __future__ import annotations

import numpy as np

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_U64 = 1 << 64


def mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, elementwise on a uint64 array (arithmetic wraps modulo 2**64)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def seed_streams(seeds: np.ndarray) -> np.ndarray:
    """(R,) uint64 counters of streams seeded with `seeds` (uint64, taken modulo 2**64)."""
    return mix64(np.asarray(seeds, dtype=np.uint64).reshape(-1))


def consecutive_seeds(seed: int, n: int) -> np.ndarray:
    """(n,) uint64 seeds s, s + 1, ..., s + n - 1 modulo 2**64: Gymnasium's seeds of the envs of a vector env."""
    with np.errstate(over="ignore"):
        return np.uint64(seed % _U64) + np.arange(n, dtype=np.uint64)


def draw(streams: np.ndarray, words: int) -> tuple[np.ndarray, np.ndarray]:
    """The next `words` words of each stream and the streams moved past them: (R,) -> (R, words), (R,)."""
    steps = np.arange(1, words + 1, dtype=np.uint64) * GAMMA  # (words,), wraps
    with np.errstate(over="ignore"):
        block = mix64(streams[:, None] + steps[None, :])
        return block, streams + steps[-1]


def integers(words: np.ndarray, n: int) -> np.ndarray:
    """Integers in [0, n) from uint64 words, as int64 (the bias of the remainder is below n / 2**64)."""
    return (words % np.uint64(n)).astype(np.int64)


def uniform(words: np.ndarray, low: float, high: float) -> np.ndarray:
    """Float64 values in [low, high) from uint64 words (53 random bits each)."""
    return low + (high - low) * ((words >> np.uint64(11)).astype(np.float64) * 2.0**-53)
