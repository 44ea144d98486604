"""Env i of a vector env reset with seed s behaves exactly as the single env reset with seed s + i.

The reference is Gymnasium's `SyncVectorEnv` of single envs with same-step autoreset: observations, rewards,
terminations, truncations and infos (true states, final observations, final states) must be identical over long
random rollouts with many autoresets, for every task and level.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.vector import AutoresetMode, SyncVectorEnv

from envs.vector import RepeatPreviousVectorEnv
from envs.vector.base import MemoryVectorEnv
from tests.envs.vector.conftest import CASES


def reference(vector: MemoryVectorEnv) -> SyncVectorEnv:
    """The vector env's N single envs, stepped one by one with same-step autoreset."""
    single_class, level = vector.single_env_class, vector.level
    return SyncVectorEnv([lambda: single_class(level)] * vector.num_envs, autoreset_mode=AutoresetMode.SAME_STEP)


def assert_same_rollout(vector: gym.vector.VectorEnv, single: gym.vector.VectorEnv, steps: int, seed: int) -> int:
    """Roll both out with the same random actions; return how many episodes ended."""
    assert data_equivalence(vector.reset(seed=seed), single.reset(seed=seed))
    vector.action_space.seed(seed)
    ended = 0
    for t in range(steps):
        actions = vector.action_space.sample()
        got, want = vector.step(actions), single.step(actions)
        for name, a, b in zip(("obs", "reward", "terminated", "truncated", "info"), got, want, strict=True):
            assert data_equivalence(a, b), f"{name} differs at step {t}: {a!r} != {b!r}"
        ended += int(np.sum(got[2] | got[3]))
    return ended


@pytest.mark.parametrize(("cls", "level"), CASES)
def test_equals_single_envs_seeded_s_plus_i(cls, level):
    vector = cls(num_envs=5, level=level)
    steps = 3 * vector.max_episode_steps
    assert assert_same_rollout(vector, reference(vector), steps, seed=7) >= 5  # autoresets happened


@pytest.mark.parametrize(("cls", "level"), CASES[:3])
def test_unseeded_resets_continue_the_streams(cls, level):
    vector = cls(num_envs=3, level=level)
    single = reference(vector)
    assert_same_rollout(vector, single, 20, seed=123)
    # A reset without a seed starts new episodes from where the streams are, in both.
    assert data_equivalence(vector.reset(), single.reset())


def test_list_of_seeds_seeds_each_env():
    vector = RepeatPreviousVectorEnv(num_envs=3)
    assert data_equivalence(vector.reset(seed=[5, 9, 2]), reference(vector).reset(seed=[5, 9, 2]))
    with pytest.raises(ValueError, match="a list of 3 seeds, got 2"):
        vector.reset(seed=[1, 2])
