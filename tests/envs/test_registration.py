"""Every registered id: Gymnasium's and SB3's checkers, seeded determinism, spaces, states, rendering, metadata."""

import subprocess
import sys
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import envs
from envs.registration import CLASSIC_TASKS, MEMORY_TASKS

ALL_IDS = list(envs.SUITE)
MEMORY_IDS = [env_id for env_id, info in envs.SUITE.items() if info.level is not None]


def test_every_task_and_level_is_registered():
    expected = {f"pomdp/{task}NoVel-v0" for task in CLASSIC_TASKS if task != "LunarLander"}
    for task in MEMORY_TASKS:
        expected |= {f"pomdp/{task}{level}-v0" for level in ("", "Easy", "Medium", "Hard")}
    assert expected <= set(envs.SUITE)
    assert set(envs.SUITE) <= set(gym.registry)
    assert all(env_id.startswith(f"{envs.NAMESPACE}/") for env_id in envs.SUITE)


def test_registering_twice_is_silent():
    before = dict(gym.registry)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        envs.register_envs()
        envs.register_envs()
    assert dict(gym.registry) == before


def test_import_and_make_in_fresh_interpreter():
    code = "import envs, gymnasium as gym; gym.make('pomdp/TMaze-v0'); import importlib; importlib.reload(envs)"
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_passes_gymnasium_and_sb3_checkers_without_warnings(env_id):
    env = gym.make(env_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # gym.make always adds wrappers (OrderEnforcing, PassiveEnvChecker, and the masking for classic control);
        # we check what users get, so the checker's advice to pass `env.unwrapped` instead is the one warning allowed.
        warnings.filterwarnings("ignore", message=".*is different from the unwrapped version")
        # SB3's advice for images under 36x36 concerns its NatureCNN; our Cnn*Policy's ImageCNN takes them.
        warnings.filterwarnings("ignore", message="The minimal resolution for an image is 36x36")
        gym_check_env(env, skip_render_check=True)  # rendering: test_renders_rgb_array (no "human" window here)
        sb3_check_env(env, warn=True)
    env.close()


def _trajectory(env: gym.Env, seed: int, n_steps: int = 40) -> list:
    env.action_space.seed(seed)
    obs, info = env.reset(seed=seed)
    steps = [(obs, info["state"])]
    for _ in range(n_steps):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        steps.append((obs, info["state"], reward, terminated, truncated))
        if terminated or truncated:
            obs, info = env.reset()
            steps.append((obs, info["state"]))
    return steps


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_seeded_replay_is_deterministic(env_id):
    env = gym.make(env_id)
    first, again = _trajectory(env, seed=7), _trajectory(env, seed=7)
    assert gym.utils.env_checker.data_equivalence(first, again, exact=True)
    others = [_trajectory(env, seed=seed) for seed in range(8, 12)]
    assert not all(gym.utils.env_checker.data_equivalence(first, other) for other in others)
    env.close()


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_observations_and_states_stay_in_their_spaces(env_id):
    info_ = envs.SUITE[env_id]
    env = gym.make(env_id)
    env.action_space.seed(0)
    obs, info = env.reset(seed=0)
    for _ in range(300):
        assert obs in info_.observation_space
        assert info["state"] in info_.state_space
        np.testing.assert_array_equal(info["state"], env.unwrapped.get_state())
        obs, _, terminated, truncated, info = env.step(env.action_space.sample())
        if terminated or truncated:
            obs, info = env.reset()
    env.close()


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_metadata_matches_the_made_env(env_id):
    info = envs.SUITE[env_id]
    env = gym.make(env_id)
    assert env.observation_space == info.observation_space
    assert env.action_space == info.action_space
    assert env.unwrapped.state_space == info.state_space
    assert env.unwrapped.state_names == info.state_names
    assert len(info.state_names) == info.state_space.shape[0]
    if info.level is None:
        assert env.spec.max_episode_steps == info.max_episode_steps
    else:
        assert env.unwrapped.max_episode_steps == info.max_episode_steps
        assert info.optimal_return == 1.0
        assert info.memoryless_bound == "exact"
        assert info.memoryless_return < info.optimal_return - 0.2
    env.close()


@pytest.mark.parametrize("task", list(MEMORY_TASKS))
def test_default_id_is_easy_and_levels_are_constructor_arguments(task):
    default, easy = envs.SUITE[f"pomdp/{task}-v0"], envs.SUITE[f"pomdp/{task}Easy-v0"]
    assert (default.level, default.observation_space, default.max_episode_steps) == (
        easy.level,
        easy.observation_space,
        easy.max_episode_steps,
    )
    hard = gym.make(f"pomdp/{task}-v0", level="hard")
    assert hard.unwrapped.max_episode_steps == envs.SUITE[f"pomdp/{task}Hard-v0"].max_episode_steps
    medium = envs.SUITE[f"pomdp/{task}Medium-v0"]
    assert easy.max_episode_steps < medium.max_episode_steps < hard.unwrapped.max_episode_steps


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_renders_rgb_array(env_id):
    if envs.SUITE[env_id].level is None:
        pytest.importorskip("pygame", reason="classic control renders with pygame: gymnasium[classic-control]")
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0)
    env.step(env.action_space.sample())
    frame = env.render()
    assert isinstance(frame, np.ndarray)
    assert frame.dtype == np.uint8
    assert frame.ndim == 3
    assert frame.shape[2] == 3
    assert frame.shape[0] >= 16
    env.close()
