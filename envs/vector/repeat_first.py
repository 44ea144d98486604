"""RepeatFirst as an array program: reward for repeating the episode's first symbol, for N envs at once."""

from __future__ import annotations

import numpy as np

from envs.memory.repeat_first import RepeatFirstEnv
from envs.vector.symbols import SymbolStreamVectorEnv


class RepeatFirstVectorEnv(SymbolStreamVectorEnv):
    """N envs of `RepeatFirstEnv`; env i reset with seed s equals the single env reset with s + i.

    Example:
        >>> env = RepeatFirstVectorEnv(num_envs=3)
        >>> obs, info = env.reset(seed=0)
        >>> info["state"].shape
        (3, 3)
    """

    single_env_class = RepeatFirstEnv
    single_env: RepeatFirstEnv

    def _rewards(self, actions: np.ndarray) -> np.ndarray:
        return np.where(actions == self._symbols[:, 0], 1.0 / self.single_env.length, 0.0)

    def get_state(self) -> np.ndarray:
        """(N, 3): step, first symbol, symbol in view (`n_symbols` after the last step)."""
        return np.stack([self._step, self._symbols[:, 0], self._shown(self._rows)], axis=1)
