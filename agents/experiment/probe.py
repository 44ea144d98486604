"""Probe what a trained recurrent agent remembers: read the env's hidden state from the agent's frozen memory.

Plays episodes with a saved agent, labels every step with the env's true state (``get_state()``), and trains a
linear head on the agent's own features extractor and actor core, frozen (``from_policy``). The control is the same
frozen head with the memory cut: it sees only the current observation (a sequence of length 1). A discrete target
(the T-maze cue) is read at the last step of each episode, where the agent turns; a continuous one (the hidden
velocities of a masked CartPole) at every step, scored by R².

Example:
    >>> print(run_probe(ProbeConfig("runs/tmaze_gru", episodes=200)))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces

import envs
from agents.experiment.builders import make_env
from agents.experiment.run_dir import load_model
from agents.sequence import RecurrentClassifier, RecurrentRegressor
from agents.sequence.baselines import MajorityClassifier
from envs.datasets import Trajectories, collect_trajectories

DEFAULT_TARGETS: dict[str, tuple[str, ...]] = {"TMaze": ("cue",)}
PROBE_SETTINGS = {"random_state": 0, "log_dir": None}  # the probes themselves: fixed, no logs


@dataclass(frozen=True)
class ProbeConfig:
    """Which agent to probe, for what, on how much data."""

    path: str
    """A run directory or model file (see :func:`agents.experiment.run_dir.load_model`)."""
    env: str | None = None
    """The env id, needed only for a model file outside a run directory."""
    targets: tuple[str, ...] = ()
    """State entries to read (default: the T-maze cue, or the velocities a NoVel task hides)."""
    episodes: int = 200
    """Episodes played by the agent (deterministically) to train and test the probes."""
    test_fraction: float = 0.5
    """Share of the episodes held out for scoring."""
    seed: int = 1000
    """Seed of the envs the episodes are played in (apart from the training seeds)."""
    device: str = "cpu"
    """Torch device of the agent and the probes."""


def default_targets(task: str, state_names: tuple[str, ...]) -> tuple[str, ...]:
    """The cue for the T-maze; the hidden velocities for a NoVel task."""
    if task in DEFAULT_TARGETS:
        return DEFAULT_TARGETS[task]
    hidden = tuple(name for name in state_names if name.endswith("_dot") or "velocity" in name)
    if not hidden:
        raise ValueError(f"No default probe target for {task!r}: pass --targets from {state_names}")
    return hidden


def classification_rows(model: Any, data: Trajectories, index: int, n_train: int) -> list[tuple[str, float]]:
    """Accuracy of reading state entry ``index`` at each episode's last step, with and without memory."""
    y = np.array([states[-1, index] for states in data.states])
    whole, last = data.observations, [obs[-1:] for obs in data.observations]
    rows = []
    for name, X in (("agent's memory (observations so far)", whole), ("memory cut (current observation)", last)):
        probe = RecurrentClassifier.from_policy(model, **PROBE_SETTINGS).fit(X[:n_train], y[:n_train])
        rows.append((name, probe.score(X[n_train:], y[n_train:])))
    majority = MajorityClassifier().fit(whole[:n_train], y[:n_train])
    return [*rows, ("majority class", majority.score(whole[n_train:], y[n_train:]))]


def regression_rows(model: Any, data: Trajectories, indices: list[int], n_train: int) -> list[tuple[str, float]]:
    """R² of reading state entries ``indices`` at every step, with and without memory."""
    y = [states[:, indices].astype(np.float32) for states in data.states]
    memory = RecurrentRegressor.from_policy(model, per_step=True, **PROBE_SETTINGS).fit(
        data.observations[:n_train], y[:n_train]
    )
    steps = np.concatenate(data.observations)[:, None]  # every step alone: (N, 1, *obs_shape)
    targets, split = np.concatenate(y), sum(len(obs) for obs in data.observations[:n_train])
    cut = RecurrentRegressor.from_policy(model, **PROBE_SETTINGS).fit(steps[:split], targets[:split])
    return [
        ("agent's memory (observations so far)", memory.score(data.observations[n_train:], y[n_train:])),
        ("memory cut (current observation)", cut.score(steps[split:], targets[split:])),
        ("predicting the mean", 0.0),
    ]


def run_probe(config: ProbeConfig) -> str:
    """Play the episodes, fit the probes and return the markdown table; every input is checked first."""
    if not 0.0 < config.test_fraction < 1.0:
        raise ValueError(f"--test-fraction must be in (0, 1), got {config.test_fraction}")
    n_train = round(config.episodes * (1 - config.test_fraction))
    if not 1 <= n_train < config.episodes:
        raise ValueError(
            f"--episodes {config.episodes} with --test-fraction {config.test_fraction} leaves no episode to "
            f"{'train' if n_train < 1 else 'test'} the probes on"
        )
    loaded = load_model(config.path, config.env, config.device)
    info = envs.SUITE[loaded.config.env]
    targets = config.targets or default_targets(info.task, info.state_names)
    unknown = sorted(set(targets) - set(info.state_names))
    if unknown:
        raise ValueError(f"Unknown targets {unknown}: {loaded.config.env} has state entries {info.state_names}")
    indices = [info.state_names.index(name) for name in targets]
    discrete = isinstance(info.state_space, (spaces.Discrete, spaces.MultiDiscrete))
    if discrete and len(indices) != 1:
        raise ValueError(f"Discrete targets are probed one at a time, got {targets}")
    env = make_env(loaded.config, n_envs=1, seed=config.seed, normalize_stats=loaded.normalize, training=False)
    data = collect_trajectories(loaded.model, env, config.episodes)
    if discrete:
        rows = classification_rows(loaded.model, data, indices[0], n_train)
    else:
        rows = regression_rows(loaded.model, data, indices, n_train)
    metric = "test accuracy" if discrete else "test R²"
    lines = [
        f"{loaded.config.env}, {loaded.config.policy}: {config.episodes} episodes",
        f"(mean return {data.returns.mean():.3f}), {n_train} to train the probes, {config.episodes - n_train} to test;",
        f"target {', '.join(targets)}",
        "",
        f"| linear probe on the frozen agent | {metric} |",
        "| --- | --- |",
    ]
    return "\n".join(lines + [f"| {name} | {score:.3f} |" for name, score in rows])
