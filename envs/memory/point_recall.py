"""PointRecall: a point on a line must move to a target shown only at the start (continuous actions).

Position x and target g are drawn uniformly from [-1, 1]. The observation is [x, shown target, cue flag, go flag]:
the target and the cue flag appear on the first step only. For the next `delay` steps the point is frozen (actions
are ignored), so nothing about the target can be parked in the position. Then the go flag is raised for
`reach_steps` steps, in which the action a in [-1, 1] moves the point to clip(x + 2a, -1, 1) and earns
max(0, 1 - |x - g| / reward_width) / reach_steps. Any target is one step away, so the optimal return is exactly 1.

Memoryless bound: without memory the position is independent of the target, and for reward_width <= 1 the best
fixed position earns the triangle's area over the target's range, reward_width / 2, exactly.

Example:
    >>> env = PointRecallEnv("easy")
    >>> env.memoryless_return
    0.25
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from envs.memory import stream
from envs.memory.base import BLACK, RED, WHITE, MemoryEnv, check_int, check_level, symbol_colour

DELAYS: dict[str, int] = {"easy": 3, "medium": 15, "hard": 63}
_RENDER_WIDTH = 41  # cells drawn across [-1, 1]


class PointRecallEnv(MemoryEnv):
    """Move to a target on [-1, 1] that was shown `delay + 1` steps before the go signal.

    Args:
        level: "easy", "medium" or "hard" (delay = 3, 15, 63 frozen steps).
        delay: overrides the delay (>= 0).
        reach_steps: number of rewarded steps after the go signal (>= 1).
        reward_width: distance at which the reward reaches 0, in (0, 1].
        render_mode: None or "rgb_array".

    The state is (position, target, step) as float32.
    """

    state_names = ("position", "target", "step")

    def __init__(
        self,
        level: str = "easy",
        *,
        delay: int | None = None,
        reach_steps: int = 4,
        reward_width: float = 0.5,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(render_mode)
        self.level = check_level(level)
        self.delay = check_int("delay", DELAYS[level] if delay is None else delay, 0)
        self.reach_steps = check_int("reach_steps", reach_steps, 1)
        if not 0.0 < reward_width <= 1.0:
            raise ValueError(f"reward_width must be in (0, 1], got {reward_width!r}")
        self.reward_width = float(reward_width)
        self.max_episode_steps = 1 + self.delay + self.reach_steps
        self.memoryless_return = self.reward_width / 2.0
        self.observation_space = spaces.Box(
            np.array([-1.0, -1.0, 0.0, 0.0], dtype=np.float32), np.ones(4, dtype=np.float32), dtype=np.float32
        )
        self.action_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        self.state_space = spaces.Box(
            np.array([-1.0, -1.0, 0.0], dtype=np.float32),
            np.array([1.0, 1.0, self.max_episode_steps], dtype=np.float32),
            dtype=np.float32,
        )
        self._position = 0.0
        self._target = 0.0
        self._step = 0

    @property
    def _go(self) -> bool:
        return 1 + self.delay <= self._step < self.max_episode_steps

    def get_state(self) -> np.ndarray:
        """(position, target, step)."""
        return np.array([self._position, self._target, self._step], dtype=np.float32)

    def _observation(self) -> np.ndarray:
        cue = self._step == 0
        return np.array([self._position, self._target if cue else 0.0, float(cue), float(self._go)], dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        # Rounded to float32 so that the state, the observation and the reward all see the same numbers.
        words = self._draw_episode(seed, 2)
        self._position, self._target = (float(v) for v in stream.uniform(words, -1.0, 1.0).astype(np.float32))
        self._step = 0
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        action = np.asarray(action, dtype=np.float32).reshape(-1)
        if action.shape != (1,) or not np.isfinite(action).all():
            raise ValueError(f"action must be a finite array of shape (1,), got {action!r}")
        reward = 0.0
        if self._go:
            move = 2.0 * float(np.clip(action[0], -1.0, 1.0))
            self._position = float(np.float32(np.clip(self._position + move, -1.0, 1.0)))
            closeness = 1.0 - abs(self._position - self._target) / self.reward_width
            reward = max(0.0, closeness) / self.reach_steps
        self._step += 1
        terminated = self._step >= self.max_episode_steps
        return self._observation(), reward, terminated, False, self._info()

    def _cells(self) -> np.ndarray:
        """Two rows over [-1, 1]: the target above (in its colour), the point below (red, white once it may move)."""
        cells = np.full((2, _RENDER_WIDTH), BLACK, dtype=np.int64)

        def column(x: float) -> int:
            return round((x + 1.0) / 2.0 * (_RENDER_WIDTH - 1))

        cells[0, column(self._target)] = symbol_colour(0)
        cells[1, :] = WHITE if self._go else BLACK
        cells[1, column(self._position)] = RED
        return cells
