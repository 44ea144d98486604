"""RepeatPrevious: each step shows a random symbol; reward for reproducing the one shown k steps earlier.

An episode shows `length` symbols drawn uniformly from `n_symbols`, one per step, as one-hot vectors. From step k on,
the action (a symbol) earns 1 / (length - k) when it equals the symbol shown k steps before, so the optimal return
is exactly 1 and the reward is dense. The last observation (after the final action) is all zeros.

Memoryless bound: the target shown k >= 1 steps ago is independent of the current symbol, so any memoryless policy
scores with probability 1 / n_symbols per step: the best memoryless return is exactly 1 / n_symbols.

Example:
    >>> env = RepeatPreviousEnv("easy")
    >>> obs, info = env.reset(seed=0)
    >>> env.state_names
    ('step', 'lag_0', 'lag_1', 'lag_2')
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from gymnasium import spaces

from envs.memory.base import GREY, MemoryEnv, check_int, check_level, one_hot, symbol_colour


class RepeatPreviousLevel(NamedTuple):
    """Parameters of one difficulty level."""

    k: int
    n_symbols: int
    length: int


LEVELS: dict[str, RepeatPreviousLevel] = {
    "easy": RepeatPreviousLevel(k=2, n_symbols=3, length=16),
    "medium": RepeatPreviousLevel(k=4, n_symbols=4, length=32),
    "hard": RepeatPreviousLevel(k=8, n_symbols=4, length=64),
}


class RepeatPreviousEnv(MemoryEnv):
    """Reproduce the symbol shown `k` steps earlier.

    Args:
        level: "easy", "medium" or "hard" (k = 2, 4, 8).
        k: overrides the lag (>= 1).
        n_symbols: overrides the number of symbols (>= 2).
        length: overrides the number of steps per episode (> k).
        render_mode: None or "rgb_array".

    The state is (step, lag_0, ..., lag_k): the number of actions taken and the symbols shown 0..k steps ago,
    with `n_symbols` standing for "nothing shown yet"; the current target is `lag_k`.
    """

    def __init__(
        self,
        level: str = "easy",
        *,
        k: int | None = None,
        n_symbols: int | None = None,
        length: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(render_mode)
        self.level = check_level(level)
        defaults = LEVELS[level]
        self.k = check_int("k", defaults.k if k is None else k, 1)
        self.n_symbols = check_int("n_symbols", defaults.n_symbols if n_symbols is None else n_symbols, 2)
        self.length = check_int("length", defaults.length if length is None else length, self.k + 1)
        self.max_episode_steps = self.length
        self.memoryless_return = 1.0 / self.n_symbols
        self.observation_space = spaces.Box(0.0, 1.0, shape=(self.n_symbols,), dtype=np.float32)
        self.action_space = spaces.Discrete(self.n_symbols)
        self.state_space = spaces.MultiDiscrete([self.length + 1] + [self.n_symbols + 1] * (self.k + 1))
        self.state_names = ("step", *(f"lag_{i}" for i in range(self.k + 1)))
        self._symbols = np.zeros(self.length, dtype=np.int64)
        self._step = 0

    def get_state(self) -> np.ndarray:
        """(step, lag_0, ..., lag_k); lags before the first step and after the last are `n_symbols`."""
        lags = [self._symbol_at(self._step - i) for i in range(self.k + 1)]
        return np.array([self._step, *lags], dtype=np.int64)

    def _symbol_at(self, t: int) -> int:
        return int(self._symbols[t]) if 0 <= t < self.length else self.n_symbols

    def _observation(self) -> np.ndarray:
        if self._step >= self.length:
            return np.zeros(self.n_symbols, dtype=np.float32)
        return one_hot(self._symbols[self._step], self.n_symbols)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._symbols = self.np_random.integers(self.n_symbols, size=self.length)
        self._step = 0
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be in {self.action_space}, got {action!r}")
        reward = 0.0
        if self._step >= self.k and int(action) == self._symbols[self._step - self.k]:
            reward = 1.0 / (self.length - self.k)
        self._step += 1
        terminated = self._step >= self.length
        return self._observation(), reward, terminated, False, self._info()

    def _cells(self) -> np.ndarray:
        """One row: the current symbol on the left, then the k remembered ones, the target last (grey = none)."""
        lags = self.get_state()[1:]
        return np.array([[GREY if s == self.n_symbols else symbol_colour(s) for s in lags]], dtype=np.int64)
