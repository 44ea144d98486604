"""Gymnasium's contract for vector envs, checked on every registered array implementation.

`make_vec` builds them from the registry, their spaces are the batched single spaces, what they return lies in those
spaces and is never reused, a seeded replay repeats itself, Gymnasium's `check_environments_match` finds them equal
to a `SyncVectorEnv` of single envs, bad actions raise, and rendering draws one image per env.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.utils.env_match import check_environments_match
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.vector.utils import batch_space

import envs
from envs.vector import VECTOR_ENVS, TMazeVectorEnv
from tests.envs.vector.conftest import CASES

MEMORY_IDS = [info.id for info in envs.SUITE.values() if info.vector_entry_point is not None]


def test_every_memory_id_has_a_vector_entry_point():
    assert len(MEMORY_IDS) == 4 * len(VECTOR_ENVS)  # three levels and the default id per task
    classic = [info for info in envs.SUITE.values() if info.level is None]
    assert all(info.vector_entry_point is None for info in classic)


@pytest.mark.parametrize("env_id", MEMORY_IDS)
def test_make_vec_builds_the_array_env_of_the_id(env_id):
    info = envs.SUITE[env_id]
    env = gym.make_vec(env_id, num_envs=6, vectorization_mode="vector_entry_point")
    assert type(env).__name__ == f"{info.task}VectorEnv"
    assert env.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    assert env.single_observation_space == info.observation_space
    assert env.single_action_space == info.action_space
    assert env.observation_space == batch_space(info.observation_space, 6)
    assert env.action_space == batch_space(info.action_space, 6)
    assert env.max_episode_steps == info.max_episode_steps
    assert env.level == info.level
    env.close()


@pytest.mark.parametrize(("cls", "level"), CASES)
def test_returns_fresh_data_in_its_spaces_and_replays_with_a_seed(cls, level):
    env = cls(num_envs=4, level=level)
    runs = []
    for _ in range(2):
        obs, info = env.reset(seed=3)
        assert obs in env.observation_space
        env.action_space.seed(3)
        trajectory = [(obs, info)]
        for _ in range(env.max_episode_steps + 2):
            step = env.step(env.action_space.sample())
            obs, rewards, terminated, truncated, info = step
            assert obs in env.observation_space
            assert rewards.shape == (4,)
            assert rewards.dtype == np.float64
            assert terminated.dtype == truncated.dtype == np.bool_
            assert all(state in env.state_space for state in info["state"])
            assert obs is not trajectory[-1][0]
            assert not np.shares_memory(obs, trajectory[-1][0])
            trajectory.append(step)
        runs.append(trajectory)
    assert data_equivalence(runs[0], runs[1])


@pytest.mark.parametrize("env_id", [f"pomdp/{task}-v0" for task in VECTOR_ENVS])
def test_gymnasium_finds_it_equal_to_sync_vector_env(env_id):
    vector = gym.make_vec(env_id, num_envs=1, vectorization_mode="vector_entry_point")
    sync = gym.make_vec(env_id, num_envs=1, vectorization_mode="sync", vector_kwargs={"autoreset_mode": "SameStep"})
    check_environments_match(vector, sync, num_steps=200, seed=1)


def test_bad_actions_raise_a_value_error():
    env = TMazeVectorEnv(num_envs=2)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"actions must be 2 integers in \[0, 3\)"):
        env.step(np.array([0, 3]))
    with pytest.raises(ValueError, match="actions must be 2 integers"):
        env.step(np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="actions must be a finite array of shape"):
        VECTOR_ENVS["PointRecall"](num_envs=2).step(np.array([[0.0], [np.nan]]))


@pytest.mark.parametrize("task", list(VECTOR_ENVS))
def test_renders_each_env_as_its_single_env_would(task):
    env = VECTOR_ENVS[task](num_envs=3, render_mode="rgb_array")
    single = SyncVectorEnv(
        [lambda: VECTOR_ENVS[task].single_env_class(render_mode="rgb_array")] * 3,
        autoreset_mode=AutoresetMode.SAME_STEP,
    )
    for venv in (env, single):
        venv.reset(seed=0)
        venv.action_space.seed(0)
        for _ in range(3):
            venv.step(venv.action_space.sample())
    images, expected = env.render(), single.render()
    assert len(images) == 3
    assert data_equivalence(images, expected)
    assert VECTOR_ENVS[task](num_envs=2).render() is None


def test_rejects_bad_sizes_and_keywords():
    with pytest.raises(ValueError, match="num_envs must be an integer >= 1, got 0"):
        TMazeVectorEnv(num_envs=0)
    with pytest.raises(ValueError, match="corridor_length must be an integer >= 1"):
        TMazeVectorEnv(num_envs=2, corridor_length=0)
    assert TMazeVectorEnv(num_envs=2, corridor_length=50).corridor_length == 50
