"""Velocity-masked classic control, built from Gymnasium's own envs and `MaskObservation`.

Each task is Gymnasium's env with a thin subclass that records the full observation as the true state (so
`env.unwrapped.get_state()`, `state_space` and `info["state"]` work as for the memory tasks), wrapped in
`MaskObservation` to keep only positions and angles. Dynamics, rewards and rendering are Gymnasium's.

| task | kept entries | state (= full observation) |
| --- | --- | --- |
| CartPole | cart position, pole angle | x, x_dot, theta, theta_dot |
| Pendulum | cos theta, sin theta | cos theta, sin theta, theta_dot |
| MountainCar, MountainCarContinuous | position | position, velocity |
| Acrobot | the four cos/sin entries | cos/sin of both joints, both angular velocities |
| LunarLander (needs `gymnasium[box2d]`) | x, y, angle, leg contacts | all 8 entries |

Pendulum's torque in [-2, 2] is rescaled to [-1, 1] with `RescaleAction`, which SB3 asks of Box actions.

Example:
    >>> env = make_no_velocity("CartPole")
    >>> env.observation_space.shape, env.unwrapped.state_space.shape
    ((2,), (4,))
"""

from __future__ import annotations

import functools
import importlib.util
import warnings
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.envs.classic_control import (
    AcrobotEnv,
    CartPoleEnv,
    Continuous_MountainCarEnv,
    MountainCarEnv,
    PendulumEnv,
)
from gymnasium.wrappers import RescaleAction

from envs.wrappers import MaskObservation


class FullStateMixin(gym.Env[np.ndarray, Any]):
    """Records the full observation of a Gymnasium env as its true state: `get_state`, `state_space`, info.

    Put it before the Gymnasium env in the bases, so that its `reset` and `step` wrap the env's.
    """

    state_names: tuple[str, ...]

    @property
    def state_space(self) -> gym.spaces.Space[np.ndarray]:
        """The full (unmasked) observation space."""
        return self.observation_space

    def get_state(self) -> np.ndarray:
        """The latest full observation, velocities included."""
        return self._state.copy()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        observation, info = super().reset(seed=seed, options=options)
        self._state = np.array(observation, dtype=self.observation_space.dtype)
        return observation, {**info, "state": self.get_state()}

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict]:
        observation, reward, terminated, truncated, info = super().step(action)
        self._state = np.array(observation, dtype=self.observation_space.dtype)
        return observation, reward, terminated, truncated, {**info, "state": self.get_state()}


class CartPoleStateEnv(FullStateMixin, CartPoleEnv):
    """CartPole with its full state exposed."""

    state_names = ("x", "x_dot", "theta", "theta_dot")


class PendulumStateEnv(FullStateMixin, PendulumEnv):
    """Pendulum with its full state exposed."""

    state_names = ("cos_theta", "sin_theta", "theta_dot")


class MountainCarStateEnv(FullStateMixin, MountainCarEnv):
    """MountainCar with its full state exposed."""

    state_names = ("position", "velocity")


class MountainCarContinuousStateEnv(FullStateMixin, Continuous_MountainCarEnv):
    """MountainCarContinuous with its full state exposed."""

    state_names = ("position", "velocity")


class AcrobotStateEnv(FullStateMixin, AcrobotEnv):
    """Acrobot with its full state exposed."""

    state_names = ("cos_theta1", "sin_theta1", "cos_theta2", "sin_theta2", "theta1_dot", "theta2_dot")


@functools.cache
def _lunar_lander_class() -> type:
    """Built on demand (and once): importing Gymnasium's LunarLander needs Box2D."""
    # Box2D's SWIG module emits DeprecationWarnings while it is created; under `-W error` they become exceptions
    # inside C code and the interpreter segfaults, so they are silenced for the import.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from gymnasium.envs.box2d import LunarLander

    class LunarLanderStateEnv(FullStateMixin, LunarLander):
        """LunarLander with its full state exposed."""

        state_names = ("x", "y", "vx", "vy", "angle", "angular_velocity", "left_leg", "right_leg")

    return LunarLanderStateEnv


# task -> (env class or a function building it, kept observation entries)
NO_VELOCITY: dict[str, tuple[Any, tuple[int, ...]]] = {
    "CartPole": (CartPoleStateEnv, (0, 2)),
    "Pendulum": (PendulumStateEnv, (0, 1)),
    "MountainCar": (MountainCarStateEnv, (0,)),
    "MountainCarContinuous": (MountainCarContinuousStateEnv, (0,)),
    "Acrobot": (AcrobotStateEnv, (0, 1, 2, 3)),
    "LunarLander": (_lunar_lander_class, (0, 1, 4, 6, 7)),
}


def has_box2d() -> bool:
    """Whether LunarLander can be built (the `gymnasium[box2d]` extra is installed)."""
    return importlib.util.find_spec("Box2D") is not None


def make_no_velocity(task: str, render_mode: str | None = None, **kwargs: Any) -> gym.Env:
    """Build `task` ("CartPole", "Pendulum", ...) with its velocities masked; the entry point of `*NoVel-v0`.

    Args:
        task: a key of `NO_VELOCITY`.
        render_mode: passed to Gymnasium's env (None, "human" or "rgb_array").
        **kwargs: passed to Gymnasium's env (e.g. `continuous=True` for LunarLander).
    """
    if task not in NO_VELOCITY:
        raise ValueError(f"task must be one of {tuple(NO_VELOCITY)}, got {task!r}")
    build, keep = NO_VELOCITY[task]
    env_class = build() if task == "LunarLander" else build
    env: gym.Env = MaskObservation(env_class(render_mode=render_mode, **kwargs), keep=keep)
    if task == "Pendulum":
        # float32 bounds: float ones would make Gymnasium warn about lowering their precision.
        torque = env.action_space
        assert isinstance(torque, gym.spaces.Box)  # Pendulum's torque in [-2, 2]
        one = np.ones(torque.shape, dtype=np.float32)
        env = RescaleAction(env, -one, one)
    return env
