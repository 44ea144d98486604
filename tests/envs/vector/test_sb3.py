"""GymnasiumVecEnv: SB3 sees what DummyVecEnv + Monitor of single envs shows it, and SB3's algorithms run on it."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import sb3_contrib
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecMonitor, VecNormalize, sync_envs_normalization

import envs  # noqa: F401  (registers the suite)
from agents import RecurrentPPO
from envs.vector import TMazeVectorEnv
from envs.vector.sb3 import GymnasiumVecEnv, has_vector_entry_point, make_vector_vec_env

TINY = {"n_steps": 8, "batch_size": 32, "n_epochs": 1, "seed": 0}


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.mark.parametrize("env_id", ["pomdp/TMaze-v0", "pomdp/CountRecallMedium-v0", "pomdp/PointRecall-v0"])
def test_steps_as_dummy_vec_env_with_monitor(env_id):
    vector, dummy = make_vector_vec_env(env_id, 4, seed=3), make_vec_env(env_id, 4, seed=3)
    assert np.array_equal(vector.reset(), dummy.reset())
    space = dummy.action_space
    space.seed(0)
    finished = 0
    for _ in range(120):
        actions = np.stack([space.sample() for _ in range(4)])
        (obs, rewards, dones, infos), want = vector.step(actions), dummy.step(actions)
        assert np.array_equal(obs, want[0])
        assert np.array_equal(rewards, want[1])
        assert rewards.dtype == want[1].dtype == np.float32
        assert np.array_equal(dones, want[2])
        for got, expected in zip(infos, want[3], strict=True):
            assert got.get("TimeLimit.truncated", False) == expected.get("TimeLimit.truncated", False)
            if "terminal_observation" in expected:
                assert np.array_equal(got["terminal_observation"], expected["terminal_observation"])
                assert got["episode"]["r"] == pytest.approx(expected["episode"]["r"], abs=1e-5)  # Monitor rounds
                assert got["episode"]["l"] == expected["episode"]["l"]
                finished += 1
            else:
                assert "terminal_observation" not in got
    assert finished > 4


def test_truncations_are_flagged():
    venv = make_vector_vec_env("pomdp/TMaze-v0", 3, seed=0)
    venv.reset()
    for _ in range(venv.get_attr("max_episode_steps")[0]):
        _, _, dones, infos = venv.step(np.ones(3, dtype=np.int64) * 0)  # forward, then bump at the junction
    assert dones.all()
    assert all(info["TimeLimit.truncated"] for info in infos)


def test_attributes_methods_render_and_info_keys():
    venv = GymnasiumVecEnv(TMazeVectorEnv(num_envs=3, level="medium", render_mode="rgb_array"), info_keys=("state",))
    venv.seed(0)
    venv.reset()
    assert venv.get_attr("corridor_length") == [24, 24, 24]
    assert venv.get_attr("level", indices=[1]) == ["medium"]
    states = venv.env_method("get_state")
    assert len(states) == 3
    assert np.array_equal(states[2], [0, venv.env.get_state()[2, 1]])
    _, _, _, infos = venv.step(np.zeros(3, dtype=np.int64))
    assert np.array_equal(infos[1]["state"], states[1] + [1, 0])
    assert venv.env_is_wrapped(gym.Wrapper) == [False] * 3
    image = venv.render(mode="rgb_array")
    assert image.ndim == 3
    assert len(venv.get_images()) == 3
    venv.close()


def test_refuses_a_vector_env_that_resets_on_the_next_step():
    cartpole = gym.make_vec("CartPole-v1", num_envs=2, vectorization_mode="vector_entry_point")
    with pytest.raises(ValueError, match="env must autoreset in the same step"):
        GymnasiumVecEnv(cartpole)
    assert has_vector_entry_point("pomdp/RepeatFirst-v0")
    assert not has_vector_entry_point("pomdp/CartPoleNoVel-v0")
    assert not has_vector_entry_point("CartPole-v1")  # Gymnasium's resets on the next step


@pytest.mark.parametrize(
    ("algo", "policy"),
    [(RecurrentPPO, "MlpGruPolicy"), (PPO, "MlpPolicy"), (sb3_contrib.RecurrentPPO, "MlpLstmPolicy")],
)
def test_algorithms_train_and_evaluate_on_it_with_vec_normalize(algo, policy):
    env = VecNormalize(make_vector_vec_env("pomdp/RepeatPrevious-v0", 16, seed=0))
    eval_env = VecNormalize(make_vector_vec_env("pomdp/RepeatPrevious-v0", 4, seed=100), training=False)
    kwargs = {"policy_kwargs": {"lstm_hidden_size": 8} if algo is sb3_contrib.RecurrentPPO else {}}
    if algo is RecurrentPPO:
        kwargs["policy_kwargs"] = {"hidden_size": 8}
    model = algo(policy, env, **TINY, **kwargs)
    model.learn(256)
    assert model.num_timesteps == 256
    assert len(model.ep_info_buffer) >= 16  # episode infos from VecMonitor
    sync_envs_normalization(env, eval_env)  # the wrapper chains match
    assert np.array_equal(eval_env.obs_rms.mean, env.obs_rms.mean)
    eval_env.norm_reward = False
    mean, _ = evaluate_policy(model, eval_env, n_eval_episodes=4, warn=True)
    assert 0.0 <= mean <= 1.0
    assert isinstance(eval_env.venv, VecMonitor)
