"""The T-maze as an array program: N corridors stepped at once."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.memory import stream
from envs.memory.tmaze import DOWN, FORWARD, UP, TMazeEnv
from envs.vector.base import MemoryVectorEnv, Rows, check_discrete_actions


class TMazeVectorEnv(MemoryVectorEnv):
    """N envs of `TMazeEnv`; env i reset with seed s equals the single env reset with s + i.

    Example:
        >>> env = TMazeVectorEnv(num_envs=2, level="medium")
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, env.corridor_length
        ((2, 4), 24)
    """

    single_env_class = TMazeEnv
    single_env: TMazeEnv
    words_per_episode = 1

    def __init__(self, num_envs: int = 1, level: str = "easy", *, render_mode: str | None = None, **kwargs: Any):
        super().__init__(num_envs, level, render_mode=render_mode, **kwargs)
        self.corridor_length = self.single_env.corridor_length
        # (2, L + 1, 4): the observation of each (cue, position), so that observing is one gather.
        eye = np.eye(4, dtype=np.float32)  # cue up, cue down, corridor, junction
        self._table = np.tile(eye[2], (2, self.corridor_length + 1, 1))
        self._table[:, 0] = eye[:2]
        self._table[:, self.corridor_length] = eye[3]
        self._position = np.zeros(self.num_envs, dtype=np.int64)
        self._cue = np.zeros(self.num_envs, dtype=np.int64)
        self._elapsed = np.zeros(self.num_envs, dtype=np.int64)

    def _start(self, rows: Rows, words: np.ndarray) -> None:
        self._cue[rows] = stream.integers(words[:, 0], 2)
        self._position[rows] = 0
        self._elapsed[rows] = 0

    def _check_actions(self, actions: Any) -> np.ndarray:
        return check_discrete_actions(actions, self.num_envs, 3)

    def _advance(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._elapsed += 1
        at_junction = self._position == self.corridor_length
        terminated = at_junction & ((actions == UP) | (actions == DOWN))
        rewards = np.where(terminated & (actions - UP == self._cue), 1.0, 0.0)
        self._position += (actions == FORWARD) & ~at_junction
        truncated = ~terminated & (self._elapsed >= self.max_episode_steps)
        return rewards, terminated, truncated

    def _observation(self, rows: Rows) -> np.ndarray:
        return self._table[self._cue[rows], self._position[rows]]  # (R,) -> (R, 4)

    def get_state(self) -> np.ndarray:
        """(N, 2): position, cue (0 = up, 1 = down)."""
        state = np.empty((self.num_envs, 2), dtype=np.int64)
        state[:, 0], state[:, 1] = self._position, self._cue
        return state

    def _load(self, i: int) -> None:
        self.single_env._position = int(self._position[i])
        self.single_env._cue = int(self._cue[i])
        self.single_env._elapsed = int(self._elapsed[i])
