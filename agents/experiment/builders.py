"""Build what a ``RunConfig`` describes: checked env ids, vectorised envs with their wrappers, and the model.

The three algorithms share one set of hyperparameters per task, mapped onto each one's names, so that a benchmark
compares memory, not tuning:

- ``ppo`` + a recurrent alias: this package's ``RecurrentPPO``;
- ``ppo`` + ``MlpPolicy``: SB3's ``PPO``, whose network gets an extra ``hidden_size`` layer where the core would be;
- ``sb3c`` + ``MlpLstmPolicy``: sb3-contrib's ``RecurrentPPO``.
"""

from __future__ import annotations

import difflib
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gymnasium as gym
import sb3_contrib
from stable_baselines3 import PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.utils import LinearSchedule
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecFrameStack, VecNormalize
from torch import nn

import envs  # registers the pomdp/ suite
from agents.experiment.config import RunConfig
from agents.ppo.recurrent_ppo import RecurrentPPO
from envs.vector.sb3 import has_vector_entry_point, make_vector_vec_env
from policies.extractors import ImageCNN

EVAL_SEED_OFFSET = 10_000  # evaluation envs never replay the training episodes
MAX_EVAL_ENVS = 8


def check_env_id(env_id: str) -> str:
    """Return ``env_id`` if Gymnasium knows it, else raise a ValueError listing the closest registered ids."""
    if env_id in gym.registry:
        return env_id
    ids = list(gym.registry)
    by_lower = {i.lower(): i for i in ids}
    close = difflib.get_close_matches(env_id.lower(), list(by_lower), n=5, cutoff=0.5)
    hint = ", ".join(by_lower[c] for c in close) or ", ".join(i for i in ids if i.startswith(f"{envs.NAMESPACE}/"))
    raise ValueError(f"Unknown env id {env_id!r}: the closest registered ids are {hint}")


def model_class(config: RunConfig) -> type[BaseAlgorithm]:
    """The algorithm class that trains ``config``."""
    if config.algo == "sb3c":
        return sb3_contrib.RecurrentPPO
    return RecurrentPPO if config.recurrent else PPO


def policy_kwargs(config: RunConfig) -> dict[str, Any]:
    """The shared hyperparameters in the names of the algorithm that ``config`` selects."""
    hp = config.hyperparams
    kwargs: dict[str, Any] = {
        "activation_fn": nn.ReLU if hp.activation == "relu" else nn.Tanh,
        "ortho_init": hp.ortho_init,
    }
    if config.policy.startswith("Cnn"):  # every agent gets the same extractor; NatureCNN alone needs 36x36 images
        kwargs["features_extractor_class"] = ImageCNN
        if hp.features_dim is not None:
            kwargs["features_extractor_kwargs"] = {"features_dim": hp.features_dim}
    if not config.recurrent:
        layers = [hp.hidden_size, *hp.net_arch]
        return {**kwargs, "net_arch": {"pi": layers, "vf": list(layers)}}
    kwargs["net_arch"] = {"pi": list(hp.net_arch), "vf": list(hp.net_arch)}
    critic_core = hp.critic_core and not hp.shared_core
    if config.algo == "sb3c":
        return {
            **kwargs,
            "lstm_hidden_size": hp.hidden_size,
            "n_lstm_layers": hp.num_layers,
            "shared_lstm": hp.shared_core,
            "enable_critic_lstm": critic_core,
        }
    return {
        **kwargs,
        "hidden_size": hp.hidden_size,
        "num_layers": hp.num_layers,
        "shared_core": hp.shared_core,
        "critic_core": critic_core,
        "layer_norm": hp.layer_norm,
    }


def make_model(config: RunConfig, env: VecEnv, tensorboard_log: str | Path | None = None) -> BaseAlgorithm:
    """A fresh model for ``config`` on ``env``, logging to TensorBoard under ``tensorboard_log``."""
    hp = config.hyperparams
    lr = LinearSchedule(hp.learning_rate, 0.0, 1.0) if hp.lr_schedule == "linear" else hp.learning_rate
    clip = LinearSchedule(hp.clip_range, 0.0, 1.0) if hp.clip_schedule == "linear" else hp.clip_range
    kwargs: dict[str, Any] = {
        "learning_rate": lr,
        "n_steps": hp.n_steps,
        "batch_size": hp.batch_size,
        "n_epochs": hp.n_epochs,
        "gamma": hp.gamma,
        "gae_lambda": hp.gae_lambda,
        "clip_range": clip,
        "ent_coef": hp.ent_coef,
        "vf_coef": hp.vf_coef,
        "max_grad_norm": hp.max_grad_norm,
        "target_kl": hp.target_kl,
        "policy_kwargs": policy_kwargs(config),
        "tensorboard_log": str(tensorboard_log) if tensorboard_log else None,
        "seed": config.seed,
        "device": config.device,
    }
    cls = model_class(config)
    if cls is RecurrentPPO:
        kwargs["sequence_length"] = hp.sequence_length
    return cls(config.policy, env, **kwargs)


@contextmanager
def sigint_ignored(active: bool) -> Iterator[None]:
    """Env worker processes started inside inherit an ignored SIGINT: Ctrl-C reaches the whole process group, and
    the workers must live on while the trainer saves its checkpoint."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if active else None
    try:
        yield
    finally:
        if active:
            signal.signal(signal.SIGINT, previous)


VECTOR_MONITOR = "vector.monitor.csv"  # SB3's VecMonitor file of an array env: the episodes of all its envs


def uses_vector_env(config: RunConfig) -> bool:
    """Whether ``config`` steps its envs as the task's array implementation (``vec_env="vector"`` and one exists)."""
    return config.vec_env == "vector" and has_vector_entry_point(config.env)


def make_env(
    config: RunConfig,
    n_envs: int | None = None,
    seed: int | None = None,
    normalize_stats: str | Path | None = None,
    training: bool = True,
    render_mode: str | None = None,
    monitor_dir: str | Path | None = None,
    append_monitor: bool = False,
) -> VecEnv:
    """The vectorised env of ``config``: Monitor, then VecNormalize (when set) and VecFrameStack (when set).

    With ``vec_env="vector"`` and an id that has an array implementation, the envs are one ``GymnasiumVecEnv`` inside
    ``VecMonitor``; otherwise single envs with ``Monitor`` in a ``DummyVecEnv`` (or ``SubprocVecEnv``).

    ``normalize_stats`` loads saved VecNormalize statistics; ``training=False`` freezes them and reports raw rewards.
    ``monitor_dir`` gets SB3's ``<rank>.monitor.csv`` files (one ``vector.monitor.csv`` for an array env), continued
    rather than restarted with ``append_monitor``.
    """
    check_env_id(config.env)
    hp = config.hyperparams
    n_envs = n_envs or hp.n_envs
    vec_cls = SubprocVecEnv if config.vec_env == "subproc" and n_envs > 1 else DummyVecEnv
    env_kwargs = {**config.env_kwargs, **({"render_mode": render_mode} if render_mode else {})}
    seed = config.seed if seed is None else seed
    env: VecEnv
    if uses_vector_env(config):
        monitor_path = str(Path(monitor_dir) / VECTOR_MONITOR) if monitor_dir else None
        env = make_vector_vec_env(config.env, n_envs, seed, env_kwargs, monitor_path, append_monitor)
    else:
        monitor = {"monitor_dir": str(monitor_dir), "monitor_kwargs": {"override_existing": not append_monitor}}
        with sigint_ignored(vec_cls is SubprocVecEnv):
            env = make_vec_env(
                config.env, n_envs, seed, vec_env_cls=vec_cls, env_kwargs=env_kwargs, **(monitor if monitor_dir else {})
            )
    if normalize_stats is not None:
        env = VecNormalize.load(str(normalize_stats), env)
    elif hp.normalize:
        env = VecNormalize(env, gamma=hp.gamma)
    if isinstance(env, VecNormalize):
        env.training = training
        env.norm_reward = training
    if config.frame_stack:
        env = VecFrameStack(env, n_stack=config.frame_stack)
    return env


def make_eval_env(config: RunConfig, normalize_stats: str | Path | None = None) -> VecEnv:
    """Envs for evaluation, stepped in this process: seeded apart from training, statistics frozen, raw rewards."""
    n_envs = min(config.eval_episodes, MAX_EVAL_ENVS)
    # In this process; an array env stays one, so that both wrapper chains match for sync_envs_normalization.
    config = config.model_copy(update={"vec_env": "vector" if config.vec_env == "vector" else "dummy"})
    return make_env(config, n_envs, config.seed + EVAL_SEED_OFFSET, normalize_stats, training=False)
