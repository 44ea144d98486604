"""Benchmark report: one CSV of every evaluation point, a markdown table, learning curves and aggregate scores.

The table gives, per task and agent: the final return (mean ± std over seeds of each seed's final evaluation),
the success rate, the steps to reach the task's threshold (mean over the seeds that reached it), the training wall
time per run (evaluations excluded) and the training speed in environment steps per second.

Files: ``evaluations.csv``, ``results.md``, ``curves.png`` (all tasks side by side), ``curves_<Task>.png`` per task
(``<Task>`` is the id without namespace and version: ``curves_CartPoleNoVel.png``) and, where tasks have a known
optimal return, ``aggregates.png`` with rliable's interquartile mean, optimality gap and performance profiles over
normalized scores (``agents.experiment.aggregates``). Every panel has its legend.
"""

from __future__ import annotations

import csv
import os
import platform
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

import envs
from agents.experiment.aggregates import aggregate_table, plot_aggregates
from agents.experiment.benchmark import Job
from agents.experiment.evaluation import solved_threshold
from agents.experiment.run_dir import EVALUATION_FIELDS, EVALUATIONS_FILE, RESULTS_FILE

TABLE_FILE = "results.md"
AGGREGATES_FILE = "aggregates.png"
CURVE_CONFIDENCE = 0.95
Curve = dict[str, np.ndarray]  # "step", "mean_return", "train_time" columns of one run


def read_curve(job: Job) -> Curve | None:
    """Evaluation rows of one finished or partial run, None if it has none yet."""
    path = job.run_dir / EVALUATIONS_FILE
    if not path.is_file():
        return None
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        return None
    return {key: np.array([float(row[key] or "nan") for row in rows]) for key in EVALUATION_FIELDS}


def write_csv(jobs: list[Job], path: Path) -> int:
    """Every evaluation point of every run, with task, agent and seed; returns the row count."""
    count = 0
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["env", "agent", "seed", *EVALUATION_FIELDS])
        for job in jobs:
            curve = read_curve(job)
            for i in range(0 if curve is None else len(curve["step"])):
                values = [curve[key][i] for key in EVALUATION_FIELDS]  # type: ignore[index]
                writer.writerow([job.env, job.agent, job.seed, *(f"{v:.6g}" for v in values)])
                count += 1
    return count


def _steps_to(curve: Curve, threshold: float | None) -> float | None:
    if threshold is None:
        return None
    reached = np.flatnonzero(curve["mean_return"] >= threshold)
    return float(curve["step"][reached[0]]) if len(reached) else None


def mean_std(values: list[float]) -> str:
    """ "386 ± 160", "39.8 ± 2.9", "0.45 ± 0.04": decimals by the size of the mean."""
    mean, std = float(np.mean(values)), float(np.std(values))
    decimals = 0 if abs(mean) >= 100 else 1 if abs(mean) >= 10 else 2
    return f"{mean:.{decimals}f} ± {std:.{decimals}f}"


def _cell(values: list[float], fmt: str) -> str:
    return "—" if not values else format(float(np.mean(values)), fmt)


def summary_rows(jobs: list[Job]) -> list[dict[str, str]]:
    """One row per (task, agent): the table's cells, formatted."""
    groups: dict[tuple[str, str], list[Job]] = defaultdict(list)
    for job in jobs:
        groups[(job.env, job.agent)].append(job)
    rows = []
    for (env, agent), group in groups.items():
        config = group[0].config()
        threshold = solved_threshold(env, config.threshold)
        curves = [c for c in (read_curve(job) for job in group) if c is not None and c["step"][-1] >= config.timesteps]
        finals = [float(c["mean_return"][-1]) for c in curves]
        successes = [float(c["success_rate"][-1]) for c in curves if not np.isnan(c["success_rate"][-1])]
        reached = [s for s in (_steps_to(c, threshold) for c in curves) if s is not None]
        times = [float(c["train_time"][-1]) for c in curves]
        fps = [float(c["step"][-1] / c["train_time"][-1]) for c in curves]
        steps = _cell(reached, ",.0f")
        if curves and threshold is not None and len(reached) < len(curves):
            steps = f"{steps} ({len(reached)}/{len(curves)} seeds)"
        rows.append(
            {
                "task": env,
                "agent": agent,
                "seeds": f"{len(curves)}/{len(group)}",
                "final return": "—" if not finals else mean_std(finals),
                "success": _cell(successes, ".0%"),
                "steps to threshold": steps,
                "train time (s)": _cell(times, ".0f"),
                "fps": _cell(fps, ".0f"),
            }
        )
    return rows


def _bound(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.3g}"


def markdown_table(jobs: list[Job]) -> str:
    """The summary as a markdown table, with each task's threshold in a footnote line."""
    rows = summary_rows(jobs)
    if not rows:
        return "(no runs yet)\n"
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row[key] for key in header) + " |" for row in rows]
    notes = []
    for env in dict.fromkeys(job.env for job in jobs):
        job = next(j for j in jobs if j.env == env)
        info = envs.SUITE.get(env)
        bounds = "" if info is None else f", optimal {_bound(info.optimal_return)}, best memoryless "
        bounds += "" if info is None else _bound(info.memoryless_return)
        notes.append(f"- {env}: threshold {_bound(solved_threshold(env, job.config().threshold))}{bounds}")
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


def task_file_name(env: str) -> str:
    """``pomdp/TMaze-v0`` -> ``TMaze``: the ``<Task>`` of ``curves_<Task>.png``."""
    return re.sub(r"-v\d+$", "", env.split("/")[-1])


def plot_curves(jobs: list[Job], out: Path) -> list[Path]:
    """``curves_<Task>.png`` per task and ``curves.png`` with all tasks side by side, each panel with its legend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(dict.fromkeys(job.env for job in jobs))
    paths = []
    combined, axes = plt.subplots(1, len(tasks), figsize=(5 * len(tasks), 3.8), squeeze=False)
    for ax_all, env in zip(axes[0], tasks, strict=True):
        single, ax_one = plt.subplots(figsize=(6, 4))
        for ax in (ax_all, ax_one):
            _plot_task(ax, [job for job in jobs if job.env == env])
        path = out / f"curves_{task_file_name(env)}.png"
        single.tight_layout()
        single.savefig(path, dpi=100)
        plt.close(single)
        paths.append(path)
    combined.tight_layout()
    combined.savefig(out / "curves.png", dpi=100)
    plt.close(combined)
    return [out / "curves.png", *paths]


def mean_interval(returns: np.ndarray, reps: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """95% bootstrap interval of the mean over seeds at each point: (seeds, n) -> two (n,) arrays."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(returns), size=(reps, len(returns)))  # (R, S)
    means = returns[rows].mean(axis=1)  # (R, S, n) -> (R, n)
    tail = 100 * (1 - CURVE_CONFIDENCE) / 2
    low, high = np.percentile(means, [tail, 100 - tail], axis=0)
    return low, high


def _plot_task(ax, jobs: list[Job]) -> None:
    """Mean return over seeds against environment steps, shaded over its 95% bootstrap interval."""
    env = jobs[0].env
    seeds = 0
    for agent in dict.fromkeys(job.agent for job in jobs):
        curves = [c for c in (read_curve(job) for job in jobs if job.agent == agent) if c is not None]
        if not curves:
            continue
        n = min(len(c["step"]) for c in curves)  # runs still going have fewer points
        steps = curves[0]["step"][:n]
        returns = np.stack([c["mean_return"][:n] for c in curves])  # (seeds, n)
        (line,) = ax.plot(steps, returns.mean(0), label=agent)
        low, high = mean_interval(returns)
        ax.fill_between(steps, low, high, color=line.get_color(), alpha=0.2)
        seeds = max(seeds, len(curves))
    info = envs.SUITE.get(env)
    if info is not None and info.memoryless_return is not None:
        ax.axhline(info.memoryless_return, color="grey", linestyle=":", linewidth=1, label="best memoryless")
    ax.set_title(f"{env} (mean of {seeds} seeds, 95% CI)")
    ax.set_xlabel("environment steps")
    ax.set_ylabel("evaluation return")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")


def normalized_scores(finals: list[tuple[str, str, float]]) -> dict[str, np.ndarray]:
    """(task, agent, final return) of each run -> per agent a (runs, tasks) matrix of final return / the task's
    optimal return, for the tasks with a known positive optimal return; each agent keeps as many runs per task as
    all its tasks have."""
    by_agent: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for env, agent, final in finals:
        best = envs.SUITE[env].optimal_return if env in envs.SUITE else None
        if best is not None and best > 0:
            by_agent[agent][env].append(final / best)
    scores = {}
    for agent, tasks in by_agent.items():
        runs = min(len(values) for values in tasks.values())
        scores[agent] = np.array([values[:runs] for values in tasks.values()]).T  # (tasks, runs) -> (runs, tasks)
    return scores


def final_scores(jobs: list[Job]) -> dict[str, np.ndarray]:
    """Normalized final scores of the finished runs, per agent (runs, tasks): see ``normalized_scores``."""
    finals = []
    for job in jobs:
        curve = read_curve(job)
        if curve is not None and curve["step"][-1] >= job.config().timesteps:
            finals.append((job.env, job.agent, float(curve["mean_return"][-1])))
    return normalized_scores(finals)


def scores_from_csv(path: str | Path) -> dict[str, np.ndarray]:
    """Normalized final scores from a benchmark's ``evaluations.csv`` alone (the last evaluation of each run), for
    a report whose run directories are gone."""
    last: dict[tuple[str, str, str], tuple[float, float]] = {}
    with Path(path).open(newline="") as file:
        for row in csv.DictReader(file):
            key, point = (row["env"], row["agent"], row["seed"]), (float(row["step"]), float(row["mean_return"]))
            last[key] = max(last.get(key, point), point)
    return normalized_scores([(env, agent, point[1]) for (env, agent, _), point in last.items()])


def aggregates_section(scores: dict[str, np.ndarray]) -> str:
    """The markdown under the table: what the aggregate scores are, then their table."""
    return (
        "\nAggregate scores over tasks (score = final return / optimal return; rliable's metrics, value [95% "
        "stratified-bootstrap CI]):\n\n" + aggregate_table(scores)
    )


def machine() -> str:
    """CPU model and count, and versions, for the report header."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__}, Python {platform.python_version()}"


def header(jobs: list[Job], meta: dict[str, Any]) -> str:
    """The lines above the table: runs finished, workers, machine, wall time and the command."""
    done = sum((job.run_dir / RESULTS_FILE).is_file() for job in jobs)
    return (
        f"Benchmark: {len(jobs)} runs ({done} finished), {meta.get('workers', '?')} worker processes, on "
        f"{meta.get('machine', machine())}.\n"
        f"Wall time of the benchmark: {meta['wall_time'] / 60:.1f} min.\n"
        f"Command: `{meta['command']}`\n\n"
    )


def write_report(jobs: list[Job], out: Path, header: str = "") -> dict[str, Path]:
    """Write the CSV, the markdown table (after ``header``) and the plots into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / EVALUATIONS_FILE, "table": out / TABLE_FILE}
    write_csv(jobs, paths["csv"])
    scores = final_scores(jobs)
    paths["table"].write_text(header + markdown_table(jobs) + (aggregates_section(scores) if scores else ""))
    if any(read_curve(job) is not None for job in jobs):
        for i, path in enumerate(plot_curves(jobs, out)):
            paths[f"plot{i}"] = path
    if scores:
        paths["aggregates"] = out / AGGREGATES_FILE
        plot_aggregates(scores, str(paths["aggregates"]))
    return paths
