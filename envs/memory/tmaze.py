"""Bakker's T-maze: a cue at the start, a corridor, and a reward only for turning to the cued side.

The agent starts at position 0 of a corridor of length N and sees the cue (up or down) there only. Along the
corridor it sees a plain "corridor" signal, at the junction (position N) a "junction" signal. Actions are
0 = forward, 1 = up, 2 = down; up/down before the junction and forward at the junction bump into a wall (no-op).
Turning at the junction ends the episode with reward 1 if the turn matches the cue, else 0; the episode is truncated
after `max_episode_steps`. Unlike Bakker (2002) there is no backward action and no step penalty, so a random policy
reaches the junction quickly and the optimal return is exactly 1.

Memoryless bound: after leaving position 0 every observation is independent of the cue, so the best memoryless
policy guesses at the junction and gets exactly 0.5.

Example:
    >>> env = TMazeEnv("easy")
    >>> obs, info = env.reset(seed=0)
    >>> info["state"]  # (position, cue)
    array([0, 1])
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from envs.memory import stream
from envs.memory.base import BLACK, GREY, RED, WHITE, MemoryEnv, check_int, check_level, symbol_colour

FORWARD, UP, DOWN = 0, 1, 2
CORRIDOR_LENGTHS: dict[str, int] = {"easy": 6, "medium": 24, "hard": 96}


class TMazeEnv(MemoryEnv):
    """T-maze with a corridor of `corridor_length` steps between the cue and the junction.

    Args:
        level: "easy", "medium" or "hard"; sets the corridor length (6, 24, 96).
        corridor_length: overrides the level's corridor length (>= 1).
        max_episode_steps: truncation limit (>= corridor_length + 1); default 4 * (corridor_length + 1).
        render_mode: None or "rgb_array".
    """

    state_names = ("position", "cue")
    memoryless_return = 0.5

    def __init__(
        self,
        level: str = "easy",
        *,
        corridor_length: int | None = None,
        max_episode_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        super().__init__(render_mode)
        self.level = check_level(level)
        n = CORRIDOR_LENGTHS[level] if corridor_length is None else corridor_length
        self.corridor_length = check_int("corridor_length", n, 1)
        limit = 4 * (self.corridor_length + 1) if max_episode_steps is None else max_episode_steps
        self.max_episode_steps = check_int("max_episode_steps", limit, self.corridor_length + 1)
        # Observation: [cue up, cue down, corridor, junction].
        self.observation_space = spaces.Box(0.0, 1.0, shape=(4,), dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self.state_space = spaces.MultiDiscrete([self.corridor_length + 1, 2])
        self._position = 0
        self._cue = 0
        self._elapsed = 0

    def get_state(self) -> np.ndarray:
        """(position, cue) with cue 0 = up, 1 = down."""
        return np.array([self._position, self._cue], dtype=np.int64)

    def _observation(self) -> np.ndarray:
        obs = np.zeros(4, dtype=np.float32)
        if self._position == 0:
            obs[self._cue] = 1.0
        elif self._position < self.corridor_length:
            obs[2] = 1.0
        else:
            obs[3] = 1.0
        return obs

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._cue = int(stream.integers(self._draw_episode(seed, 1), 2)[0])
        self._position = 0
        self._elapsed = 0
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be in {self.action_space}, got {action!r}")
        action = int(action)
        self._elapsed += 1
        reward, terminated = 0.0, False
        at_junction = self._position == self.corridor_length
        if at_junction and action in (UP, DOWN):
            terminated = True
            reward = 1.0 if action - UP == self._cue else 0.0
        elif action == FORWARD and not at_junction:
            self._position += 1
        truncated = not terminated and self._elapsed >= self.max_episode_steps
        return self._observation(), reward, terminated, truncated, self._info()

    def _cells(self) -> np.ndarray:
        """Three rows: the corridor in the middle, the two arms at the junction; cue colour at start and goal."""
        n = self.corridor_length
        cells = np.full((3, n + 1), BLACK, dtype=np.int64)
        cells[1, :] = WHITE
        cells[(0, 2), n] = GREY
        cue_colour = symbol_colour(self._cue)
        cells[1, 0] = cue_colour
        cells[0 if self._cue == 0 else 2, n] = cue_colour
        cells[1, self._position] = RED
        return cells
