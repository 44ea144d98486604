"""The pixel T-maze as an array program: N corridors stepped at once, each observation one image gather."""

from __future__ import annotations

from typing import Any

from envs.memory.tmaze_pixels import TMazePixelsEnv
from envs.vector.tmaze import TMazeVectorEnv


class TMazePixelsVectorEnv(TMazeVectorEnv):
    """N envs of `TMazePixelsEnv`; env i reset with seed s equals the single env reset with s + i.

    Example:
        >>> env = TMazePixelsVectorEnv(num_envs=2)
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, obs.dtype
        ((2, 12, 12, 3), dtype('uint8'))
    """

    single_env_class = TMazePixelsEnv
    single_env: TMazePixelsEnv

    def __init__(self, num_envs: int = 1, level: str = "easy", *, render_mode: str | None = None, **kwargs: Any):
        super().__init__(num_envs, level, render_mode=render_mode, **kwargs)
        self._table = self.single_env._views  # (2, L + 1, H, W, 3): the view of each (cue, position)
