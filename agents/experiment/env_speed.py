"""Environment throughput: steps per second of the array envs against `DummyVecEnv`, and end-to-end training fps.

Contestants alternate within one invocation and each figure is a median over `repeats` timings, so that drift in a
shared machine's speed hits all of them alike. Three ways to step N envs of a task are timed:

- `vector`: the array implementation through Gymnasium's `VectorEnv.step` (what `make_vec` returns);
- `vecenv`: the same inside SB3's interface (`GymnasiumVecEnv` + `VecMonitor`), as training sees it;
- `dummy`: SB3's `DummyVecEnv` of N single envs with `Monitor` (`make_vec_env`).

Example:
    >>> rows = env_speed(["pomdp/TMaze-v0"], [64], repeats=1, min_time=0.05)  # doctest: +SKIP
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from PIL import Image
from stable_baselines3.common.env_util import make_vec_env

from agents.experiment.builders import make_env, make_model
from agents.experiment.config import resolve_config
from envs.vector.sb3 import make_vector_vec_env

ENV_KINDS = ("vector", "vecenv", "dummy")
N_ACTION_BATCHES = 16  # actions are drawn before timing and cycled


def _stepper(kind: str, env_id: str, n_envs: int) -> Callable[[int], None]:
    """A function that makes `steps` vector steps of `n_envs` envs of `env_id` the `kind` way."""
    if kind == "vector":
        env: Any = gym.make_vec(env_id, num_envs=n_envs, vectorization_mode="vector_entry_point")
        env.reset(seed=0)
        space, step = env.action_space, env.step
    else:
        env = make_vector_vec_env(env_id, n_envs, seed=0) if kind == "vecenv" else make_vec_env(env_id, n_envs, seed=0)
        env.reset()
        space, step = gym.vector.utils.batch_space(env.action_space, n_envs), env.step
    space.seed(0)
    actions = [np.asarray(space.sample()) for _ in range(N_ACTION_BATCHES)]

    def run(steps: int) -> None:
        for t in range(steps):
            step(actions[t % N_ACTION_BATCHES])

    return run


def _rate(run: Callable[[int], None], n_envs: int, min_time: float) -> float:
    """Env steps per second of `run`, timed over as many vector steps as fill `min_time` seconds."""
    steps = 1
    while True:
        begin = time.perf_counter()
        run(steps)
        elapsed = time.perf_counter() - begin
        if elapsed >= min_time:
            return steps * n_envs / elapsed
        steps = max(steps + 1, int(steps * min_time / max(elapsed, 1e-6) * 1.2))


def env_speed(
    env_ids: Sequence[str],
    n_envs: Sequence[int],
    kinds: Sequence[str] = ENV_KINDS,
    repeats: int = 3,
    min_time: float = 0.2,
) -> list[dict[str, Any]]:
    """Median env steps per second of each kind for every task and env count: one row per (task, N)."""
    rows = []
    for env_id in env_ids:
        for n in n_envs:
            runs = {kind: _stepper(kind, env_id, n) for kind in kinds}
            timings: dict[str, list[float]] = {kind: [] for kind in kinds}
            for _ in range(repeats):
                for kind, run in runs.items():  # alternating
                    timings[kind].append(_rate(run, n, min_time))
            rows.append({"env": env_id, "n_envs": n, **{k: statistics.median(v) for k, v in timings.items()}})
    return rows


TRAIN_AGENTS: dict[str, dict[str, Any]] = {
    "ours_gru": {"algo": "ppo", "policy": "MlpGruPolicy"},
    "sb3c_lstm": {"algo": "sb3c", "policy": "MlpLstmPolicy"},
}
"""End-to-end contestants: our RecurrentPPO with a GRU, sb3-contrib's RecurrentPPO (LSTM), on the same VecEnv."""


def training_fps(env_id: str, n_envs: int, agent: str, rollouts: int, overrides: dict[str, Any]) -> float:
    """Env steps per second of `rollouts` rollouts and updates of `agent` on `n_envs` array envs of `env_id`."""
    config = resolve_config(env_id, overrides={**overrides, **TRAIN_AGENTS[agent], "n_envs": n_envs})
    model = make_model(config, make_env(config))
    steps = rollouts * n_envs * config.hyperparams.n_steps
    begin = time.perf_counter()
    model.learn(steps)
    return steps / (time.perf_counter() - begin)


def training_speed(
    env_id: str,
    n_envs: Sequence[int],
    agents: Sequence[str],
    overrides: dict[str, Any],
    rollouts: int = 2,
    repeats: int = 1,
) -> list[dict[str, Any]]:
    """Median end-to-end training fps of each agent at each env count: one row per N."""
    rows = []
    for n in n_envs:
        timings: dict[str, list[float]] = {agent: [] for agent in agents}
        for _ in range(repeats):
            for agent in agents:  # alternating
                timings[agent].append(training_fps(env_id, n, agent, rollouts, overrides))
        rows.append({"env": env_id, "n_envs": n, **{a: statistics.median(v) for a, v in timings.items()}})
    return rows


def markdown_table(rows: list[dict[str, Any]], columns: Sequence[str], ratio: tuple[str, str] | None = None) -> str:
    """Rows as a markdown table of rounded rates, with the ratio of two columns last when `ratio` is given."""
    head = ["env", "N", *columns] + ([f"{ratio[0]} / {ratio[1]}"] if ratio else [])
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        cells = [row["env"], str(row["n_envs"]), *(f"{row[c]:,.0f}" for c in columns)]
        if ratio:
            cells.append(f"{row[ratio[0]] / row[ratio[1]]:.1f}x")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_rates(rows: list[dict[str, Any]], columns: Sequence[str], path: str, title: str) -> None:
    """Rate against N on log-log axes, one line per (env, column); written to `path` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=80)
    styles = {"vector": "-", "vecenv": ":", "dummy": "--"}  # colour = task, line = way of stepping
    for colour, env_id in enumerate(dict.fromkeys(row["env"] for row in rows)):
        mine = [row for row in rows if row["env"] == env_id]
        for column in columns:
            label = f"{env_id.split('/')[-1]} {column}"
            x, y = [r["n_envs"] for r in mine], [r[column] for r in mine]
            ax.plot(x, y, styles.get(column, "-"), color=f"C{colour}", marker="o", markersize=3, label=label)
    ax.set(xscale="log", yscale="log", xlabel="envs N", ylabel="steps per second", title=title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    buffer.seek(0)
    Image.open(buffer).convert("RGB").quantize(64).save(path, optimize=True)  # a palette PNG: a few tens of KB
