"""Evaluate a trained agent: episode returns, lengths and success, loading saved runs, and GIFs of one episode.

Success is defined where the task defines an optimal return (``envs.SUITE[id].optimal_return``): an episode
succeeds when it reaches it, e.g. all 500 steps of CartPole or the rewarded arm of the T-maze.

On envs with ``action_masks()`` (e.g. ``pomdp/MaskedRecall-v0``) the agent is evaluated with the env's masks, as it
was trained: :class:`MaskedPredictor` hands them to ``predict`` at every step, and the memory is carried as usual.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from sb3_contrib.common.maskable.utils import get_action_masks, is_masking_supported
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecEnv

import envs
from agents.experiment.builders import make_env
from agents.experiment.config import RunConfig

SUCCESS_TOLERANCE = 1e-6  # returns are sums of float rewards: 1/14 * 14 may land just below 1
SOLVED_FRACTION = 0.95  # default threshold: 95% of the optimal return


class EvalResult(NamedTuple):
    """Per-episode outcomes of one evaluation."""

    returns: np.ndarray  # (N,) undiscounted, unnormalised returns
    lengths: np.ndarray  # (N,) steps per episode
    successes: np.ndarray | None  # (N,) bool, None where the task defines no success

    @property
    def success_rate(self) -> float | None:
        return None if self.successes is None else float(np.mean(self.successes))

    def summary(self) -> dict[str, float | int | None]:
        """Mean and std of return and length, and the success rate, as plain numbers for JSON/CSV."""
        return {
            "episodes": len(self.returns),
            "mean_return": float(np.mean(self.returns)),
            "std_return": float(np.std(self.returns)),
            "mean_length": float(np.mean(self.lengths)),
            "success_rate": self.success_rate,
        }


def optimal_return(env_id: str) -> float | None:
    """The task's optimal return, None outside the suite or where unknown."""
    info = envs.SUITE.get(env_id)
    return None if info is None else info.optimal_return


def solved_threshold(env_id: str, threshold: float | None = None) -> float | None:
    """``threshold`` if given, else 95% of the optimal return (None where that is unknown)."""
    if threshold is not None:
        return threshold
    best = optimal_return(env_id)
    return None if best is None else SOLVED_FRACTION * best


def check_compatible(model: BaseAlgorithm, config: RunConfig) -> None:
    """Raise a ValueError unless ``config.env`` has the spaces ``model`` was trained on (e.g. another level)."""
    env = make_env(config, n_envs=1, normalize_stats=None, training=False)
    spaces = env.observation_space, env.action_space
    env.close()
    if spaces != (model.observation_space, model.action_space):
        raise ValueError(
            f"{config.env} has observation space {spaces[0]} and action space {spaces[1]}, but the model was "
            f"trained on {model.observation_space} and {model.action_space}"
        )


class MaskedPredictor:
    """A model whose ``predict`` passes ``env``'s current action masks, for SB3's ``evaluate_policy``.

    sb3-contrib's maskable ``evaluate_policy`` drops the recurrent state it gets back, so the masks come in through
    this wrapper instead and SB3's ``evaluate_policy`` carries and resets the memory.

    Example:
        >>> evaluate_policy(MaskedPredictor(model, env), env)  # doctest: +SKIP
    """

    def __init__(self, model: BaseAlgorithm, env: VecEnv) -> None:
        self.model, self.env = model, env

    def predict(self, observation: Any, state: Any = None, episode_start: Any = None, deterministic: bool = False):
        return self.model.predict(  # type: ignore[call-arg]  # RecurrentPPO's and MaskablePPO's take masks
            observation, state, episode_start, deterministic, action_masks=get_action_masks(self.env)
        )


def with_action_masks(model: BaseAlgorithm, env: VecEnv) -> BaseAlgorithm | MaskedPredictor:
    """``model`` itself, or a :class:`MaskedPredictor` when ``env`` offers ``action_masks()``."""
    return MaskedPredictor(model, env) if is_masking_supported(env) else model


def evaluate_agent(
    model: BaseAlgorithm,
    env: VecEnv,
    env_id: str,
    n_episodes: int,
    deterministic: bool = True,
    use_masking: bool = True,
) -> EvalResult:
    """Run ``n_episodes`` on ``env`` (recurrent memory carried and reset by SB3's ``evaluate_policy``; the env's action
    masks passed where it has them, unless ``use_masking=False``)."""
    returns, lengths = evaluate_policy(
        with_action_masks(model, env) if use_masking else model,  # type: ignore[arg-type]  # both have predict
        env,
        n_eval_episodes=n_episodes,
        deterministic=deterministic,
        return_episode_rewards=True,
        warn=False,
    )
    returns, lengths = np.asarray(returns, dtype=np.float64), np.asarray(lengths)
    best = optimal_return(env_id)
    successes = None if best is None else returns >= best - SUCCESS_TOLERANCE * max(1.0, abs(best))
    return EvalResult(returns, lengths, successes)


def record_gif(
    model: BaseAlgorithm,
    config: RunConfig,
    path: str | Path,
    normalize_stats: Path | None = None,
    deterministic: bool = True,
    fps: int = 10,
) -> int:
    """Play one episode with ``render_mode="rgb_array"`` and write its frames to a GIF; returns the frame count."""
    import imageio.v3 as iio

    env = make_env(config, n_envs=1, normalize_stats=normalize_stats, training=False, render_mode="rgb_array")
    obs = env.reset()
    state, episode_start = None, np.ones(1, dtype=bool)
    agent = with_action_masks(model, env)
    frames = []
    done = False
    while not done:
        frames.append(env.render())
        action, state = agent.predict(obs, state=state, episode_start=episode_start, deterministic=deterministic)
        obs, _, dones, _ = env.step(action)
        episode_start = dones
        done = bool(dones[0])
    env.close()
    if not frames or frames[0] is None:
        raise ValueError(f"{config.env} rendered no rgb_array frames: it does not support render_mode='rgb_array'")
    iio.imwrite(path, np.stack(frames), duration=1000 / fps, loop=0)
    return len(frames)
