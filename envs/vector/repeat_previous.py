"""RepeatPrevious as an array program: reward for the symbol shown k steps earlier, for N envs at once."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.memory.repeat_previous import RepeatPreviousEnv
from envs.vector.symbols import SymbolStreamVectorEnv


class RepeatPreviousVectorEnv(SymbolStreamVectorEnv):
    """N envs of `RepeatPreviousEnv`; env i reset with seed s equals the single env reset with s + i.

    Example:
        >>> env = RepeatPreviousVectorEnv(num_envs=4, level="medium")
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, info["state"].shape
        ((4, 4), (4, 6))
    """

    single_env_class = RepeatPreviousEnv
    single_env: RepeatPreviousEnv

    def __init__(self, num_envs: int = 1, level: str = "easy", *, render_mode: str | None = None, **kwargs: Any):
        super().__init__(num_envs, level, render_mode=render_mode, **kwargs)
        self.k = self.single_env.k
        self._reward = 1.0 / (self.single_env.length - self.k)
        self._lags = np.arange(self.k + 1)  # (k + 1,)

    def _rewards(self, actions: np.ndarray) -> np.ndarray:
        target = self._symbols[self._rows, np.maximum(self._step - self.k, 0)]
        return np.where((self._step >= self.k) & (actions == target), self._reward, 0.0)

    def get_state(self) -> np.ndarray:
        """(N, k + 2): step, lag_0, ..., lag_k (`n_symbols` outside the episode)."""
        t = self._step[:, None] - self._lags[None, :]  # (N, k + 1), time of each lag
        lags = np.where(t >= 0, self._symbols[self._rows[:, None], np.maximum(t, 0)], self.n_symbols)
        return np.concatenate([self._step[:, None], lags], axis=1)
