"""Executors: the local pool and Ray run the same runs with the same results; a killed Ray worker's run is retried
and resumes from its checkpoint. Ray runs on one local cluster of 2 CPUs, started once."""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from agents.experiment.benchmark import Job, plan, run_job, run_matrix
from agents.experiment.executors import LocalExecutor, RayExecutor, imap_unordered
from agents.experiment.run_dir import EVALUATIONS_FILE, RESULTS_FILE, list_checkpoints

TINY = {"n_envs": 2, "n_steps": 32, "batch_size": 32, "n_epochs": 1, "hidden_size": 8, "net_arch": [8]}
RUN = {**TINY, "timesteps": 256, "eval_freq": 128, "eval_episodes": 4}


@pytest.fixture(scope="session")
def ray_executor():
    """A local Ray cluster of 2 CPUs, started once and shut down at the end."""
    executor = RayExecutor(workers=2)
    yield executor
    executor.close()


def _square(x: int) -> int:
    return x * x


def test_local_executor_reads_items_lazily_and_returns_every_result():
    seen: list[int] = []

    def items():
        for i in range(5):
            seen.append(i)
            yield i

    with LocalExecutor(workers=1) as executor:
        results = imap_unordered(executor, _square, items())
        assert next(results) == 0
        assert seen == [0]  # one slot: the next item is read only once a result is back
        assert sorted(results) == [1, 4, 9, 16]
    with LocalExecutor(workers=2) as executor:
        assert sorted(imap_unordered(executor, _square, range(6))) == [0, 1, 4, 9, 16, 25]
    with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
        LocalExecutor(workers=0)


def _curves(jobs: list[Job]) -> dict[str, list[tuple[str, ...]]]:
    """Every evaluation row of every run, without the wall time."""
    curves = {}
    for job in jobs:
        with (job.run_dir / EVALUATIONS_FILE).open() as file:
            curves[job.name] = [tuple(v for k, v in row.items() if k != "train_time") for row in csv.DictReader(file)]
    return curves


def test_ray_sweep_equals_the_process_pool(tmp_path, ray_executor):
    pool_jobs = plan(["pomdp/TMaze-v0"], ["ppo_gru", "ppo_mlp"], [0], tmp_path / "pool", RUN)
    ray_jobs = plan(["pomdp/TMaze-v0"], ["ppo_gru", "ppo_mlp"], [0], tmp_path / "ray", RUN)
    pool = {job.name: result for job, result in run_matrix(pool_jobs, workers=2)}
    ray = {job.name: result for job, result in run_matrix(ray_jobs, workers=2, executor=ray_executor)}
    assert set(ray) == set(pool) == {job.name for job in pool_jobs}
    for name in pool:
        assert ray[name]["mean_return"] == pool[name]["mean_return"]
        assert ray[name]["step"] == pool[name]["step"] == 256
    assert _curves(ray_jobs) == _curves(pool_jobs)


def _run_noting_pid(job: Job) -> tuple[Job, dict | None]:
    """run_job, after noting which process runs it (the test kills the first one)."""
    with (job.out / "pids.txt").open("a") as file:
        file.write(f"{os.getpid()}\n")
    return run_job(job)


def _kill_after_first_checkpoint(job: Job, killed: list[int]) -> None:
    """Kill (SIGKILL) the worker that runs ``job`` once it has saved a checkpoint past step 0."""
    deadline = time.monotonic() + 50
    while time.monotonic() < deadline:
        pids = job.out / "pids.txt"
        if pids.is_file() and (job.run_dir / "config.yaml").is_file():
            try:
                steps = [checkpoint.step for checkpoint in list_checkpoints(job.run_dir)]
            except (ValueError, OSError):  # a checkpoint being written
                steps = []
            if any(step > 0 for step in steps):
                pid = int(pids.read_text().split()[0])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.02)


def test_killed_ray_worker_is_retried_and_resumes_from_its_checkpoint(tmp_path, ray_executor):
    settings = {**RUN, "timesteps": 2048, "eval_freq": 256, "checkpoint_freq": 256, "eval_episodes": 2}
    (job,) = plan(["pomdp/TMaze-v0"], ["ppo_gru"], [0], tmp_path, settings)
    killed: list[int] = []
    killer = threading.Thread(target=_kill_after_first_checkpoint, args=(job, killed))
    killer.start()
    (done, result), *_ = list(imap_unordered(ray_executor, _run_noting_pid, [job]))
    killer.join()
    pids = [int(pid) for pid in (tmp_path / "pids.txt").read_text().split()]
    assert killed
    assert pids[0] == killed[0]
    assert len(pids) == 2
    assert pids[1] != pids[0]
    assert result is not None
    assert result["step"] == 2048
    assert (done.run_dir / RESULTS_FILE).is_file()
    with (done.run_dir / EVALUATIONS_FILE).open() as file:
        steps = [int(row["step"]) for row in csv.DictReader(file)]
    assert steps == list(range(0, 2049, 256))  # resumed: every evaluation once, none lost or repeated
    assert list_checkpoints(done.run_dir)[0].step == 0


def test_ray_executor_raises_a_runs_error(ray_executor, tmp_path):
    job = Job("pomdp/TMaze-v0", "ppo_gru", 0, Path(tmp_path), {"timesteps": 64, "n_steps": 0})
    with pytest.raises(ValueError, match="n_steps=0"):
        list(imap_unordered(ray_executor, run_job, [job]))


def test_a_run_killed_after_its_final_checkpoint_finishes_when_started_again(tmp_path):
    (job,) = plan(["pomdp/TMaze-v0"], ["ppo_gru"], [0], tmp_path, {**RUN, "checkpoint_freq": 128})
    _, first = run_job(job)
    assert first["step"] == 256
    (job.run_dir / RESULTS_FILE).unlink()  # as if the worker died after the final checkpoint, before results.json
    assert list_checkpoints(job.run_dir)[-1].step == 256
    _, again = run_job(job)  # a retry: it redoes the stretch after the previous checkpoint
    assert again["step"] == 256
    assert (job.run_dir / RESULTS_FILE).is_file()
