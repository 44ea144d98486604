"""An SB3 `VecEnv` over any Gymnasium `VectorEnv` with same-step autoreset, and the builder of the suite's array envs.

`GymnasiumVecEnv` gives SB3 what `DummyVecEnv` of single envs gives it: after an episode ends, the observation is the
next episode's first and `infos[i]` holds `terminal_observation` and `TimeLimit.truncated`; rewards are float32,
dones bool. The per-step cost is one call of the vector env plus a list of N empty dicts: only the envs that finished
get entries (no per-env dict copies). Wrap it in SB3's `VecMonitor` for `episode` infos and a monitor file
(`make_vector_vec_env` does), and wrap the evaluation env the same way, since `sync_envs_normalization` walks the
training and the evaluation wrapper chains side by side.

Example:
    >>> import envs
    >>> venv = make_vector_vec_env("pomdp/RepeatPrevious-v0", n_envs=256, seed=0)
    >>> venv.reset().shape
    (256, 3)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import load_env_creator
from gymnasium.vector import AutoresetMode, VectorEnv
from stable_baselines3.common.monitor import ResultsWriter
from stable_baselines3.common.vec_env import VecEnv, VecMonitor
from stable_baselines3.common.vec_env.base_vec_env import VecEnvIndices, VecEnvObs, VecEnvStepReturn


def has_vector_entry_point(env_id: str) -> bool:
    """Whether `env_id` has a `vector_entry_point` that autoresets in the same step, as `GymnasiumVecEnv` needs.

    Gymnasium's own `CartPole-v1` has one that resets on the next step, so it does not count.
    """
    entry_point = gym.spec(env_id).vector_entry_point
    if entry_point is None:
        return False
    creator = load_env_creator(entry_point) if isinstance(entry_point, str) else entry_point
    return getattr(creator, "metadata", {}).get("autoreset_mode") == AutoresetMode.SAME_STEP


class GymnasiumVecEnv(VecEnv):
    """SB3's `VecEnv` interface on a Gymnasium `VectorEnv` whose `metadata["autoreset_mode"]` is `SAME_STEP`.

    Args:
        env: the vector env; `seed(s)` then `reset()` resets its env i with seed s + i.
        info_keys: keys of the vector env's infos (such as "state") copied into every env's info dict at each step;
            each costs a per-env dict write, so the default copies none.

    Methods of the vector env called through `env_method` run once for all envs: a result that is an array with
    one row per env is split into its rows (`env_method("get_state")`), any other result is given to every env.
    Attributes (`get_attr`) are the vector env's, the same for every env.
    """

    def __init__(self, env: VectorEnv, info_keys: Sequence[str] = ()) -> None:
        mode = env.metadata.get("autoreset_mode")
        if mode != AutoresetMode.SAME_STEP:
            raise ValueError(f"env must autoreset in the same step (AutoresetMode.SAME_STEP), got {mode!r}")
        self.env = env
        self.info_keys = tuple(info_keys)
        self._actions: np.ndarray | None = None
        super().__init__(env.num_envs, env.single_observation_space, env.single_action_space)

    def _reset_seed(self) -> int | list[int | None] | None:
        seeds = self._seeds
        if all(s is None for s in seeds):
            return None
        first = seeds[0]
        if first is not None and seeds == [first + i for i in range(self.num_envs)]:
            return int(first)
        return list(seeds)

    def reset(self) -> VecEnvObs:
        options = self._options[0] or None
        seed: Any = self._reset_seed()  # VectorEnv.reset is typed int | None, its implementations take lists too
        obs, _ = self.env.reset(seed=seed, options=options)
        self.reset_infos = [{} for _ in range(self.num_envs)]
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        obs, rewards, terminated, truncated, info = self.env.step(self._actions)
        dones = np.asarray(terminated | truncated, dtype=bool)
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        for key in self.info_keys:
            for i, value in enumerate(info[key]):
                infos[i][key] = value
        ended = np.flatnonzero(dones).tolist()
        if ended:
            final_obs = info["final_obs"]
            for i in ended:  # only the envs that finished
                infos[i]["terminal_observation"] = final_obs[i]
                infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
        return obs, np.asarray(rewards, dtype=np.float32), dones, infos

    def close(self) -> None:
        self.env.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        images = self.env.render()
        return [None] * self.num_envs if images is None else list(images)  # type: ignore[arg-type]

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        value = getattr(self.env, attr_name)
        return [value for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        setattr(self.env, attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **kwargs: Any) -> list:
        result = getattr(self.env, method_name)(*method_args, **kwargs)
        rows = list(self._get_indices(indices))
        if isinstance(result, np.ndarray) and result.ndim >= 1 and len(result) == self.num_envs:
            return [result[i] for i in rows]
        return [result for _ in rows]

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]  # array envs carry no per-env Gymnasium wrappers

    def _get_indices(self, indices: VecEnvIndices) -> Iterable[int]:
        if indices is None:
            return range(self.num_envs)
        return [indices] if isinstance(indices, int) else indices


def make_vector_vec_env(
    env_id: str,
    n_envs: int,
    seed: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    monitor_path: str | None = None,
    append_monitor: bool = False,
) -> VecMonitor:
    """The array implementation of `env_id` with `n_envs` envs as an SB3 `VecEnv`, inside SB3's `VecMonitor`.

    Like `stable_baselines3.common.env_util.make_vec_env` with the envs seeded `seed + i`; `monitor_path` is
    `VecMonitor`'s `filename` (one monitor file for all envs), continued with `append_monitor` as SB3's `Monitor`
    does with `override_existing=False` (which `VecMonitor` does not take), from the file's own start time.
    """
    env = gym.make_vec(env_id, num_envs=n_envs, vectorization_mode="vector_entry_point", **(env_kwargs or {}))
    venv = GymnasiumVecEnv(env)
    if seed is not None:
        venv.seed(seed)
    if not (append_monitor and monitor_path and os.path.isfile(monitor_path)):
        return VecMonitor(venv, filename=monitor_path)
    monitor = VecMonitor(venv)
    with open(monitor_path) as file:
        header = json.loads(file.readline().removeprefix("#"))
    monitor.t_start = float(header["t_start"])
    monitor.results_writer = ResultsWriter(monitor_path, header=header, override_existing=False)
    return monitor
