"""Probe what a trained recurrent agent remembers: read the env's hidden state from the agent's frozen memory.

Plays episodes with a saved agent, labels every step with the env's true state (``get_state()``), and trains a
linear head on the agent's own features extractor and actor core, frozen (``from_policy``). The control is the same
frozen head with the memory cut: it sees only the current observation (a sequence of length 1). A discrete target
(the T-maze cue) is read at the last step of each episode, where the agent turns; a continuous one (the hidden
velocities of a masked CartPole) at every step, scored by R².

    python scripts/train.py --env pomdp/TMaze-v0 --cell gru --run-dir runs/tmaze_gru
    python scripts/probe.py runs/tmaze_gru                       # target: the cue
    python scripts/probe.py runs/cartpole_gru --episodes 40      # targets: x_dot, theta_dot
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np
import torch
from gymnasium import spaces

import envs
from agents.experiment.builders import make_env
from agents.experiment.run_dir import load_model
from agents.sequence import RecurrentClassifier, RecurrentRegressor
from agents.sequence.baselines import MajorityClassifier
from envs.datasets import Trajectories, collect_trajectories

DEFAULT_TARGETS: dict[str, tuple[str, ...]] = {"TMaze": ("cue",)}
PROBE_SETTINGS = {"seed": 0, "log_dir": None}


@dataclass(frozen=True)
class ProbeConfig:
    """Which agent to probe, for what, on how much data."""

    path: str
    """A run directory or model file (see ``agents.experiment.run_dir.load_model``)."""
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
    threads: int = 1
    """torch CPU threads."""


def parse_args() -> ProbeConfig:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="run directory or model file")
    parser.add_argument("--env", default=None, help="env id, for a model file outside a run directory")
    parser.add_argument("--targets", nargs="+", default=[])
    parser.add_argument("--episodes", type=int, default=ProbeConfig.episodes)
    parser.add_argument("--test-fraction", type=float, default=ProbeConfig.test_fraction)
    parser.add_argument("--seed", type=int, default=ProbeConfig.seed)
    parser.add_argument("--threads", type=int, default=ProbeConfig.threads)
    args = parser.parse_args()
    return ProbeConfig(
        args.path, args.env, tuple(args.targets), args.episodes, args.test_fraction, args.seed, args.threads
    )


def default_targets(task: str, state_names: tuple[str, ...]) -> tuple[str, ...]:
    """The cue for the T-maze; the hidden velocities for a NoVel task."""
    if task in DEFAULT_TARGETS:
        return DEFAULT_TARGETS[task]
    hidden = tuple(name for name in state_names if name.endswith("_dot") or "velocity" in name)
    if not hidden:
        raise ValueError(f"No default probe target for {task!r}: pass --targets from {state_names}")
    return hidden


def classification_rows(model: object, data: Trajectories, index: int, n_train: int) -> list[tuple[str, float]]:
    """Accuracy of reading state entry ``index`` at each episode's last step, with and without memory."""
    y = np.array([states[-1, index] for states in data.states])
    whole, last = data.observations, [obs[-1:] for obs in data.observations]
    rows = []
    for name, X in (("agent's memory (observations so far)", whole), ("memory cut (current observation)", last)):
        probe = RecurrentClassifier.from_policy(model, **PROBE_SETTINGS).fit(X[:n_train], y[:n_train])
        rows.append((name, probe.score(X[n_train:], y[n_train:])))
    majority = MajorityClassifier().fit(whole[:n_train], y[:n_train])
    return [*rows, ("majority class", majority.score(whole[n_train:], y[n_train:]))]


def regression_rows(model: object, data: Trajectories, indices: list[int], n_train: int) -> list[tuple[str, float]]:
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


def main(config: ProbeConfig) -> str:
    torch.set_num_threads(config.threads)
    loaded = load_model(config.path, config.env)
    info = envs.SUITE[loaded.config.env]
    targets = config.targets or default_targets(info.task, info.state_names)
    unknown = sorted(set(targets) - set(info.state_names))
    if unknown:
        raise ValueError(f"Unknown targets {unknown}: {loaded.config.env} has state entries {info.state_names}")
    env = make_env(loaded.config, n_envs=1, seed=config.seed, normalize_stats=loaded.normalize, training=False)
    data = collect_trajectories(loaded.model, env, config.episodes)
    n_train = round(config.episodes * (1 - config.test_fraction))
    if not 1 <= n_train < config.episodes:
        raise ValueError(
            f"--episodes {config.episodes} with --test-fraction {config.test_fraction} leaves no episode to "
            f"{'train' if n_train < 1 else 'test'} the probes on"
        )
    indices = [info.state_names.index(name) for name in targets]
    discrete = isinstance(info.state_space, (spaces.Discrete, spaces.MultiDiscrete))
    if discrete and len(indices) != 1:
        raise ValueError(f"Discrete targets are probed one at a time, got {targets}")
    rows = (classification_rows if discrete else regression_rows)(
        loaded.model, data, indices[0] if discrete else indices, n_train
    )
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


if __name__ == "__main__":
    try:
        print(main(parse_args()))
    except (ValueError, FileNotFoundError) as error:
        print(f"probe.py: error: {error}", file=sys.stderr)
        sys.exit(2)
