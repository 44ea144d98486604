"""CountRecall as an array program: count the symbols of a stream, answer queries, for N envs at once."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.memory.count_recall import CountRecallEnv
from envs.vector.base import Rows
from envs.vector.symbols import SymbolStreamVectorEnv


class CountRecallVectorEnv(SymbolStreamVectorEnv):
    """N envs of `CountRecallEnv`; env i reset with seed s equals the single env reset with s + i.

    The running counts of every stream are computed once per episode: `_counts[i, t]` is the count of each symbol
    over the first t + 1 stream steps of env i.

    Example:
        >>> env = CountRecallVectorEnv(num_envs=2, level="hard")
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, info["state"].shape
        ((2, 5), (2, 5))
    """

    single_env_class = CountRecallEnv
    single_env: CountRecallEnv

    def __init__(self, num_envs: int = 1, level: str = "easy", *, render_mode: str | None = None, **kwargs: Any):
        super().__init__(num_envs, level, render_mode=render_mode, **kwargs)
        self.stream_length = self.single_env.stream_length
        self.n_queries = self.single_env.n_queries
        self._counts = np.zeros((self.num_envs, self.stream_length, self.n_symbols), dtype=np.int64)  # (N, L, n)

    def _start(self, rows: Rows, words: np.ndarray) -> None:
        super()._start(rows, words)
        shown = self._symbols[rows, : self.stream_length]  # (R, L)
        one_hot = shown[:, :, None] == np.arange(self.n_symbols)[None, None, :]  # (R, L, n)
        self._counts[rows] = np.cumsum(one_hot, axis=1)

    def _flags(self, rows: Rows, obs: np.ndarray) -> None:
        step = self._step[rows]
        obs[:, self.n_symbols] = (step >= self.stream_length) & (step < self.max_episode_steps)

    def _rewards(self, actions: np.ndarray) -> np.ndarray:
        totals = self._counts[:, -1, :]  # (N, n), the whole stream
        answer = totals[self._rows, np.minimum(self._shown(self._rows), self.n_symbols - 1)]
        return np.where((self._step >= self.stream_length) & (actions == answer), 1.0 / self.n_queries, 0.0)

    def get_state(self) -> np.ndarray:
        """(N, 1 + n): step, then the count of each symbol over the stream shown so far."""
        seen = np.minimum(self._step, self.stream_length - 1)
        return np.concatenate([self._step[:, None], self._counts[self._rows, seen]], axis=1)
