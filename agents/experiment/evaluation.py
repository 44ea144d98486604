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
from stable_baselines3.common.preprocessing import is_image_space, is_image_space_channels_first
from stable_baselines3.common.vec_env import VecEnv, VecTransposeImage, unwrap_vec_normalize

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
    if is_image_space(spaces[0]) and not is_image_space_channels_first(spaces[0]):  # type: ignore[arg-type]
        spaces = VecTransposeImage.transpose_space(spaces[0]), spaces[1]  # type: ignore[arg-type]  # as SB3 wraps it
    if spaces != (model.observation_space, model.action_space):
        raise ValueError(
            f"{config.env} has observation space {spaces[0]} and action space {spaces[1]}, but the model was "
            f"trained on {model.observation_space} and {model.action_space}"
        )


class MaskedPredictor:
    """A model whose ``predict`` passes ``env``'s current action masks, for SB3's ``evaluate_policy``.

    sb3-contrib's maskable ``evaluate_policy`` drops the recurrent state it gets back, so the masks come in through
    this wrapper instead and SB3's ``evaluate_policy`` carries and resets the memory. Everything but ``predict`` is
    the model's own, so SB3's ``EvalCallback`` can also save it as the best model.

    Example:
        >>> evaluate_policy(MaskedPredictor(model, env), env)  # doctest: +SKIP
    """

    def __init__(self, model: BaseAlgorithm, env: VecEnv) -> None:
        self.model, self.env = model, env

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

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
    return episode_outcomes(np.asarray(returns), np.asarray(lengths), env_id)


class ObservedFrames:
    """Frames that put what the agent observed beside the true state, for the memory tasks (``envs.memory``).

    Left: the env's own rendering of the true state, its entries named in a legend (``state_names``); right: the
    observation vector the policy received at that step, one bar per entry, with a legend; the title gives the step
    and the reward so far.
    """

    def __init__(self, state_names: tuple[str, ...]) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        self.state_names = state_names
        self.figure, (self.left, self.right) = plt.subplots(1, 2, figsize=(8, 3.2), dpi=80)
        self.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.15, top=0.8, wspace=0.45)  # fixed: no re-layout
        self.title = self.figure.suptitle("", fontsize=10)
        self.picture: Any = None
        self.bars: Any = None
        self.state_legend: Any = None

    def __call__(
        self, image: np.ndarray, observation: np.ndarray, state: np.ndarray, step: int, total: float
    ) -> np.ndarray:
        """One (H, W, 3) uint8 frame; the artists are made on the first call and updated after (fast)."""
        if np.ndim(observation) == 3:  # an image observation: drawn as the agent saw it, not as bars
            return self._image_frame(image, np.asarray(observation), state, step, total)
        values = np.ravel(observation).astype(np.float64)
        labels = [f"{name} = {value}" for name, value in zip(self.state_names, np.ravel(state), strict=False)]
        if self.picture is None:
            self._make(image, values, labels)
        else:
            self.picture.set_data(image)
            for bar, value in zip(self.bars, values, strict=True):
                bar.set_height(value)
            for text, label in zip(self.state_legend.get_texts(), labels, strict=True):
                text.set_text(label)
            low, high = self.right.get_ylim()
            self.right.set_ylim(min(low, values.min() - 0.05), max(high, values.max() + 0.05))
        self.title.set_text(f"step {step}, return so far {total:g}")
        self.figure.canvas.draw()
        return np.asarray(self.figure.canvas.buffer_rgba())[..., :3].copy()  # type: ignore[attr-defined]

    def _make(self, image: np.ndarray, values: np.ndarray, labels: list[str]) -> None:
        from matplotlib.patches import Patch

        self.picture = self.left.imshow(image, interpolation="nearest")
        self.left.set_axis_off()
        self.left.set_title("true state (hidden from the agent)", fontsize=9)
        handles = [Patch(color="none", label=label) for label in labels]
        self.state_legend = self.left.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="state"
        )
        self.bars = self.right.bar(np.arange(len(values)), values, color="tab:blue", label="observation entry")
        self.right.set_xticks(np.arange(len(values)))
        self.right.set_xlabel("observation index", fontsize=8)
        self.right.set_ylim(min(0.0, values.min()) - 0.05, max(1.0, values.max()) + 0.05)
        self.right.set_title("what the agent observed", fontsize=9)
        self.right.legend(fontsize=8, loc="upper right")

    def _image_frame(
        self, image: np.ndarray, seen: np.ndarray, state: np.ndarray, step: int, total: float
    ) -> np.ndarray:
        """A frame with the (H, W, C) or (C, H, W) image observation on the right."""
        seen = seen if seen.shape[-1] in (1, 3, 4) else np.moveaxis(seen, 0, -1)  # (C, H, W) -> (H, W, C)
        if self.picture is None:
            self.picture = self.left.imshow(image, interpolation="nearest")
            self.bars = self.right.imshow(seen, interpolation="nearest")
            for axes, title in ((self.left, "true state (hidden from the agent)"), (self.right, "what the agent saw")):
                axes.set_axis_off()
                axes.set_title(title, fontsize=9)
        self.picture.set_data(image)
        self.bars.set_data(seen)
        labels = ", ".join(f"{name} = {value}" for name, value in zip(self.state_names, np.ravel(state), strict=False))
        self.title.set_text(f"step {step}, return so far {total:g}; {labels}")
        self.figure.canvas.draw()
        return np.asarray(self.figure.canvas.buffer_rgba())[..., :3].copy()  # type: ignore[attr-defined]

    def close(self) -> None:
        import matplotlib.pyplot as plt

        plt.close(self.figure)


def render_fps(env: VecEnv, default: float = 30.0) -> float:
    """The env's own frame rate (``metadata["render_fps"]``): 50 for CartPole, 4 for the memory tasks."""
    fps = env.get_attr("metadata")[0].get("render_fps")
    return float(fps) if fps else default


def record_gif(
    model: BaseAlgorithm,
    config: RunConfig,
    path: str | Path,
    normalize_stats: Path | None = None,
    deterministic: bool = True,
    fps: float | None = None,
    observed: bool | None = None,
) -> int:
    """Play one episode with ``render_mode="rgb_array"`` and write its frames to a GIF; returns the frame count.

    ``fps`` defaults to the env's own frame rate. ``observed`` (default: on for the memory tasks) draws each frame
    as the true state beside what the agent observed (:class:`ObservedFrames`).
    """
    import imageio.v3 as iio

    from envs.memory.base import MemoryEnv

    single = config.model_copy(update={"vec_env": "dummy"})  # one env of its own, whose true state can be drawn
    env = make_env(single, n_envs=1, normalize_stats=normalize_stats, training=False, render_mode="rgb_array")
    inner = env.get_attr("unwrapped")[0]
    observed = isinstance(inner, MemoryEnv) if observed is None else observed
    if observed and not isinstance(inner, MemoryEnv):
        raise ValueError(f"{config.env} is not a memory task: it has no true state to draw beside the observation")
    draw = ObservedFrames(inner.state_names) if observed else None
    fps = fps or render_fps(env)
    normalizer = unwrap_vec_normalize(env)
    obs = env.reset()
    state, episode_start = None, np.ones(1, dtype=bool)
    agent = with_action_masks(model, env)
    frames, total, done = [], 0.0, False
    try:
        while not done:
            image = env.render()
            if draw is not None and image is not None:
                raw = normalizer.get_original_obs() if normalizer is not None else obs
                image = draw(image, raw[0], inner.get_state(), len(frames), total)
            frames.append(image)
            action, state = agent.predict(obs, state=state, episode_start=episode_start, deterministic=deterministic)
            obs, rewards, dones, _ = env.step(action)
            total += float(rewards[0]) if normalizer is None else float(normalizer.get_original_reward()[0])
            episode_start = dones
            done = bool(dones[0])
    finally:
        env.close()
        if draw is not None:
            draw.close()
    if not frames or frames[0] is None:
        raise ValueError(f"{config.env} rendered no rgb_array frames: it does not support render_mode='rgb_array'")
    iio.imwrite(path, np.stack(frames), duration=1000 / fps, loop=0)
    return len(frames)
