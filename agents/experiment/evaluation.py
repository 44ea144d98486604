"""Evaluate a trained agent: episode returns, lengths and success, loading saved runs, and GIFs of one episode.

Success is defined where the task defines an optimal return (``envs.SUITE[id].optimal_return``): an episode
succeeds when it reaches it, e.g. all 500 steps of CartPole or the rewarded arm of the T-maze.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
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


def return_decimals(env_id: str) -> int:
    """Decimals that returns of ``env_id`` are printed with, fixed for a task: 2 where the optimal return is at most
    10 (the memory tasks pay about 1), else 1."""
    best = optimal_return(env_id)
    return 2 if best is not None and abs(best) <= 10 else 1


def format_return(mean: float, std: float, decimals: int) -> str:
    """``"23.4 ± 5.1"``: mean and std with the same fixed number of decimals."""
    return f"{mean:.{decimals}f} ± {std:.{decimals}f}"


def episode_outcomes(returns: np.ndarray, lengths: np.ndarray, env_id: str) -> EvalResult:
    """Returns and lengths of finished episodes, with success where ``env_id`` has an optimal return."""
    returns, lengths = np.asarray(returns, dtype=np.float64), np.asarray(lengths)
    best = optimal_return(env_id)
    successes = None if best is None else returns >= best - SUCCESS_TOLERANCE * max(1.0, abs(best))
    return EvalResult(returns, lengths, successes)


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


def evaluate_agent(
    model: BaseAlgorithm, env: VecEnv, env_id: str, n_episodes: int, deterministic: bool = True
) -> EvalResult:
    """Run ``n_episodes`` on ``env`` (recurrent memory carried and reset by SB3's ``evaluate_policy``)."""
    returns, lengths = evaluate_policy(
        model, env, n_eval_episodes=n_episodes, deterministic=deterministic, return_episode_rewards=True, warn=False
    )
    return episode_outcomes(np.asarray(returns), np.asarray(lengths), env_id)


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
    frames = []
    done = False
    while not done:
        frames.append(env.render())
        action, state = model.predict(obs, state=state, episode_start=episode_start, deterministic=deterministic)
        obs, _, dones, _ = env.step(action)
        episode_start = dones
        done = bool(dones[0])
    env.close()
    if not frames or frames[0] is None:
        raise ValueError(f"{config.env} rendered no rgb_array frames: it does not support render_mode='rgb_array'")
    iio.imwrite(path, np.stack(frames), duration=1000 / fps, loop=0)
    return len(frames)
