"""The pixel T-maze's array twin: image batches, and constructor overrides reach its table."""

from __future__ import annotations

import numpy as np
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.vector import AutoresetMode, SyncVectorEnv

from envs.memory.tmaze_pixels import TMazePixelsEnv
from envs.vector import TMazePixelsVectorEnv


def test_images_equal_single_envs_with_overrides():
    vector = TMazePixelsVectorEnv(num_envs=3, corridor_length=2, cell_pixels=2)
    single = SyncVectorEnv(
        [lambda: TMazePixelsEnv(corridor_length=2, cell_pixels=2)] * 3, autoreset_mode=AutoresetMode.SAME_STEP
    )
    obs, _ = vector.reset(seed=5)
    assert (obs.shape, obs.dtype) == ((3, 6, 6, 3), np.uint8)
    assert data_equivalence(obs, single.reset(seed=5)[0])
    vector.action_space.seed(5)
    for _ in range(30):
        actions = vector.action_space.sample()
        assert data_equivalence(vector.step(actions), single.step(actions))
