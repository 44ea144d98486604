"""CountRecall: a stream of symbols, then queries: how many times did this symbol appear?

An episode first shows `stream_length` symbols drawn uniformly from `n_symbols` (actions are ignored), then
`n_queries` query symbols, drawn the same way, with a query flag set. The observation is the one-hot symbol followed by
the flag. An answer is a count in [0, stream_length]; each correct one earns 1 / n_queries, so the optimal return is
exactly 1. The last observation (after the final action) is all zeros.

Memoryless bound: the count of a uniformly drawn query symbol is Binomial(stream_length, 1 / n_symbols) whatever the
query, so the best memoryless policy answers its mode and scores max_c P(count = c) per query, exactly.

Example:
    >>> env = CountRecallEnv("easy")
    >>> env.memoryless_return
    0.375
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from gymnasium import spaces

from envs.memory.base import BLACK, GREY, RED, MemoryEnv, check_int, check_level, symbol_colour


class CountRecallLevel(NamedTuple):
    """Parameters of one difficulty level."""

    n_symbols: int
    stream_length: int
    n_queries: int


LEVELS: dict[str, CountRecallLevel] = {
    "easy": CountRecallLevel(n_symbols=2, stream_length=4, n_queries=2),
    "medium": CountRecallLevel(n_symbols=3, stream_length=10, n_queries=3),
    "hard": CountRecallLevel(n_symbols=4, stream_length=24, n_queries=4),
}


def binomial_mode_probability(n: int, p: float) -> float:
    """max_c P(X = c) for X ~ Binomial(n, p): the best a guess that ignores the stream can do."""
    return max(math.comb(n, c) * p**c * (1.0 - p) ** (n - c) for c in range(n + 1))


class CountRecallEnv(MemoryEnv):
    """Count how often each symbol appeared in a stream, then answer queries about it.

    Args:
        level: "easy", "medium" or "hard" (streams of 4, 10, 24 symbols out of 2, 3, 4).
        n_symbols: overrides the number of symbols (>= 2).
        stream_length: overrides the number of stream steps (>= 1).
        n_queries: overrides the number of query steps (>= 1).
        render_mode: None or "rgb_array".

    The state is (step, count_0, ..., count_{n-1}): the number of actions taken and how often each symbol has been
    shown in the stream so far, the one in view included; the answer to a query about s is `count_s`.
    """

    def __init__(
        self,
        level: str = "easy",
        *,
        n_symbols: int | None = None,
        stream_length: int | None = None,
        n_queries: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(render_mode)
        self.level = check_level(level)
        defaults = LEVELS[level]
        self.n_symbols = check_int("n_symbols", defaults.n_symbols if n_symbols is None else n_symbols, 2)
        self.stream_length = check_int(
            "stream_length", defaults.stream_length if stream_length is None else stream_length, 1
        )
        self.n_queries = check_int("n_queries", defaults.n_queries if n_queries is None else n_queries, 1)
        self.max_episode_steps = self.stream_length + self.n_queries
        self.memoryless_return = binomial_mode_probability(self.stream_length, 1.0 / self.n_symbols)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(self.n_symbols + 1,), dtype=np.float32)
        self.action_space = spaces.Discrete(self.stream_length + 1)
        self.state_space = spaces.MultiDiscrete(
            [self.max_episode_steps + 1] + [self.stream_length + 1] * self.n_symbols
        )
        self.state_names = ("step", *(f"count_{s}" for s in range(self.n_symbols)))
        self._symbols = np.zeros(self.max_episode_steps, dtype=np.int64)
        self._step = 0

    def _counts(self) -> np.ndarray:
        seen = self._symbols[: min(self._step + 1, self.stream_length)]
        return np.bincount(seen, minlength=self.n_symbols)

    def get_state(self) -> np.ndarray:
        """(step, count_0, ..., count_{n-1}) over the stream shown so far."""
        return np.array([self._step, *self._counts()], dtype=np.int64)

    def _observation(self) -> np.ndarray:
        obs = np.zeros(self.n_symbols + 1, dtype=np.float32)
        if self._step < self.max_episode_steps:
            obs[self._symbols[self._step]] = 1.0
            obs[-1] = float(self._step >= self.stream_length)
        return obs

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        # Stream and queries in one array: symbols[:stream_length] is the stream, the rest are the queries.
        self._symbols = self.np_random.integers(self.n_symbols, size=self.max_episode_steps)
        self._step = 0
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be in {self.action_space}, got {action!r}")
        reward = 0.0
        if self._step >= self.stream_length:
            answer = self._counts()[self._symbols[self._step]]
            reward = 1.0 / self.n_queries if int(action) == answer else 0.0
        self._step += 1
        terminated = self._step >= self.max_episode_steps
        return self._observation(), reward, terminated, False, self._info()

    def _cells(self) -> np.ndarray:
        """Top row: the symbol in view and a red query flag; below, one bar per symbol as long as its count."""
        cells = np.full((1 + self.n_symbols, max(self.stream_length, 2)), BLACK, dtype=np.int64)
        if self._step < self.max_episode_steps:
            cells[0, 0] = symbol_colour(self._symbols[self._step])
            cells[0, 1] = RED if self._step >= self.stream_length else GREY
        for s, count in enumerate(self._counts()):
            cells[1 + s, :count] = symbol_colour(s)
        return cells
