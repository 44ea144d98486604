"""RepeatFirst: reward for reproducing the first symbol of the episode at every step.

The first observation shows the symbol to remember; every later one shows a random distractor from the same
`n_symbols` (one-hot vectors). Each of the `length` actions earns 1 / length when it equals the first symbol, so the
optimal return is exactly 1. The last observation (after the final action) is all zeros.

Memoryless bound: at step 0 the target is in view; afterwards the shown distractor is independent of it, so the best
memoryless policy repeats the current symbol and scores (1 + (length - 1) / n_symbols) / length exactly.

Example:
    >>> env = RepeatFirstEnv("easy")
    >>> round(env.memoryless_return, 5)
    0.34375
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from gymnasium import spaces

from envs.memory.base import GREY, MemoryEnv, check_int, check_level, one_hot, symbol_colour


class RepeatFirstLevel(NamedTuple):
    """Parameters of one difficulty level."""

    n_symbols: int
    length: int


LEVELS: dict[str, RepeatFirstLevel] = {
    "easy": RepeatFirstLevel(n_symbols=4, length=8),
    "medium": RepeatFirstLevel(n_symbols=4, length=32),
    "hard": RepeatFirstLevel(n_symbols=4, length=128),
}


class RepeatFirstEnv(MemoryEnv):
    """Reproduce the first symbol of the episode at every step.

    Args:
        level: "easy", "medium" or "hard" (length = 8, 32, 128 steps).
        n_symbols: overrides the number of symbols (>= 2).
        length: overrides the number of steps per episode (>= 2).
        render_mode: None or "rgb_array".

    The state is (step, first_symbol, symbol): the number of actions taken, the target and the symbol in view
    (`n_symbols` once the episode is over).
    """

    state_names = ("step", "first_symbol", "symbol")

    def __init__(
        self,
        level: str = "easy",
        *,
        n_symbols: int | None = None,
        length: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(render_mode)
        self.level = check_level(level)
        defaults = LEVELS[level]
        self.n_symbols = check_int("n_symbols", defaults.n_symbols if n_symbols is None else n_symbols, 2)
        self.length = check_int("length", defaults.length if length is None else length, 2)
        self.max_episode_steps = self.length
        self.memoryless_return = (1.0 + (self.length - 1) / self.n_symbols) / self.length
        self.observation_space = spaces.Box(0.0, 1.0, shape=(self.n_symbols,), dtype=np.float32)
        self.action_space = spaces.Discrete(self.n_symbols)
        self.state_space = spaces.MultiDiscrete([self.length + 1, self.n_symbols, self.n_symbols + 1])
        self._symbols = np.zeros(self.length, dtype=np.int64)
        self._step = 0

    def get_state(self) -> np.ndarray:
        """(step, first_symbol, symbol in view or `n_symbols` after the last step)."""
        shown = int(self._symbols[self._step]) if self._step < self.length else self.n_symbols
        return np.array([self._step, self._symbols[0], shown], dtype=np.int64)

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
        reward = 1.0 / self.length if int(action) == self._symbols[0] else 0.0
        self._step += 1
        terminated = self._step >= self.length
        return self._observation(), reward, terminated, False, self._info()

    def _cells(self) -> np.ndarray:
        """One row: the first symbol, then the symbol in view (grey once the episode is over)."""
        _, first, shown = self.get_state()
        return np.array([[symbol_colour(first), GREY if shown == self.n_symbols else symbol_colour(shown)]])
