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
from collections.abc import Mapping
from typing import ClassVar, NamedTuple

import numpy as np
from gymnasium import spaces

from envs.memory.base import BLACK, GREY, RED, symbol_colour
from envs.memory.symbols import SymbolStreamEnv


class CountRecallLevel(NamedTuple):
    """Parameters of one difficulty level."""

    n_symbols: int
    stream_length: int
    n_queries: int


def binomial_mode_probability(n: int, p: float) -> float:
    """max_c P(X = c) for X ~ Binomial(n, p): the best a guess that ignores the stream can do."""
    return max(math.comb(n, c) * p**c * (1.0 - p) ** (n - c) for c in range(n + 1))


class CountRecallEnv(SymbolStreamEnv):
    """Count how often each symbol appeared in a stream, then answer queries about it.

    Args:
        level: "easy", "medium" or "hard" (streams of 4, 10, 24 symbols out of 2, 3, 4).
        n_symbols: overrides the number of symbols (>= 2).
        stream_length: overrides the number of stream steps (>= 1).
        n_queries: overrides the number of query steps (>= 1).
        render_mode: None or "rgb_array".

    The state is (step, count_0, ..., count_{n-1}): the number of actions taken and how often each symbol has been
    shown in the stream so far, the one in view included; the answer to a query about s is `count_s`.
    The symbol stream holds the stream and the queries: `_symbols[:stream_length]` is the stream, the rest the queries.
    """

    levels: ClassVar[dict[str, CountRecallLevel]] = {
        "easy": CountRecallLevel(n_symbols=2, stream_length=4, n_queries=2),
        "medium": CountRecallLevel(n_symbols=3, stream_length=10, n_queries=3),
        "hard": CountRecallLevel(n_symbols=4, stream_length=24, n_queries=4),
    }
    minimums: ClassVar[Mapping[str, int]] = {"n_symbols": 2, "stream_length": 1, "n_queries": 1}
    n_flags = 1  # the query flag
    stream_length: int
    n_queries: int

    def _setup(self) -> None:
        self.max_episode_steps = self.stream_length + self.n_queries
        self.memoryless_return = binomial_mode_probability(self.stream_length, 1.0 / self.n_symbols)
        self.action_space = spaces.Discrete(self.stream_length + 1)
        self.state_space = spaces.MultiDiscrete(
            [self.max_episode_steps + 1] + [self.stream_length + 1] * self.n_symbols
        )
        self.state_names = ("step", *(f"count_{s}" for s in range(self.n_symbols)))

    def _counts(self) -> np.ndarray:
        seen = self._symbols[: min(self._step + 1, self.stream_length)]
        return np.bincount(seen, minlength=self.n_symbols)

    def get_state(self) -> np.ndarray:
        """(step, count_0, ..., count_{n-1}) over the stream shown so far."""
        return np.array([self._step, *self._counts()], dtype=np.int64)

    def _flags(self) -> tuple[float, ...]:
        """The query flag: 1 while a query is in view."""
        return (float(self._step >= self.stream_length),)

    def _reward(self, action: int) -> float:
        if self._step < self.stream_length:
            return 0.0  # answers during the stream are ignored
        answer = self._counts()[self._symbols[self._step]]
        return 1.0 / self.n_queries if action == answer else 0.0

    def _cells(self) -> np.ndarray:
        """Top row: the symbol in view and a red query flag; below, one bar per symbol as long as its count."""
        cells = np.full((1 + self.n_symbols, max(self.stream_length, 2)), BLACK, dtype=np.int64)
        if self._step < self.max_episode_steps:
            cells[0, 0] = symbol_colour(self._symbols[self._step])
            cells[0, 1] = RED if self._step >= self.stream_length else GREY
        for s, count in enumerate(self._counts()):
            cells[1 + s, :count] = symbol_colour(s)
        return cells


LEVELS: dict[str, CountRecallLevel] = CountRecallEnv.levels
