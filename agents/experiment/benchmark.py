"""A benchmark matrix of tasks x agents x seeds, run in worker processes or on a Ray cluster, resumable.

Every job trains one agent with its task's preset (so all agents of a task share the hyperparameters) into
``<out>/runs/<env>/<agent>_s<seed>/``. A job that has ``results.json`` is done and skipped on the next call; one
that was cut off continues from its latest checkpoint. ``agents.bench_report`` turns the runs into CSV, table and
plots.

Example:
    >>> jobs = plan(["pomdp/TMaze-v0"], ["ppo_gru", "ppo_mlp"], seeds=[0], out=Path("results/quick"))
    >>> [job.name for job in jobs]
    ['pomdp/TMaze-v0 ppo_gru s0', 'pomdp/TMaze-v0 ppo_mlp s0']
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.experiment.config import AGENTS, RunConfig, resolve_config
from agents.experiment.executors import Executor, LocalExecutor, imap_unordered
from agents.experiment.run_dir import (
    CONFIG_FILE,
    RESULTS_FILE,
    find_resume,
    list_checkpoints,
    read_config,
)
from agents.experiment.training import run_training

DEFAULT_TASKS = ("pomdp/CartPoleNoVel-v0", "pomdp/TMaze-v0", "pomdp/RepeatPrevious-v0")
DEFAULT_AGENTS = tuple(AGENTS)
# Rough relative cost per step, to start the slowest jobs first so that workers finish together.
AGENT_COST = {"sb3c_lstm": 4.0, "ppo_lstm": 2.0, "ppo_gru": 2.0, "ppo_rnn": 1.5, "ppo_framestack": 1.0, "ppo_mlp": 1.0}
FIXED_KEYS = ("threads", "device", "vec_env")  # may differ between invocations without invalidating a run


@dataclass(frozen=True)
class Job:
    """One training run of the matrix."""

    env: str
    """Task id."""
    agent: str
    """Agent name, a key of ``agents.config.AGENTS``."""
    seed: int
    """Seed of model and envs."""
    out: Path
    """Output folder of the benchmark."""
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """Config overrides applied on top of the task preset (e.g. timesteps)."""

    @property
    def name(self) -> str:
        return f"{self.env} {self.agent} s{self.seed}"

    @property
    def run_dir(self) -> Path:
        return self.out / "runs" / self.env / f"{self.agent}_s{self.seed}"

    def config(self) -> RunConfig:
        """The task preset, this job's agent and seed, then the overrides; one torch thread per worker."""
        algo, policy, frame_stack = AGENTS[self.agent]
        values = {"algo": algo, "policy": policy, "frame_stack": frame_stack, "seed": self.seed, "threads": 1}
        return resolve_config(self.env, overrides={**values, **self.overrides})


def plan(
    envs: list[str],
    agents: list[str],
    seeds: list[int],
    out: Path,
    overrides: Mapping[str, Any] | None = None,
) -> list[Job]:
    """The jobs of the matrix, in task, agent, seed order; every config is checked here, before any run starts."""
    unknown = [agent for agent in agents if agent not in AGENTS]
    if unknown:
        raise ValueError(f"Unknown agent(s) {unknown}: expected some of {', '.join(AGENTS)}")
    jobs = [Job(env, agent, seed, out, dict(overrides or {})) for env in envs for agent in agents for seed in seeds]
    for job in jobs:
        job.config()
    return jobs


def plan_matrix(
    tasks: list[str],
    agents: list[str],
    seeds: list[int],
    out: Path,
    overrides: Mapping[str, Any] | None = None,
    timesteps: int | None = None,
    scale: float = 1.0,
) -> list[Job]:
    """The matrix with each task's budget: ``timesteps`` for all, or each preset's scaled by ``scale``."""
    jobs = []
    for env in tasks:
        task_overrides: dict[str, Any] = dict(overrides or {})
        if timesteps is not None:
            task_overrides["timesteps"] = timesteps
        elif scale != 1.0:
            preset = resolve_config(env, overrides=overrides)
            task_overrides["timesteps"] = max(1, round(preset.timesteps * scale))
            task_overrides.setdefault("eval_freq", max(1, round(preset.eval_freq * scale)))
        jobs += plan([env], agents, seeds, out, task_overrides)
    return jobs


def job_state(job: Job) -> str:
    """ "done", "partial" (checkpoints to resume from), or "new"; raises if the folder holds another config."""
    if not (job.run_dir / CONFIG_FILE).is_file():
        return "new"
    saved, wanted = read_config(job.run_dir), job.config()
    if any(getattr(saved, key) != getattr(wanted, key) for key in vars(wanted) if key not in FIXED_KEYS):
        raise ValueError(
            f"{job.run_dir} was run with another config than {job.name} now has (changed preset, --timesteps or "
            "--set?): choose another --out, or delete that run"
        )
    if (job.run_dir / RESULTS_FILE).is_file():
        return "done"
    return "partial" if list_checkpoints(job.run_dir) else "new"


def run_job(job: Job) -> tuple[Job, dict[str, Any] | None]:
    """Train one job to the end (resuming it if it was cut off); returns its results.json content, or None when a
    signal stopped it (it saved a checkpoint to continue from)."""
    state = job_state(job)
    if state == "done":
        return job, json.loads((job.run_dir / RESULTS_FILE).read_text())
    if state == "partial":
        # A run stopped after its last checkpoint but before results.json (a killed worker) redoes its last stretch.
        last = [c for c in list_checkpoints(job.run_dir) if c.step < job.config().timesteps][-1]  # step 0 at least
        _, _, checkpoint = find_resume(last.model)
        result = run_training(job.config(), job.run_dir, checkpoint)
    else:
        shutil.rmtree(job.run_dir, ignore_errors=True)  # a run folder left without any checkpoint
        result = run_training(job.config(), job.run_dir)
    return job, result.final


def cost(job: Job) -> float:
    return AGENT_COST.get(job.agent, 1.0) * job.config().timesteps


def run_matrix(
    jobs: list[Job], workers: int, executor: Executor | None = None
) -> Iterator[tuple[Job, dict[str, Any] | None]]:
    """Run the jobs costliest first, ``workers`` local processes at a time or on ``executor`` (e.g. a Ray cluster);
    yields (job, results or None if interrupted) as they finish."""
    todo = sorted(jobs, key=cost, reverse=True)
    own = executor is None
    executor = executor or LocalExecutor(workers)
    try:
        yield from imap_unordered(executor, run_job, todo)
    finally:
        if own:
            executor.close()
