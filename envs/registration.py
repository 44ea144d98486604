"""Registers the suite under Gymnasium's `pomdp` namespace and describes every id in `SUITE`.

Ids:
- `pomdp/<Task>NoVel-v0` for CartPole, Pendulum, MountainCar, MountainCarContinuous, Acrobot (and LunarLander when
  `gymnasium[box2d]` is installed), with Gymnasium's time limits;
- `pomdp/<Task><Level>-v0` for the memory tasks TMaze, RepeatPrevious, RepeatFirst, CountRecall, PointRecall and
  MaskedRecall (which offers `action_masks()`), and TMazePixels (the T-maze seen as 12x12x3 images),
  Level in Easy/Medium/Hard, plus `pomdp/<Task>-v0`, which is the Easy level. They end by themselves, so no
  `TimeLimit` is registered: their horizon is `SUITE[id].max_episode_steps` (and `env.unwrapped.max_episode_steps`).

Each memory id but MaskedRecall's has a `vector_entry_point`, its array implementation in `envs.vector`:
`gym.make_vec("pomdp/TMaze-v0", num_envs=1024, vectorization_mode="vector_entry_point")`.

Levels are also constructor arguments: `gym.make("pomdp/TMaze-v0", level="hard")` or `corridor_length=50`.
Registering is idempotent: ids already in the registry are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import gymnasium as gym
from gymnasium import spaces

from envs.classic import FullStateMixin, has_box2d, make_no_velocity
from envs.memory.base import LEVEL_NAMES
from envs.memory.count_recall import CountRecallEnv
from envs.memory.masked_recall import MaskedRecallEnv
from envs.memory.point_recall import PointRecallEnv
from envs.memory.repeat_first import RepeatFirstEnv
from envs.memory.repeat_previous import RepeatPreviousEnv
from envs.memory.tmaze import TMazeEnv
from envs.memory.tmaze_pixels import TMazePixelsEnv
from envs.vector import VECTOR_ENVS

NAMESPACE = "pomdp"
DEFAULT_LEVEL = "easy"
MemorylessBound = Literal["exact", "measured", "unknown"]


@dataclass(frozen=True)
class TaskInfo:
    """What a user needs to know about one registered id before training on it."""

    id: str
    """Gymnasium id, e.g. "pomdp/TMazeEasy-v0"."""
    task: str
    """Task family, e.g. "TMaze" or "CartPoleNoVel"."""
    level: str | None
    """"easy", "medium" or "hard" for the memory tasks, None for classic control."""
    observation_space: spaces.Space
    """What the agent sees (after masking)."""
    action_space: spaces.Space
    """What the agent does."""
    state_space: spaces.Space
    """Space of `env.unwrapped.get_state()` and `info["state"]`."""
    state_names: tuple[str, ...]
    """Names of the state entries, in order."""
    max_episode_steps: int
    """Episode horizon: Gymnasium's time limit for classic control, the task's own end for memory tasks."""
    optimal_return: float | None
    """Best expected return with memory; None where it is not known in closed form."""
    memoryless_return: float | None
    """Best expected return of a policy that sees only the current observation; None where unknown."""
    memoryless_bound: MemorylessBound
    """Whether `memoryless_return` is derived exactly, measured, or unknown."""
    remember: str
    """What has to be remembered."""
    entry_point: str = field(repr=False)
    """Gymnasium entry point."""
    kwargs: Mapping[str, Any] = field(repr=False)
    """Keyword arguments registered with the id."""
    vector_entry_point: str | None = field(default=None, repr=False)
    """Gymnasium vector entry point: the task's array implementation (`envs.vector`), None where there is none."""


# Memory task -> (env class, what must be remembered).
MEMORY_TASKS: dict[str, tuple[type, str]] = {
    "TMaze": (TMazeEnv, "the side the cue pointed to (1 bit), across the corridor"),
    "TMazePixels": (TMazePixelsEnv, "the cue colour seen at the start (1 bit), across the corridor, from images"),
    "RepeatPrevious": (RepeatPreviousEnv, "the last k symbols, in order"),
    "RepeatFirst": (RepeatFirstEnv, "the first symbol, through the distractors"),
    "CountRecall": (CountRecallEnv, "how often each symbol appeared in the stream"),
    "PointRecall": (PointRecallEnv, "the target position (a real number), through the delay"),
    "MaskedRecall": (MaskedRecallEnv, "the cue, to pick it among the valid actions (action_masks()) at the end"),
}

# Classic task -> (Gymnasium's time limit, optimal return or None, what must be remembered).
CLASSIC_TASKS: dict[str, tuple[int, float | None, str]] = {
    "CartPole": (500, 500.0, "cart and pole velocities, inferred from successive positions"),
    "Pendulum": (200, None, "angular velocity, inferred from successive angles"),
    "MountainCar": (200, None, "velocity, inferred from successive positions"),
    "MountainCarContinuous": (999, None, "velocity, inferred from successive positions"),
    "Acrobot": (500, None, "both joint velocities, inferred from successive angles"),
    "LunarLander": (1000, None, "linear and angular velocities, inferred from successive poses"),
}


def _entry_point(obj: Any) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _memory_infos() -> list[TaskInfo]:
    infos = []
    for task, (env_class, remember) in MEMORY_TASKS.items():
        ids = {f"{NAMESPACE}/{task}{level.capitalize()}-v0": level for level in LEVEL_NAMES}
        ids[f"{NAMESPACE}/{task}-v0"] = DEFAULT_LEVEL
        for env_id, level in ids.items():
            env = env_class(level=level)
            infos.append(
                TaskInfo(
                    id=env_id,
                    task=task,
                    level=level,
                    observation_space=env.observation_space,
                    action_space=env.action_space,
                    state_space=env.state_space,
                    state_names=env.state_names,
                    max_episode_steps=env.max_episode_steps,
                    optimal_return=env.optimal_return,
                    memoryless_return=env.memoryless_return,
                    memoryless_bound="exact",
                    remember=remember,
                    entry_point=_entry_point(env_class),
                    kwargs=MappingProxyType({"level": level}),
                    vector_entry_point=_entry_point(VECTOR_ENVS[task]) if task in VECTOR_ENVS else None,
                )
            )
    return infos


def _classic_infos() -> list[TaskInfo]:
    infos = []
    for task, (time_limit, optimal, remember) in CLASSIC_TASKS.items():
        if task == "LunarLander" and not has_box2d():
            continue
        env = make_no_velocity(task)
        full = env.unwrapped
        assert isinstance(full, FullStateMixin)  # every classic task records its full state
        infos.append(
            TaskInfo(
                id=f"{NAMESPACE}/{task}NoVel-v0",
                task=f"{task}NoVel",
                level=None,
                observation_space=env.observation_space,
                action_space=env.action_space,
                state_space=full.state_space,
                state_names=full.state_names,
                max_episode_steps=time_limit,
                optimal_return=optimal,
                memoryless_return=None,
                memoryless_bound="unknown",
                remember=remember,
                entry_point=_entry_point(make_no_velocity),
                kwargs=MappingProxyType({"task": task}),
            )
        )
        env.close()
    return infos


SUITE: Mapping[str, TaskInfo] = MappingProxyType({info.id: info for info in _classic_infos() + _memory_infos()})
"""Every registered id -> its `TaskInfo`, classic control first, then the memory tasks."""


def register_envs() -> None:
    """Register the ids of `SUITE` missing from Gymnasium's registry; `import envs` calls it, twice is harmless."""
    for info in SUITE.values():
        if info.id in gym.registry:
            continue
        gym.register(
            id=info.id,
            entry_point=info.entry_point,
            vector_entry_point=info.vector_entry_point,
            kwargs=dict(info.kwargs),
            max_episode_steps=info.max_episode_steps if info.level is None else None,
        )


register_envs()
