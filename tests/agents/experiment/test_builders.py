"""Builders: env ids, the vectorised env with its wrappers, and one hyperparameter set mapped onto each algorithm."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sb3_contrib
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import (
    DummyVecEnv,
    VecFrameStack,
    VecMonitor,
    VecNormalize,
    sync_envs_normalization,
)
from torch import nn

from agents.experiment.builders import (
    check_env_id,
    make_env,
    make_eval_env,
    make_model,
    model_class,
    policy_kwargs,
    uses_vector_env,
)
from agents.experiment.config import resolve_config
from agents.ppo import RecurrentPPO
from envs.vector.sb3 import GymnasiumVecEnv
from policies.extractors import ImageCNN

TINY = {"n_envs": 2, "n_steps": 16, "batch_size": 16, "hidden_size": 8, "net_arch": [8]}


def config(**overrides):
    return resolve_config("pomdp/TMaze-v0", overrides={**TINY, **overrides})


def test_unknown_env_id_lists_the_closest():
    assert check_env_id("pomdp/TMaze-v0") == "pomdp/TMaze-v0"
    with pytest.raises(ValueError, match=r"Unknown env id 'pomdp/TMaz-v0': the closest registered ids are pomdp/TMaze"):
        check_env_id("pomdp/TMaz-v0")


def test_each_config_gets_its_algorithm():
    assert model_class(config()) is RecurrentPPO
    assert model_class(config(policy="MlpPolicy")) is PPO
    assert model_class(config(algo="sb3c", policy="MlpLstmPolicy")) is sb3_contrib.RecurrentPPO


def test_shared_hyperparameters_in_each_algorithms_names():
    ours = policy_kwargs(config(activation="relu", critic_core=False))
    assert (ours["hidden_size"], ours["critic_core"], ours["activation_fn"]) == (8, False, nn.ReLU)
    theirs = policy_kwargs(config(algo="sb3c", policy="MlpLstmPolicy"))
    assert (theirs["lstm_hidden_size"], theirs["enable_critic_lstm"]) == (8, True)
    memoryless = policy_kwargs(config(policy="MlpPolicy"))
    assert memoryless["net_arch"] == {"pi": [8, 8], "vf": [8, 8]}  # hidden_size stands in for the core


def test_env_wrappers_follow_the_config():
    env = make_env(config(normalize=True))
    assert isinstance(env, VecNormalize)
    assert env.num_envs == 2
    assert env.training
    stacked = make_env(config(policy="MlpPolicy", frame_stack=3), n_envs=1)
    assert isinstance(stacked, VecFrameStack)
    assert stacked.observation_space.shape == (12,)
    evaluation = make_eval_env(config(normalize=True, vec_env="subproc", eval_episodes=3))
    assert isinstance(evaluation.venv, DummyVecEnv)  # evaluations step in this process
    assert evaluation.num_envs == 3
    assert not evaluation.training
    assert not evaluation.norm_reward


def test_vector_env_where_the_task_has_one_with_matching_eval_chain():
    env = make_env(config(normalize=True))
    assert isinstance(env.venv, VecMonitor)
    assert isinstance(env.venv.venv, GymnasiumVecEnv)
    evaluation = make_eval_env(config(normalize=True, eval_episodes=3))
    assert isinstance(evaluation.venv.venv, GymnasiumVecEnv)
    sync_envs_normalization(env, evaluation)  # walks both chains side by side
    assert uses_vector_env(config())
    assert not uses_vector_env(config(vec_env="dummy"))
    dummy = make_env(config(vec_env="dummy"))
    assert isinstance(dummy, DummyVecEnv)
    classic = resolve_config("pomdp/CartPoleNoVel-v0", overrides={**TINY, "normalize": False})
    assert classic.vec_env == "vector"
    assert isinstance(make_env(classic), DummyVecEnv)  # no array implementation: single envs
    assert np.array_equal(make_env(config()).reset(), dummy.reset())  # the same episodes either way


def test_throughput_preset_builds_its_array_envs():
    preset = Path(__file__).parents[3] / "agents/experiment/presets/RepeatPreviousThroughput.yaml"
    throughput = resolve_config("pomdp/RepeatPreviousMedium-v0", preset=preset)
    env = make_env(throughput)
    assert env.num_envs == 256
    assert isinstance(env, VecMonitor)
    assert isinstance(env.venv, GymnasiumVecEnv)
    assert env.get_attr("k")[0] == 4  # the Medium level


def test_make_model_uses_the_shared_settings():
    model = make_model(config(sequence_length=8, lr_schedule="linear"), make_env(config()))
    assert isinstance(model, RecurrentPPO)
    assert (model.n_steps, model.batch_size, model.sequence_length) == (16, 16, 8)
    assert model.lr_schedule(1.0) == pytest.approx(1e-3)
    assert model.lr_schedule(0.5) == pytest.approx(5e-4)


def test_features_dim_sizes_the_image_extractor_of_cnn_policies():
    pixels = resolve_config("pomdp/TMazePixels-v0", overrides=TINY)
    assert (pixels.policy, pixels.hyperparams.features_dim) == ("CnnGruPolicy", 64)  # its preset
    model = make_model(pixels, make_env(pixels))
    assert model.policy.features_extractor.features_dim == 64
    assert "features_extractor_kwargs" not in policy_kwargs(config(features_dim=16))  # an Mlp policy: no extractor
    memoryless = resolve_config("pomdp/TMazePixels-v0", overrides={**TINY, "policy": "CnnPolicy"})
    baseline = make_model(memoryless, make_env(memoryless))  # SB3's NatureCNN alone would refuse 12x12 images
    assert isinstance(baseline, PPO)
    assert isinstance(baseline.policy.features_extractor, ImageCNN)
    assert baseline.policy.features_extractor.features_dim == 64
