"""One training run from a ``TrainConfig`` into a run directory: periodic evaluation, checkpoints, resume, Ctrl-C.

``scripts/train.py`` and the benchmark's workers both call ``train``; ``agents.experiment.run_dir`` has the layout.

Example:
    >>> from agents.experiment.config import resolve_config
    >>> from agents.experiment.run_dir import create_run_dir
    >>> config = resolve_config("pomdp/TMaze-v0", overrides={"timesteps": 2048})
    >>> result = train(config, create_run_dir("runs/demo"))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.vec_env import VecEnv, sync_envs_normalization

from agents.experiment.builders import make_env, make_eval_env, make_model, model_class
from agents.experiment.config import TrainConfig
from agents.experiment.evaluation import evaluate
from agents.experiment.run_dir import (
    EVALUATIONS_FILE,
    MODEL_FILE,
    NORMALIZE_FILE,
    RESULTS_FILE,
    Checkpoint,
    InterruptFlag,
    atomic_write,
    save_checkpoint,
    write_config,
    write_text,
)

CSV_FIELDS = ("step", "train_time", "mean_return", "std_return", "mean_length", "success_rate", "episodes")


def next_multiple(step: int, freq: int) -> int | float:
    """The first multiple of ``freq`` after ``step``; never (inf) when ``freq`` is 0."""
    return (step // freq + 1) * freq if freq > 0 else float("inf")


class TrainResult(NamedTuple):
    """What a run ended with; ``final`` is the last evaluation's summary (None when interrupted)."""

    run_dir: Path
    steps: int
    train_time: float
    interrupted: bool
    final: dict[str, Any] | None


class Clock:
    """Training wall time, evaluations excluded, continued from the checkpoint on resume."""

    def __init__(self, offset: float = 0.0) -> None:
        self._start = time.perf_counter() - offset
        self._paused = 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self._start - self._paused

    @contextmanager
    def paused(self) -> Iterator[None]:
        begin = time.perf_counter()
        try:
            yield
        finally:
            self._paused += time.perf_counter() - begin


class Evaluations(BaseCallback):
    """Evaluates at the start and every ``eval_freq`` steps: a row in evaluations.csv and ``eval/*`` in TensorBoard."""

    def __init__(self, config: TrainConfig, eval_env: VecEnv, run_dir: Path, clock: Clock) -> None:
        super().__init__()
        self.config, self.eval_env, self.clock = config, eval_env, clock
        self.path = run_dir / EVALUATIONS_FILE
        self.next_eval: int | float = 0

    def _on_training_start(self) -> None:
        if self.num_timesteps == 0:
            self.run()
        self.next_eval = next_multiple(self.num_timesteps, self.config.eval_freq)

    def _on_step(self) -> bool:
        if self.next_eval <= self.num_timesteps < self.config.timesteps:
            self.run()
            self.next_eval = next_multiple(self.num_timesteps, self.config.eval_freq)
        return True

    def run(self) -> dict[str, Any]:
        """Evaluate now and record the result."""
        with self.clock.paused():
            sync_envs_normalization(self.model.get_env(), self.eval_env)
            summary = evaluate(self.model, self.eval_env, self.config.env, self.config.eval_episodes).summary()
        row = {"step": self.model.num_timesteps, "train_time": round(self.clock.elapsed(), 3), **summary}
        new = not self.path.exists()
        with self.path.open("a", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=CSV_FIELDS)
            if new:
                writer.writeheader()
            writer.writerow({key: row[key] for key in CSV_FIELDS})
        for key in ("mean_return", "std_return", "mean_length", "success_rate"):
            if summary[key] is not None:
                self.logger.record(f"eval/{key}", summary[key])
        self.logger.dump(self.model.num_timesteps)
        return row


class Checkpoints(BaseCallback):
    """Saves a checkpoint every ``checkpoint_freq`` steps."""

    def __init__(self, run_dir: Path, freq: int, clock: Clock) -> None:
        super().__init__()
        self.run_dir, self.freq, self.clock = run_dir, freq, clock
        self.next_save: int | float = 0

    def _on_training_start(self) -> None:
        self.next_save = next_multiple(self.num_timesteps, self.freq)

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.next_save:
            save_checkpoint(self.model, self.run_dir, self.clock.elapsed())
            self.next_save = next_multiple(self.num_timesteps, self.freq)
        return True


class StopOnSignal(BaseCallback):
    """Stops ``learn`` at the next step once Ctrl-C (SIGINT) or SIGTERM has been received."""

    def __init__(self, flag: InterruptFlag) -> None:
        super().__init__()
        self.flag = flag

    def _on_step(self) -> bool:
        return self.flag.signalled is None


def truncate_evaluations(run_dir: Path, step: int) -> None:
    """Drop evaluation rows after ``step``: a resumed run replays them from its checkpoint."""
    path = run_dir / EVALUATIONS_FILE
    if not path.exists():
        return
    with path.open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if int(row["step"]) <= step]

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=CSV_FIELDS)
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(path, write)


def _load_or_build(config: TrainConfig, run_dir: Path, resume: Checkpoint | None) -> BaseAlgorithm:
    env = make_env(config, normalize_stats=resume.normalize if resume else None)
    if resume is None:
        return make_model(config, env, tensorboard_log=run_dir)
    truncate_evaluations(run_dir, resume.step)
    model = model_class(config).load(resume.model, env=env, device=config.device, tensorboard_log=str(run_dir))
    return model


def train(
    config: TrainConfig, run_dir: Path, resume: Checkpoint | None = None, progress_bar: bool = False
) -> TrainResult:
    """Train ``config`` into ``run_dir`` (from ``resume`` when given) until ``config.timesteps`` or a signal."""
    torch.set_num_threads(config.threads)
    start_step = resume.step if resume else 0
    if start_step >= config.timesteps:
        raise ValueError(f"The run is already at step {start_step} >= timesteps={config.timesteps}: raise --timesteps")
    write_config(run_dir, config)
    model = _load_or_build(config, run_dir, resume)
    eval_env = make_eval_env(config)
    clock = Clock(resume.train_time if resume else 0.0)
    evaluations = Evaluations(config, eval_env, run_dir, clock)
    with InterruptFlag() as flag:
        callbacks = [evaluations, Checkpoints(run_dir, config.checkpoint_freq, clock), StopOnSignal(flag)]
        model.learn(
            config.timesteps - model.num_timesteps,
            callback=CallbackList(callbacks),
            tb_log_name="tb",
            reset_num_timesteps=resume is None,
            progress_bar=progress_bar,
        )
        train_time = clock.elapsed()
        save_checkpoint(model, run_dir, train_time)
        if flag.signalled is not None:
            return TrainResult(run_dir, model.num_timesteps, train_time, True, None)
    model.save(run_dir / MODEL_FILE)
    normalize = model.get_vec_normalize_env()
    if normalize is not None:
        normalize.save(str(run_dir / NORMALIZE_FILE))
    final = evaluations.run()
    results = {"env": config.env, "agent": config.agent, "seed": config.seed, **final}
    results["fps"] = final["step"] / max(final["train_time"], 1e-9)
    write_text(run_dir / RESULTS_FILE, json.dumps(results, indent=2))
    model.get_env().close()
    eval_env.close()
    return TrainResult(run_dir, model.num_timesteps, train_time, False, results)
