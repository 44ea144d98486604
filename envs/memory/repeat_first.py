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

from collections.abc import Mapping
from typing import ClassVar, NamedTuple

import numpy as np
from gymnasium import spaces

from envs.memory.base import GREY, symbol_colour
from envs.memory.symbols import SymbolStreamEnv


class RepeatFirstLevel(NamedTuple):
    """Parameters of one difficulty level."""

    n_symbols: int
    length: int


class RepeatFirstEnv(SymbolStreamEnv):
    """Reproduce the first symbol of the episode at every step.

    Args:
        level: "easy", "medium" or "hard" (length = 8, 32, 128 steps).
        n_symbols: overrides the number of symbols (>= 2).
        length: overrides the number of steps per episode (>= 2).
        render_mode: None or "rgb_array".

    The state is (step, first_symbol, symbol): the number of actions taken, the target and the symbol in view
    (`n_symbols` once the episode is over).
    """

    levels: ClassVar[dict[str, RepeatFirstLevel]] = {
        "easy": RepeatFirstLevel(n_symbols=4, length=8),
        "medium": RepeatFirstLevel(n_symbols=4, length=32),
        "hard": RepeatFirstLevel(n_symbols=4, length=128),
    }
    minimums: ClassVar[Mapping[str, int]] = {"n_symbols": 2, "length": 2}
    state_names = ("step", "first_symbol", "symbol")
    length: int

    def _setup(self) -> None:
        self.max_episode_steps = self.length
        self.memoryless_return = (1.0 + (self.length - 1) / self.n_symbols) / self.length
        self.action_space = spaces.Discrete(self.n_symbols)
        self.state_space = spaces.MultiDiscrete([self.length + 1, self.n_symbols, self.n_symbols + 1])

    def get_state(self) -> np.ndarray:
        """(step, first_symbol, symbol in view or `n_symbols` after the last step)."""
        return np.array([self._step, self._symbols[0], self._symbol_at(self._step)], dtype=np.int64)

    def _reward(self, action: int) -> float:
        return 1.0 / self.length if action == self._symbols[0] else 0.0

    def _cells(self) -> np.ndarray:
        """One row: the first symbol, then the symbol in view (grey once the episode is over)."""
        _, first, shown = self.get_state()
        return np.array([[symbol_colour(first), GREY if shown == self.n_symbols else symbol_colour(shown)]])


LEVELS: dict[str, RepeatFirstLevel] = RepeatFirstEnv.levels
