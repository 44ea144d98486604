"""PointRecall as an array program: N points on a line moved at once, in the single env's float32 arithmetic."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.memory import stream
from envs.memory.point_recall import PointRecallEnv
from envs.vector.base import MemoryVectorEnv, Rows


class PointRecallVectorEnv(MemoryVectorEnv):
    """N envs of `PointRecallEnv`; env i reset with seed s equals the single env reset with s + i.

    Positions and targets are float32, moves and rewards are computed in float64, as in the single env.

    Example:
        >>> env = PointRecallVectorEnv(num_envs=2)
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, info["state"].dtype
        ((2, 4), dtype('float32'))
    """

    single_env_class = PointRecallEnv
    single_env: PointRecallEnv
    words_per_episode = 2

    def __init__(self, num_envs: int = 1, level: str = "easy", *, render_mode: str | None = None, **kwargs: Any):
        super().__init__(num_envs, level, render_mode=render_mode, **kwargs)
        self.delay = self.single_env.delay
        self.reach_steps = self.single_env.reach_steps
        self.reward_width = self.single_env.reward_width
        self._position = np.zeros(self.num_envs, dtype=np.float32)
        self._target = np.zeros(self.num_envs, dtype=np.float32)
        self._step = np.zeros(self.num_envs, dtype=np.int64)

    def _start(self, rows: Rows, words: np.ndarray) -> None:
        values = stream.uniform(words, -1.0, 1.0).astype(np.float32)  # (R, 2)
        self._position[rows] = values[:, 0]
        self._target[rows] = values[:, 1]
        self._step[rows] = 0

    def _check_actions(self, actions: Any) -> np.ndarray:
        actions = np.asarray(actions, dtype=np.float32)
        if actions.shape not in ((self.num_envs, 1), (self.num_envs,)) or not np.isfinite(actions).all():
            raise ValueError(f"actions must be a finite array of shape ({self.num_envs}, 1), got {actions!r}")
        return actions.reshape(self.num_envs)

    def _go(self, step: np.ndarray) -> np.ndarray:
        return (1 + self.delay <= step) & (step < self.max_episode_steps)

    def _advance(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        go = self._go(self._step)
        move = 2.0 * np.clip(actions.astype(np.float64), -1.0, 1.0)
        moved = np.clip(self._position.astype(np.float64) + move, -1.0, 1.0).astype(np.float32)
        self._position = np.where(go, moved, self._position)
        closeness = 1.0 - np.abs(self._position.astype(np.float64) - self._target) / self.reward_width
        rewards = np.where(go, np.maximum(0.0, closeness) / self.reach_steps, 0.0)
        self._step += 1
        terminated = self._step >= self.max_episode_steps
        return rewards, terminated, np.zeros(self.num_envs, dtype=bool)

    def _observation(self, rows: Rows) -> np.ndarray:
        step = self._step[rows]
        cue = step == 0
        obs = np.empty((len(step), 4), dtype=np.float32)
        obs[:, 0] = self._position[rows]
        obs[:, 1] = np.where(cue, self._target[rows], np.float32(0.0))
        obs[:, 2] = cue
        obs[:, 3] = self._go(step)
        return obs

    def get_state(self) -> np.ndarray:
        """(N, 3) float32: position, target, step."""
        return np.stack([self._position, self._target, self._step.astype(np.float32)], axis=1)

    def _load(self, i: int) -> None:
        self.single_env._position = float(self._position[i])
        self.single_env._target = float(self._target[i])
        self.single_env._step = int(self._step[i])
