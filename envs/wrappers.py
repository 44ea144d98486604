"""Observation wrappers that turn MDPs into POMDPs, named `<Transform><Target>` as in Gymnasium.

Ours:
- `MaskObservation(env, keep)`: keep only some entries of a 1-D Box observation (velocity masking).
- `FlickerObservation(env, p)`: blank the whole observation to zeros with probability p (flickering Atari).
- `PreviousActionRewardObservation(env)`: append the previous action and reward, a standard recurrent input.

Gymnasium already ships the rest; use these rather than twins:
- `gymnasium.wrappers.DelayObservation(env, delay)`: observations arrive `delay` steps late (zeros before).
- `gymnasium.wrappers.FrameStackObservation(env, stack_size)`: a window of past observations, the memoryless
  baseline with a fixed history; follow it with `FlattenObservation` for MLP policies (SB3 wants 1-D vectors).
- `gymnasium.wrappers.AddWhiteNoise` / `ObstructView`: corrupt *rendered frames*; for pixel POMDPs put them
  under `AddRenderObservation(env, render_only=True)` on an env made with `render_mode="rgb_array"`.

Order of composition, innermost first: choose what is visible (`MaskObservation`), then corrupt it
(`FlickerObservation`, `DelayObservation`), then add the agent's own inputs (`PreviousActionRewardObservation`, so
they are never blanked or delayed), then stack (`FrameStackObservation`) if a windowed baseline is wanted:

    >>> import gymnasium as gym
    >>> import envs
    >>> env = gym.make("CartPole-v1")
    >>> env = PreviousActionRewardObservation(FlickerObservation(MaskObservation(env, keep=[0, 2]), p=0.2))
    >>> env.observation_space.shape  # 2 kept entries + 2 one-hot action entries + 1 reward
    (5,)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces


def _check_vector_box(space: spaces.Space, wrapper: str) -> spaces.Box:
    if not isinstance(space, spaces.Box) or len(space.shape) != 1:
        raise ValueError(f"{wrapper} needs a 1-D Box observation space, got {space}")
    return space


class MaskObservation(gym.ObservationWrapper[np.ndarray, Any, np.ndarray], gym.utils.RecordConstructorArgs):
    """Keep only the entries `keep` of a 1-D Box observation, e.g. drop the velocities of classic control.

    Args:
        env: an env with a 1-D Box observation space of size F.
        keep: distinct indices in [0, F), in the order they should appear.

    Example:
        >>> env = MaskObservation(gym.make("CartPole-v1"), keep=[0, 2])  # cart position, pole angle
        >>> env.observation_space.shape
        (2,)
    """

    def __init__(self, env: gym.Env[np.ndarray, Any], keep: Sequence[int]) -> None:
        space = _check_vector_box(env.observation_space, "MaskObservation")
        size = space.shape[0]
        keep = list(keep)
        if not keep or not all(isinstance(i, int | np.integer) and not isinstance(i, bool) for i in keep):
            raise ValueError(f"keep must be a non-empty sequence of integer indices in [0, {size}), got {keep!r}")
        if any(not 0 <= i < size for i in keep):
            raise ValueError(f"keep indices must be in [0, {size}), got {keep}")
        if len(set(keep)) != len(keep):
            raise ValueError(f"keep indices must be distinct, got {keep}")
        gym.utils.RecordConstructorArgs.__init__(self, keep=tuple(int(i) for i in keep))
        gym.ObservationWrapper.__init__(self, env)
        self.keep = np.array(keep, dtype=np.int64)
        self.observation_space = spaces.Box(space.low[self.keep], space.high[self.keep], dtype=space.dtype)

    def observation(self, observation: np.ndarray) -> np.ndarray:
        """(F,) -> (K,); fancy indexing copies, so the env's own array is never handed out."""
        return observation[self.keep]


class FlickerObservation(gym.ObservationWrapper[np.ndarray, Any, np.ndarray], gym.utils.RecordConstructorArgs):
    """Replace the whole observation by zeros with probability `p`, independently at every step and at reset.

    The wrapper draws from its own generator, seeded from `reset(seed=...)` through a spawned `SeedSequence`: the
    wrapped env's random stream (and so its trajectory under fixed actions) is the same with and without flicker.

    Args:
        env: an env with a Box observation space that contains zeros.
        p: blanking probability in [0, 1].

    Example:
        >>> env = FlickerObservation(gym.make("CartPole-v1"), p=1.0)
        >>> env.reset(seed=0)[0]
        array([0., 0., 0., 0.], dtype=float32)
    """

    def __init__(self, env: gym.Env[np.ndarray, Any], p: float) -> None:
        if isinstance(p, bool) or not isinstance(p, int | float | np.floating) or not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
        space = env.observation_space
        if not isinstance(space, spaces.Box):
            raise ValueError(f"FlickerObservation needs a Box observation space, got {space}")
        if not space.contains(np.zeros(space.shape, dtype=space.dtype)):
            raise ValueError(f"FlickerObservation blanks to zeros, which must lie inside the observation space {space}")
        gym.utils.RecordConstructorArgs.__init__(self, p=p)
        gym.ObservationWrapper.__init__(self, env)
        self.p = float(p)
        self._rng = np.random.default_rng()

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reseed the flicker generator when a seed is given, then reset the env."""
        if seed is not None:
            self._rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
        return super().reset(seed=seed, options=options)

    def observation(self, observation: np.ndarray) -> np.ndarray:
        """Zeros with probability p, else the observation unchanged."""
        if self._rng.random() < self.p:
            return np.zeros_like(observation)
        return observation


class PreviousActionRewardObservation(gym.Wrapper[np.ndarray, Any, np.ndarray, Any], gym.utils.RecordConstructorArgs):
    """Append the previous action and reward to a 1-D Box observation: [obs, action, reward].

    Discrete actions are one-hot encoded, Box actions flattened and clipped to their bounds; after reset both the
    action and the reward entries are zero.

    Args:
        env: an env with a 1-D Box observation space and a Discrete or Box action space.
        reward_bounds: (low, high) bounds of the reward entry in the observation space; unbounded by default.
            Narrow it (e.g. (0, 1) for the memory tasks) when a checker wants finite bounds.

    Example:
        >>> env = PreviousActionRewardObservation(gym.make("CartPole-v1"))
        >>> env.reset(seed=0)[0].shape  # 4 observation entries + 2 one-hot action entries + 1 reward
        (7,)
    """

    def __init__(self, env: gym.Env[np.ndarray, Any], reward_bounds: tuple[float, float] = (-np.inf, np.inf)) -> None:
        space = _check_vector_box(env.observation_space, "PreviousActionRewardObservation")
        low_reward, high_reward = (float(b) for b in reward_bounds)
        if not low_reward < high_reward:
            raise ValueError(f"reward_bounds must be (low, high) with low < high, got {reward_bounds!r}")
        action_space = env.action_space
        if isinstance(action_space, spaces.Discrete):
            action_low, action_high = np.zeros(int(action_space.n)), np.ones(int(action_space.n))
        elif isinstance(action_space, spaces.Box):
            action_low, action_high = action_space.low.ravel(), action_space.high.ravel()
        else:
            raise ValueError(
                f"PreviousActionRewardObservation needs a Discrete or Box action space, got {action_space}"
            )
        gym.utils.RecordConstructorArgs.__init__(self, reward_bounds=(low_reward, high_reward))
        gym.Wrapper.__init__(self, env)
        dtype = space.dtype if np.issubdtype(space.dtype, np.floating) else np.dtype(np.float32)
        self.observation_space = spaces.Box(
            np.concatenate([space.low, action_low, [low_reward]]).astype(dtype),
            np.concatenate([space.high, action_high, [high_reward]]).astype(dtype),
            dtype=dtype,
        )
        self._no_action = np.zeros(action_low.shape, dtype=dtype)
        self._previous = np.zeros(action_low.shape[0] + 1, dtype=dtype)  # (A + 1,): action encoding, reward

    def _encode(self, action: Any) -> np.ndarray:
        encoded = self._no_action.copy()
        space = self.env.action_space
        if isinstance(space, spaces.Discrete):
            encoded[int(action) - int(space.start)] = 1.0
        else:
            assert isinstance(space, spaces.Box)  # __init__ accepts Discrete or Box actions only
            encoded[:] = np.clip(np.asarray(action, dtype=space.dtype).ravel(), space.low.ravel(), space.high.ravel())
        return encoded

    def _with_previous(self, observation: np.ndarray) -> np.ndarray:
        return np.concatenate([observation, self._previous]).astype(self.observation_space.dtype)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset the env; the previous action and reward read as zeros."""
        observation, info = self.env.reset(seed=seed, options=options)
        self._previous = np.zeros_like(self._previous)
        return self._with_previous(observation), info

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the env and append this step's action and reward to its observation."""
        observation, reward, terminated, truncated, info = self.env.step(action)
        self._previous = np.concatenate([self._encode(action), [float(reward)]]).astype(self._previous.dtype)
        return self._with_previous(observation), reward, terminated, truncated, info
