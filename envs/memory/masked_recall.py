"""MaskedRecall: remember a cue through a delay whose valid actions change every step, then pick it among decoys.

Step 0 shows a cue, one of `n_symbols` (one-hot); the next `length - 2` steps show nothing; the last step shows a
query flag. There are `n_symbols` actions and at every step only `n_valid` of them are valid, as `action_masks()`
says (sb3-contrib's convention: a boolean vector, True = valid). Before the query the valid actions are a fresh
random subset at every step; at the query they are the cue and `n_valid - 1` random decoys. An invalid action ends
the episode with reward 0; answering the cue at the query earns 1, any other valid answer 0.

So the task needs both. Masks: they are not observed, so an agent that ignores them survives a step before the
query with probability `n_valid / n_symbols` and scores at most `unmasked_return = (n_valid / n_symbols) ** (length
- 1)` even with memory. Memory: the cue is seen only at step 0 and the decoys are drawn independently of it, so a
memoryless agent that obeys the masks picks the cue with probability exactly `memoryless_return = 1 / n_valid`,
whatever its preferences among the valid answers.

Example:
    >>> env = MaskedRecallEnv("easy")
    >>> obs, info = env.reset(seed=0)
    >>> env.action_masks().sum(), env.memoryless_return
    (np.int64(2), 0.5)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from gymnasium import spaces

from envs.memory.base import BLACK, GREY, WHITE, MemoryEnv, check_int, check_level, one_hot, symbol_colour


class MaskedRecallLevel(NamedTuple):
    """Parameters of one difficulty level."""

    n_symbols: int
    n_valid: int
    length: int


LEVELS: dict[str, MaskedRecallLevel] = {
    "easy": MaskedRecallLevel(n_symbols=4, n_valid=2, length=6),
    "medium": MaskedRecallLevel(n_symbols=8, n_valid=2, length=24),
    "hard": MaskedRecallLevel(n_symbols=8, n_valid=2, length=96),
}


class MaskedRecallEnv(MemoryEnv):
    """Recall the cue of step 0 at the last step, taking only valid actions (`action_masks()`) on the way.

    Args:
        level: "easy", "medium" or "hard" (length 6, 24, 96 steps; 4, 8, 8 symbols; 2 valid actions per step).
        n_symbols: overrides the number of cues and actions (>= 2).
        n_valid: overrides the number of valid actions per step (in [1, n_symbols - 1]).
        length: overrides the number of steps, cue and query included (>= 2).
        render_mode: None or "rgb_array".

    The state is (step, cue, valid_0, ..., valid_{n-1}): the number of actions taken, the cue and the current mask.
    """

    def __init__(
        self,
        level: str = "easy",
        *,
        n_symbols: int | None = None,
        n_valid: int | None = None,
        length: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(render_mode)
        self.level = check_level(level)
        default = LEVELS[level]
        self.n_symbols = check_int("n_symbols", default.n_symbols if n_symbols is None else n_symbols, 2)
        valid = min(default.n_valid, self.n_symbols - 1) if n_valid is None else n_valid
        self.n_valid = check_int("n_valid", valid, 1, self.n_symbols - 1)
        self.length = self.max_episode_steps = check_int("length", default.length if length is None else length, 2)
        self.memoryless_return = 1.0 / self.n_valid
        self.unmasked_return = (self.n_valid / self.n_symbols) ** (self.length - 1)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(self.n_symbols + 1,), dtype=np.float32)
        self.action_space = spaces.Discrete(self.n_symbols)
        self.state_space = spaces.MultiDiscrete([self.length + 1, self.n_symbols] + [2] * self.n_symbols)
        self.state_names = ("step", "cue", *(f"valid_{i}" for i in range(self.n_symbols)))
        self._cue, self._step = 0, 0
        self._masks = np.ones((self.length, self.n_symbols), dtype=bool)

    def action_masks(self) -> np.ndarray:
        """The valid actions now, (n_symbols,) bool; all True once the episode is over."""
        if self._step >= self.length:
            return np.ones(self.n_symbols, dtype=bool)
        return self._masks[self._step].copy()

    def get_state(self) -> np.ndarray:
        """(step, cue, the current mask as 0/1)."""
        return np.array([self._step, self._cue, *self.action_masks().astype(np.int64)], dtype=np.int64)

    def _observation(self) -> np.ndarray:
        obs = np.zeros(self.n_symbols + 1, dtype=np.float32)
        if self._step == 0:
            obs = one_hot(self._cue, self.n_symbols + 1)
        elif self._step == self.length - 1:
            obs[-1] = 1.0
        return obs

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        rng = self.np_random
        self._cue, self._step = int(rng.integers(self.n_symbols)), 0
        self._masks = np.zeros((self.length, self.n_symbols), dtype=bool)
        for t in range(self.length - 1):
            self._masks[t, rng.choice(self.n_symbols, self.n_valid, replace=False)] = True
        decoys = rng.choice(np.delete(np.arange(self.n_symbols), self._cue), self.n_valid - 1, replace=False)
        self._masks[-1, [self._cue, *decoys]] = True
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be in {self.action_space}, got {action!r}")
        valid, query = bool(self._masks[self._step, int(action)]), self._step == self.length - 1
        reward = float(valid and query and int(action) == self._cue)
        self._step = self._step + 1 if valid else self.length  # an invalid action ends the episode
        return self._observation(), reward, self._step >= self.length, False, self._info()

    def _cells(self) -> np.ndarray:
        """One row: the cue, then one cell per action, white where valid (grey once the episode is over)."""
        done = self._step >= self.length
        valid = [GREY if done else (WHITE if v else BLACK) for v in self.action_masks()]
        return np.array([[symbol_colour(self._cue), *valid]])
