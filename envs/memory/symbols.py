"""Shared base of the symbol-stream tasks: level parameters, a seeded stream of one-hot symbols, the action check.

RepeatPrevious, RepeatFirst and CountRecall all show, one per step, symbols drawn uniformly from `n_symbols` as
one-hot vectors, and differ only in how an action is scored. `SymbolStreamEnv` holds what they share; a task sets
its levels and implements its rule (`_setup` for spaces and bounds, `_reward`, `get_state`, `_cells`).

Example:
    >>> from envs.memory.repeat_first import RepeatFirstEnv
    >>> env = RepeatFirstEnv("easy", length=3)
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape, env.max_episode_steps
    ((4,), 3)
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

import numpy as np
from gymnasium import spaces

from envs.memory import stream
from envs.memory.base import LEVEL_NAMES, MemoryEnv, check_int, check_level, one_hot


class LevelParameters(Protocol):
    """A difficulty level: a NamedTuple of integer parameters, each of which is also a constructor override."""

    def _asdict(self) -> dict[str, Any]: ...


class SymbolStreamEnv(MemoryEnv):
    """Base of the tasks that show a seeded stream of one-hot symbols and score each action by a rule.

    Args:
        level: "easy", "medium" or "hard": the parameters in `levels[level]`.
        render_mode: None or "rgb_array".
        **overrides: a value (or None for the level's) for any field of the level's NamedTuple.

    Class attributes a task sets:
        levels: level name -> its NamedTuple of parameters. Every field becomes an attribute of the same name,
            taken from the level unless overridden; `n_symbols` is one of them.
        minimums: field -> least allowed value; override `_minimum` for a bound that depends on another field
            (fields are resolved in their NamedTuple order).
        n_flags: number of observation entries after the one-hot symbol (CountRecall's query flag), set by `_flags`.

    A task implements `_setup` (spaces and bounds from the parameters), `_reward`, `get_state` and `_cells`. The
    stream holds one symbol per step, `max_episode_steps` in all, drawn at reset in one block from the env's
    SplitMix64 stream (`envs.memory.stream`); an
    episode terminates after `max_episode_steps` actions, and the observation after the last one is all zeros.
    """

    levels: ClassVar[Mapping[str, LevelParameters]]
    minimums: ClassVar[Mapping[str, int]]
    n_flags: ClassVar[int] = 0
    n_symbols: int
    __signature__: ClassVar[inspect.Signature]  # set per task by __init_subclass__

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Show each task's own keywords in `inspect.signature` and `help`, as an explicit `__init__` would."""
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "levels"):
            keyword = inspect.Parameter.KEYWORD_ONLY
            fields = cls.levels[LEVEL_NAMES[0]]._asdict()
            cls.__signature__ = inspect.Signature(
                [
                    inspect.Parameter("level", inspect.Parameter.POSITIONAL_OR_KEYWORD, default="easy"),
                    *(inspect.Parameter(name, keyword, default=None, annotation="int | None") for name in fields),
                    inspect.Parameter("render_mode", keyword, default=None, annotation="str | None"),
                ]
            )

    def __init__(self, level: str = "easy", *, render_mode: str | None = None, **overrides: int | None) -> None:
        fields = self.levels[LEVEL_NAMES[0]]._asdict()  # the same fields at every level
        for name in overrides:
            if name not in fields:  # what Python says for a keyword missing from an explicit signature
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument {name!r}")
        super().__init__(render_mode)
        self.level = check_level(level)
        for name, default in self.levels[level]._asdict().items():
            override = overrides.get(name)
            setattr(self, name, check_int(name, default if override is None else override, self._minimum(name)))
        self._setup()
        self.observation_space = spaces.Box(0.0, 1.0, shape=(self.n_symbols + self.n_flags,), dtype=np.float32)
        self._symbols = np.zeros(self.max_episode_steps, dtype=np.int64)
        self._step = 0

    def _minimum(self, name: str) -> int:
        """The least allowed value of the level parameter `name`."""
        return self.minimums[name]

    def _setup(self) -> None:
        """Set `max_episode_steps`, `memoryless_return`, `action_space`, `state_space` and `state_names`."""
        raise NotImplementedError

    def _reward(self, action: int) -> float:
        """The reward of `action` at the current step, before the step counter moves on."""
        raise NotImplementedError

    def _flags(self) -> tuple[float, ...]:
        """The `n_flags` observation entries after the one-hot symbol while the episode runs."""
        return ()

    def _symbol_at(self, t: int) -> int:
        """The symbol shown at step `t`, or `n_symbols` for a step outside the episode."""
        return int(self._symbols[t]) if 0 <= t < self.max_episode_steps else self.n_symbols

    def _observation(self) -> np.ndarray:
        if self._step >= self.max_episode_steps:
            return np.zeros(self.n_symbols + self.n_flags, dtype=np.float32)
        obs = one_hot(self._symbols[self._step], self.n_symbols + self.n_flags)
        obs[self.n_symbols :] = self._flags()
        return obs

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._symbols = stream.integers(self._draw_episode(seed, self.max_episode_steps), self.n_symbols)
        self._step = 0
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if not self.action_space.contains(action):
            raise ValueError(f"action must be in {self.action_space}, got {action!r}")
        reward = self._reward(int(action))
        self._step += 1
        terminated = self._step >= self.max_episode_steps
        return self._observation(), reward, terminated, False, self._info()
