"""One training run from a ``RunConfig`` into a run directory: periodic evaluation, checkpoints, resume, Ctrl-C.

``scripts/train.py`` and the benchmark's workers both call ``run_training``; ``agents.experiment.run_dir`` has the
layout. The run directory is created only once the env and the model are built, with a step-0 checkpoint, so an
error or a Ctrl-C at any moment leaves nothing behind or a run that ``--resume`` continues.

Example:
    >>> from agents.experiment.config import resolve_config
    >>> config = resolve_config("pomdp/TMaze-v0", overrides={"timesteps": 2048})
    >>> result = run_training(config, Path("runs/demo"))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.vec_env import VecEnv, sync_envs_normalization

from agents.experiment.builders import make_env, make_eval_env, make_model, model_class
from agents.experiment.config import RunConfig
from agents.experiment.evaluation import evaluate_agent
from agents.experiment.run_dir import (
    EVALUATION_FIELDS,
    EVALUATIONS_FILE,
    MODEL_FILE,
    NORMALIZE_FILE,
    RESULTS_FILE,
    Checkpoint,
    InterruptFlag,
    atomic_write,
    check_new_run_dir,
    check_resumable,
    create_run_dir,
    save_checkpoint,
    write_config,
    write_text,
)


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

    def __init__(self, config: RunConfig, eval_env: VecEnv, run_dir: Path, clock: Clock) -> None:
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
            summary = evaluate_agent(self.model, self.eval_env, self.config.env, self.config.eval_episodes).summary()
        row = {"step": self.model.num_timesteps, "train_time": round(self.clock.elapsed(), 3), **summary}
        new = not self.path.exists()
        with self.path.open("a", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=EVALUATION_FIELDS)
            if new:
                writer.writeheader()
            writer.writerow({key: row[key] for key in EVALUATION_FIELDS})
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
            writer = csv.DictWriter(file, fieldnames=EVALUATION_FIELDS)
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(path, write)


def _build(config: RunConfig, run_dir: Path, resume: Checkpoint | None) -> BaseAlgorithm:
    """The env and the model: a new one, or the checkpoint's with its optimizer state; nothing is written."""
    env = make_env(config, normalize_stats=resume.normalize if resume else None)
    if resume is None:
        return make_model(config, env, tensorboard_log=run_dir)
    return model_class(config).load(resume.model, env=env, device=config.device, tensorboard_log=str(run_dir))


def run_training(
    config: RunConfig,
    run_dir: Path,
    resume: Checkpoint | None = None,
    progress_bar: bool = False,
    callbacks: Sequence[BaseCallback] = (),
) -> TrainResult:
    """Train ``config`` into ``run_dir`` (from ``resume`` when given) until ``config.timesteps`` or a signal.

    A Ctrl-C before training starts raises KeyboardInterrupt with nothing written; once training runs, it stops
    at the next step and saves a checkpoint (``TrainResult.interrupted``). ``callbacks`` run after the evaluation
    of each step (a tuner's pruning); one that stops training ends the run early, with its final evaluation.
    """
    torch.set_num_threads(config.threads)
    if resume is None:
        check_new_run_dir(run_dir)
    else:
        check_resumable(config, resume)
    with InterruptFlag() as flag:
        model = _build(config, run_dir, resume)
        if flag.signalled is not None:
            model.get_env().close()
            raise KeyboardInterrupt
        if resume is None:
            create_run_dir(run_dir, config, model)
        else:
            write_config(run_dir, config)
            truncate_evaluations(run_dir, resume.step)
        return _learn(config, run_dir, model, resume, flag, progress_bar, callbacks)


def _learn(
    config: RunConfig,
    run_dir: Path,
    model: BaseAlgorithm,
    resume: Checkpoint | None,
    flag: InterruptFlag,
    progress_bar: bool,
    extra: Sequence[BaseCallback] = (),
) -> TrainResult:
    eval_env = make_eval_env(config)
    clock = Clock(resume.train_time if resume else 0.0)
    evaluations = Evaluations(config, eval_env, run_dir, clock)
    callbacks = [evaluations, Checkpoints(run_dir, config.checkpoint_freq, clock), StopOnSignal(flag), *extra]
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
