"""Shared base of the array implementations of the memory tasks: N envs stepped as numpy array operations.

`MemoryVectorEnv` is a `gymnasium.vector.VectorEnv` with same-step autoreset whose env i, reset with seed s, behaves
exactly as the single env reset with seed s + i: the same observations, rewards, terminations, truncations and true
states, episode after episode. It builds one single env for its parameters, spaces and bounds, draws each episode's
random words from the same SplitMix64 streams (`envs.memory.stream`), and returns infos in the layout of Gymnasium's
`SyncVectorEnv(autoreset_mode=SAME_STEP)`: `state` (N, S) with its `_state` mask, and, in a step where some envs
ended, `final_obs` (an object array, None for envs that go on) and `final_info` (their last `state`).

A task sets `single_env_class` and implements `_start` (new episodes for some envs from their words), `_advance`
(one step of every env), `_observation`, `get_state` and `_load` (copy env i into the single env, for rendering).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from envs.memory import stream
from envs.memory.base import MemoryEnv, check_int

Rows: Any = np.ndarray  # (R,) int64 indices of envs


class MemoryVectorEnv(VectorEnv):
    """N copies of a memory task stepped together; see the module docstring for the contract.

    Args:
        num_envs: number of envs N (>= 1).
        level: "easy", "medium" or "hard", as for the single env.
        render_mode: None or "rgb_array" (`render` returns one image per env).
        **kwargs: the single env's keyword overrides (`corridor_length=50`, `k=3`, ...).
    """

    metadata: dict[str, Any] = {  # noqa: RUF012  (Gymnasium declares it an instance attribute)
        "render_modes": ["rgb_array"],
        "render_fps": 4,
        "autoreset_mode": AutoresetMode.SAME_STEP,
    }
    single_env_class: ClassVar[type[MemoryEnv]]
    words_per_episode: int

    def __init__(self, num_envs: int = 1, level: str = "easy", *, render_mode: str | None = None, **kwargs: Any):
        self.num_envs = check_int("num_envs", num_envs, 1)
        make_single: Any = self.single_env_class  # every task takes (level, *, render_mode, **overrides)
        self.single_env = make_single(level, render_mode=render_mode, **kwargs)
        self.render_mode = render_mode
        self.level = level
        self.single_observation_space = self.single_env.observation_space
        self.single_action_space = self.single_env.action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.state_space = self.single_env.state_space
        self.state_names = self.single_env.state_names
        self.max_episode_steps = self.single_env.max_episode_steps
        self.optimal_return = self.single_env.optimal_return
        self.memoryless_return = self.single_env.memoryless_return
        self._rows = np.arange(self.num_envs)
        self._streams = np.zeros(self.num_envs, dtype=np.uint64)
        self._started = np.zeros(self.num_envs, dtype=bool)  # a stream goes on across resets without a seed

    def __getattr__(self, name: str) -> Any:
        # The task's parameters (k, n_symbols, corridor_length, ...) are those of the single env.
        if name.startswith("_") or name == "single_env":
            raise AttributeError(name)
        return getattr(self.single_env, name)

    # What a task implements.
    def _start(self, rows: Rows, words: np.ndarray) -> None:
        """Start new episodes in envs `rows` from their (R, words_per_episode) uint64 words."""
        raise NotImplementedError

    def _advance(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Step every env with its checked action: (N,) float64 rewards, bool terminations and truncations."""
        raise NotImplementedError

    def _observation(self, rows: Rows) -> np.ndarray:
        """(R, F) float32 observations of envs `rows`."""
        raise NotImplementedError

    def get_state(self) -> np.ndarray:
        """(N, S) true states, row i as `single_env.get_state()` would give for env i."""
        raise NotImplementedError

    def _load(self, i: int) -> None:
        """Copy env i's state into `single_env`."""
        raise NotImplementedError

    def _check_actions(self, actions: Any) -> np.ndarray:
        """Actions as an array, or a ValueError naming what was expected."""
        raise NotImplementedError

    # The contract.
    def _seed(self, seed: int | list[int | None] | None) -> None:
        if isinstance(seed, int | np.integer):
            self._streams = stream.seed_streams(stream.consecutive_seeds(int(seed), self.num_envs))
            self._started[:] = True
            return
        if seed is not None and len(seed) != self.num_envs:
            raise ValueError(f"seed must be None, an int or a list of {self.num_envs} seeds, got {len(seed)} seeds")
        given = np.array([s is not None for s in seed]) if seed is not None else np.zeros(self.num_envs, bool)
        if seed is not None:
            seeds = np.array([s if s is not None else 0 for s in seed], dtype=object) % 2**64
            self._streams[given] = stream.seed_streams(seeds.astype(np.uint64))[given]
        fresh = ~given & ~self._started  # like a single env's first reset without a seed: from np_random
        self._streams[fresh] = self.np_random.integers(0, 2**64, size=int(fresh.sum()), dtype=np.uint64)
        self._started[:] = True

    def _new_episodes(self, rows: Rows) -> None:
        words, self._streams[rows] = stream.draw(self._streams[rows], self.words_per_episode)
        self._start(rows, words)

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset every env; env i with seed `seed + i` (or `seed[i]`), like Gymnasium's vector envs."""
        super().reset(seed=seed if isinstance(seed, int | np.integer) else None)
        self._seed(seed)
        self._new_episodes(self._rows)
        return self._observation(self._rows), {"state": self.get_state(), "_state": np.ones(self.num_envs, bool)}

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every env; envs that end are reset in the same step (their last observation in `final_obs`)."""
        rewards, terminated, truncated = self._advance(self._check_actions(actions))
        obs = self._observation(self._rows)
        infos: dict[str, Any] = {}
        done = terminated | truncated
        ended = np.flatnonzero(done)
        if ended.size:
            final_obs = np.full(self.num_envs, None, dtype=object)
            for i, row in zip(ended.tolist(), obs[ended], strict=True):  # only the envs that ended
                final_obs[i] = row
            state = self.get_state()
            final_state = np.zeros_like(state)
            final_state[ended] = state[ended]
            infos = {
                "final_obs": final_obs,
                "_final_obs": done,
                "final_info": {"state": final_state, "_state": done.copy()},
                "_final_info": done.copy(),
            }
            self._new_episodes(ended)
            obs[ended] = self._observation(ended)
        infos["state"] = self.get_state()
        infos["_state"] = np.ones(self.num_envs, dtype=bool)
        return obs, rewards, terminated, truncated, infos

    def render(self) -> tuple[Any, ...] | None:
        """One RGB image per env when `render_mode="rgb_array"` (drawn by the single env), else None."""
        if self.render_mode != "rgb_array":
            return None
        images = []
        for i in range(self.num_envs):
            self._load(i)
            images.append(self.single_env.render())
        return tuple(images)

    def close_extras(self, **kwargs: Any) -> None:
        self.single_env.close()


def check_discrete_actions(actions: Any, num_envs: int, n: int) -> np.ndarray:
    """(N,) integer actions in [0, n), or a ValueError naming the expected shape and range."""
    actions = np.asarray(actions)
    if actions.shape != (num_envs,) or actions.dtype.kind not in "iu" or actions.min() < 0 or actions.max() >= n:
        raise ValueError(f"actions must be {num_envs} integers in [0, {n}), got {actions!r}")
    return actions.astype(np.int64, copy=False)
