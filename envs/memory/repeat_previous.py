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

from collections.abc import Mapping
from typing import ClassVar, NamedTuple

import numpy as np
from gymnasium import spaces

from envs.memory.base import GREY, symbol_colour
from envs.memory.symbols import SymbolStreamEnv


class RepeatPreviousLevel(NamedTuple):
    """Parameters of one difficulty level."""

    k: int
    n_symbols: int
    length: int


class RepeatPreviousEnv(SymbolStreamEnv):
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

    levels: ClassVar[dict[str, RepeatPreviousLevel]] = {
        "easy": RepeatPreviousLevel(k=2, n_symbols=3, length=16),
        "medium": RepeatPreviousLevel(k=4, n_symbols=4, length=32),
        "hard": RepeatPreviousLevel(k=8, n_symbols=4, length=64),
    }
    minimums: ClassVar[Mapping[str, int]] = {"k": 1, "n_symbols": 2}  # length: > k, see _minimum
    k: int
    length: int

    def _minimum(self, name: str) -> int:
        return self.k + 1 if name == "length" else super()._minimum(name)

    def _setup(self) -> None:
        self.max_episode_steps = self.length
        self.memoryless_return = 1.0 / self.n_symbols
        self.action_space = spaces.Discrete(self.n_symbols)
        self.state_space = spaces.MultiDiscrete([self.length + 1] + [self.n_symbols + 1] * (self.k + 1))
        self.state_names = ("step", *(f"lag_{i}" for i in range(self.k + 1)))

    def get_state(self) -> np.ndarray:
        """(step, lag_0, ..., lag_k); lags before the first step and after the last are `n_symbols`."""
        lags = [self._symbol_at(self._step - i) for i in range(self.k + 1)]
        return np.array([self._step, *lags], dtype=np.int64)

    def _reward(self, action: int) -> float:
        if self._step >= self.k and action == self._symbols[self._step - self.k]:
            return 1.0 / (self.length - self.k)
        return 0.0

    def _cells(self) -> np.ndarray:
        """One row: the current symbol on the left, then the k remembered ones, the target last (grey = none)."""
        lags = self.get_state()[1:]
        return np.array([[GREY if s == self.n_symbols else symbol_colour(s) for s in lags]], dtype=np.int64)


LEVELS: dict[str, RepeatPreviousLevel] = RepeatPreviousEnv.levels
