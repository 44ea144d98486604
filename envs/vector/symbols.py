"""Array base of the symbol-stream tasks: N streams of one-hot symbols, scored by a task's vectorised rule.

Each env's episode is a row of `symbols`, drawn at reset as the single env draws it; a row carries one sentinel
column (`n_symbols`, shown as all zeros) after the last step. The observation is one gather from a lookup table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.memory import stream
from envs.memory.symbols import SymbolStreamEnv
from envs.vector.base import MemoryVectorEnv, Rows, check_discrete_actions


class SymbolStreamVectorEnv(MemoryVectorEnv):
    """N envs of a `SymbolStreamEnv` task; a task implements `_rewards`, `get_state` and, if it needs, `_flags`."""

    single_env: SymbolStreamEnv

    def __init__(self, num_envs: int = 1, level: str = "easy", *, render_mode: str | None = None, **kwargs: Any):
        super().__init__(num_envs, level, render_mode=render_mode, **kwargs)
        n, length = self.single_env.n_symbols, self.max_episode_steps
        self.n_symbols = n
        self.words_per_episode = length
        # Row s: the one-hot observation of symbol s; row n (the sentinel) is all zeros.
        self._table = np.eye(n + 1, n + self.single_env.n_flags, dtype=np.float32)
        self._table[n] = 0.0
        self._symbols = np.full((self.num_envs, length + 1), n, dtype=np.int64)  # (N, T + 1)
        self._step = np.zeros(self.num_envs, dtype=np.int64)

    def _start(self, rows: Rows, words: np.ndarray) -> None:
        self._symbols[rows, :-1] = stream.integers(words, self.n_symbols)
        self._step[rows] = 0

    def _check_actions(self, actions: Any) -> np.ndarray:
        return check_discrete_actions(actions, self.num_envs, int(self.single_action_space.n))  # type: ignore[attr-defined]

    def _rewards(self, actions: np.ndarray) -> np.ndarray:
        """(N,) float64 rewards of `actions` at the current step, before the step counter moves on."""
        raise NotImplementedError

    def _flags(self, rows: Rows, obs: np.ndarray) -> None:
        """Write the flag entries of `obs` (after the one-hot symbol) for envs `rows`."""

    def _advance(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rewards = self._rewards(actions)
        self._step += 1
        terminated = self._step >= self.max_episode_steps
        return rewards, terminated, np.zeros(self.num_envs, dtype=bool)

    def _shown(self, rows: Rows) -> np.ndarray:
        """(R,) symbol in view of envs `rows` (`n_symbols` after the last step)."""
        return self._symbols[rows, self._step[rows]]

    def _observation(self, rows: Rows) -> np.ndarray:
        obs = self._table[self._shown(rows)]  # (R,) -> (R, F)
        self._flags(rows, obs)
        return obs

    def _load(self, i: int) -> None:
        self.single_env._symbols = self._symbols[i, :-1].copy()
        self.single_env._step = int(self._step[i])
