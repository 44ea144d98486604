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
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from stable_baselines3.common import callbacks as sb3_callbacks
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList, EvalCallback, ProgressBarCallback
from stable_baselines3.common.save_util import load_from_zip_file
from stable_baselines3.common.vec_env import VecEnv
from tqdm import TqdmExperimentalWarning

from agents.experiment.builders import make_env, make_eval_env, make_model, model_class
from agents.experiment.config import RunConfig
from agents.experiment.evaluation import (
    episode_outcomes,
    format_return,
    return_decimals,
    solved_threshold,
    with_action_masks,
)
from agents.experiment.model_card import write_model_card
from agents.experiment.run_dir import (
    BEST_MODEL_FILE,
    EVALUATION_FIELDS,
    EVALUATIONS_FILE,
    MODEL_FILE,
    MONITOR_SUFFIX,
    NORMALIZE_FILE,
    NPZ_FILE,
    RESULTS_FILE,
    Checkpoint,
    InterruptFlag,
    atomic_write,
    check_new_run_dir,
    check_resumable,
    init_run_dir,
    monitor_start_times,
    save_checkpoint,
    staging_dir,
    truncate_monitors,
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


class Evaluations(EvalCallback):
    """SB3's ``EvalCallback`` on this run's schedule: at the start, every ``eval_freq`` steps and at the end.

    SB3's part writes ``evaluations.npz`` and ``best_model.zip`` and logs ``eval/mean_reward``; on top of it each
    evaluation adds a row to evaluations.csv, ``eval/mean_return``, ``eval/std_return``, ``eval/mean_length`` and
    ``eval/success_rate`` to TensorBoard and, with ``echo``, one line of output (step, return ± std, success, fps).
    The schedule counts environment steps rather than callback calls, so it is the same for any ``n_envs`` and
    after a resume, which reloads the evaluations kept by ``truncate_evaluations``.
    """

    def __init__(
        self,
        config: RunConfig,
        eval_env: VecEnv,
        run_dir: Path,
        clock: Clock,
        echo: Callable[[str], None] | None = None,
        resume: Checkpoint | None = None,
    ) -> None:
        # eval_freq=1: EvalCallback evaluates whenever its _on_step runs, and ours calls it on schedule.
        super().__init__(
            eval_env,
            n_eval_episodes=config.eval_episodes,
            eval_freq=1,
            log_path=str(run_dir),
            best_model_save_path=str(run_dir),
            verbose=0,
            warn=False,
        )
        self.config, self.clock, self.echo = config, clock, echo
        self.path = run_dir / EVALUATIONS_FILE
        self.next_eval: int | float = 0
        self.decimals = return_decimals(config.env)
        self.previous = (resume.step, resume.train_time) if resume else None  # for the fps since then
        if resume is not None:
            self._reload(run_dir)

    def _init_callback(self) -> None:
        with warnings.catch_warnings():  # the eval envs are stepped in this process even when training's are not
            warnings.filterwarnings("ignore", message="Training and eval env are not of the same type")
            super()._init_callback()

    def _reload(self, run_dir: Path) -> None:
        """Continue evaluations.npz, and the best return so far when best_model.zip is one of the kept evaluations."""
        if not (run_dir / NPZ_FILE).is_file():
            return
        with np.load(run_dir / NPZ_FILE) as data:
            self.evaluations_timesteps = [int(step) for step in data["timesteps"]]
            self.evaluations_results = data["results"].tolist()
            self.evaluations_length = data["ep_lengths"].tolist()
        if (run_dir / BEST_MODEL_FILE).is_file() and self.evaluations_results:
            self.best_mean_reward = max(float(np.mean(returns)) for returns in self.evaluations_results)

    def _on_training_start(self) -> None:
        if self.num_timesteps == 0 and not self.evaluations_timesteps:  # a resume from step 0 has evaluated it
            self.evaluate()
        self.next_eval = next_multiple(self.num_timesteps, self.config.eval_freq)

    def _on_step(self) -> bool:
        if self.next_eval <= self.num_timesteps < self.config.timesteps:
            self.evaluate()
            self.next_eval = next_multiple(self.num_timesteps, self.config.eval_freq)
        return True

    def evaluate(self) -> dict[str, Any]:
        """Evaluate now (SB3's files, then ours) and return the evaluations.csv row."""
        self.num_timesteps = self.model.num_timesteps
        model = self.model
        self.model = with_action_masks(model, self.eval_env)  # type: ignore[assignment]  # the env's masks, if any
        try:
            with self.clock.paused():
                super()._on_step()
        finally:
            self.model = model
        returns = np.asarray(self.evaluations_results[-1], dtype=np.float64)
        summary = episode_outcomes(returns, np.asarray(self.evaluations_length[-1]), self.config.env).summary()
        row = {"step": self.num_timesteps, "train_time": round(self.clock.elapsed(), 3), **summary}
        new = not self.path.exists()
        with self.path.open("a", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=EVALUATION_FIELDS)
            if new:
                writer.writeheader()
            writer.writerow({key: row[key] for key in EVALUATION_FIELDS})
        for key in ("mean_return", "std_return", "mean_length", "success_rate"):
            if summary[key] is not None:
                self.logger.record(f"eval/{key}", summary[key])
        self.logger.dump(self.num_timesteps)
        if self.echo is not None:
            self.echo(self.line(row))
        self.previous = (row["step"], row["train_time"])
        return row

    def line(self, row: dict[str, Any]) -> str:
        """``eval  step 10,000/100,000  return 23.4 ± 5.1  success 0%  fps 1,234``: fps since the last evaluation."""
        fps = "-"
        if self.previous is not None and row["train_time"] > self.previous[1]:
            fps = f"{(row['step'] - self.previous[0]) / (row['train_time'] - self.previous[1]):,.0f}"
        success = "-" if row["success_rate"] is None else f"{row['success_rate']:.0%}"
        ret = format_return(row["mean_return"], row["std_return"], self.decimals)
        return f"eval  step {row['step']:,}/{self.config.timesteps:,}  return {ret}  success {success}  fps {fps}"


class ProgressBar(ProgressBarCallback):
    """SB3's progress bar, from the run's current step to ``total`` and never past it (the last rollout may end
    beyond the total); evaluation lines print above it."""

    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total

    def _on_training_start(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TqdmExperimentalWarning)  # tqdm.rich is "experimental", as SB3 says too
            self.pbar = sb3_callbacks.tqdm(total=self.total, initial=min(self.model.num_timesteps, self.total))

    def _on_step(self) -> bool:
        self.pbar.update(max(0, min(self.training_env.num_envs, self.total - self.pbar.n)))
        return True


class Checkpoints(BaseCallback):
    """Saves a checkpoint every ``checkpoint_freq`` steps.

    Ours rather than SB3's ``CheckpointCallback``: each file is written under a temporary name and renamed, with the
    VecNormalize statistics, training time and monitor sizes beside it, so ``--resume`` never reads half a file.
    """

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
    """Drop evaluations after ``step`` from evaluations.csv and evaluations.npz: a resumed run replays them from its
    checkpoint. best_model.zip goes too when it was saved after ``step`` (the next evaluation saves a new one)."""
    path = run_dir / EVALUATIONS_FILE
    if path.exists():
        with path.open(newline="") as file:
            rows = [row for row in csv.DictReader(file) if int(row["step"]) <= step]

        def write(tmp: Path) -> None:
            with tmp.open("w", newline="") as file:
                writer = csv.DictWriter(file, fieldnames=EVALUATION_FIELDS)
                writer.writeheader()
                writer.writerows(rows)

        atomic_write(path, write)
    best = run_dir / BEST_MODEL_FILE
    if best.is_file() and int(load_from_zip_file(best, device="cpu")[0]["num_timesteps"]) > step:
        best.unlink()
    npz = run_dir / NPZ_FILE
    if npz.is_file():
        with np.load(npz) as data:
            keep = data["timesteps"] <= step
            arrays = {key: data[key][keep] for key in data.files}

        def save(tmp: Path) -> None:
            with tmp.open("wb") as file:
                np.savez(file, **arrays)

        atomic_write(npz, save)


def first_reached(run_dir: Path, threshold: float | None) -> int | None:
    """The first evaluation step whose mean return reached ``threshold`` (None if none did, or no threshold)."""
    path = run_dir / EVALUATIONS_FILE
    if threshold is None or not path.is_file():
        return None
    with path.open(newline="") as file:
        steps = [int(row["step"]) for row in csv.DictReader(file) if float(row["mean_return"]) >= threshold]
    return steps[0] if steps else None


def _build(
    config: RunConfig, run_dir: Path, resume: Checkpoint | None, monitor_dir: Path | None = None
) -> BaseAlgorithm:
    """The env (its monitor files in ``monitor_dir``, else continued in ``run_dir``) and the model: a new one, or the
    checkpoint's with its optimizer state. TensorBoard logs go to ``run_dir`` either way."""
    monitor_dir = monitor_dir or run_dir
    env = make_env(
        config,
        normalize_stats=resume.normalize if resume else None,
        monitor_dir=monitor_dir,
        append_monitor=resume is not None and any(monitor_dir.glob(f"*{MONITOR_SUFFIX}")),
    )
    if resume is None:
        return make_model(config, env, tensorboard_log=run_dir)
    return model_class(config).load(resume.model, env=env, device=config.device, tensorboard_log=str(run_dir))


def _continue_files(run_dir: Path, model: BaseAlgorithm, resume: Checkpoint, config: RunConfig) -> None:
    """Cut evaluations and monitor files back to the checkpoint; the monitors keep their start time."""
    write_config(run_dir, config)
    truncate_evaluations(run_dir, resume.step)
    truncate_monitors(run_dir, resume)
    for rank, start in monitor_start_times(run_dir).items():
        if rank < model.get_env().num_envs:
            model.get_env().set_attr("t_start", start, indices=[rank])


def run_training(
    config: RunConfig,
    run_dir: Path,
    resume: Checkpoint | None = None,
    progress_bar: bool = False,
    echo: Callable[[str], None] | None = None,
    callbacks: Sequence[BaseCallback] = (),
) -> TrainResult:
    """Train ``config`` into ``run_dir`` (from ``resume`` when given) until ``config.timesteps`` or a signal.

    A Ctrl-C before training starts raises KeyboardInterrupt with nothing written; once training runs, it stops
    at the next step and saves a checkpoint (``TrainResult.interrupted``). ``echo`` receives a line per evaluation.
    ``callbacks`` run after the evaluation of each step (a tuner's pruning); one that stops training ends the run
    early, with its final evaluation.
    """
    torch.set_num_threads(config.threads)
    if resume is None:
        check_new_run_dir(run_dir)
    else:
        check_resumable(config, resume)
    with InterruptFlag() as flag:
        if resume is None:
            with staging_dir(run_dir) as stage:  # the run directory appears whole, monitor files already open
                model = _build(config, run_dir, None, stage)
                if flag.signalled is not None:
                    model.get_env().close()
                    raise KeyboardInterrupt
                init_run_dir(stage, config, model)
        else:
            model = _build(config, run_dir, resume)
            if flag.signalled is not None:
                model.get_env().close()
                raise KeyboardInterrupt
            _continue_files(run_dir, model, resume, config)
        return _learn(config, run_dir, model, resume, flag, progress_bar, echo, callbacks)


def _learn(
    config: RunConfig,
    run_dir: Path,
    model: BaseAlgorithm,
    resume: Checkpoint | None,
    flag: InterruptFlag,
    progress_bar: bool,
    echo: Callable[[str], None] | None,
    extra: Sequence[BaseCallback] = (),
) -> TrainResult:
    eval_env = make_eval_env(config)
    clock = Clock(resume.train_time if resume else 0.0)
    evaluations = Evaluations(config, eval_env, run_dir, clock, echo, resume)
    callbacks = [evaluations, Checkpoints(run_dir, config.checkpoint_freq, clock), StopOnSignal(flag), *extra]
    if progress_bar:
        callbacks.append(ProgressBar(config.timesteps))
    model.learn(
        config.timesteps - model.num_timesteps,
        callback=CallbackList(callbacks),
        tb_log_name="tb",
        reset_num_timesteps=resume is None,
    )
    train_time = clock.elapsed()
    save_checkpoint(model, run_dir, train_time)
    if flag.signalled is not None:
        return TrainResult(run_dir, model.num_timesteps, train_time, True, None)
    model.save(run_dir / MODEL_FILE)
    normalize = model.get_vec_normalize_env()
    if normalize is not None:
        normalize.save(str(run_dir / NORMALIZE_FILE))
    final = evaluations.evaluate()
    threshold = solved_threshold(config.env, config.threshold)
    results = {"env": config.env, "agent": config.agent, "seed": config.seed, **final}
    results["fps"] = final["step"] / max(final["train_time"], 1e-9)
    results["threshold"] = threshold
    results["threshold_step"] = first_reached(run_dir, threshold)
    write_text(run_dir / RESULTS_FILE, json.dumps(results, indent=2))
    write_model_card(run_dir, config, results)
    model.get_env().close()
    eval_env.close()
    return TrainResult(run_dir, model.num_timesteps, train_time, False, results)
