"""Benchmark: tasks x agents x seeds, each task with one shared preset, in parallel worker processes.

    python scripts/benchmark.py --quick                       # 1 seed, half of each preset's budget
    python scripts/benchmark.py                               # the full matrix, 3 seeds, full budgets
    python scripts/benchmark.py --tasks pomdp/TMaze-v0 --agents ppo_gru ppo_mlp --seeds 5
    python scripts/benchmark.py --report-only                 # redraw table and plots from the runs so far
    python scripts/benchmark.py --ray                         # every run a Ray task on a local cluster
    python scripts/benchmark.py --ray head-node:6379          # ... on a running Ray cluster (shared --out folder)

Calling it again with the same --out skips finished runs and continues cut-off ones from their checkpoints.
Writes <out>/evaluations.csv, <out>/results.md (table and aggregate scores), <out>/curves.png,
<out>/curves_<Task>.png and <out>/aggregates.png (IQM, optimality gap, performance profiles).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from agents.experiment.benchmark import DEFAULT_AGENTS, DEFAULT_TASKS, Job, job_state, plan_matrix, run_matrix
from agents.experiment.builders import check_env_id
from agents.experiment.cli import EXIT_INTERRUPTED, make_parser, parse_set, positive_int, run_script
from agents.experiment.config import AGENTS
from agents.experiment.errors import ConfigError
from agents.experiment.evaluation import format_return, return_decimals
from agents.experiment.executors import add_ray_flag, make_executor
from agents.experiment.report import header, machine, write_report

QUICK_SCALE = 0.5  # --quick: one seed, half of each budget (enough for the memory tasks to learn)
META_FILE = "benchmark.json"


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="first seed; the runs use seed .. seed + seeds - 1", set_help=(
        "override a config key for every run; repeat for several"))  # fmt: skip
    parser.add_argument("--tasks", nargs="+", default=list(DEFAULT_TASKS), help="env ids")
    parser.add_argument("--agents", nargs="+", default=list(DEFAULT_AGENTS), help=f"of {', '.join(AGENTS)}")
    parser.add_argument("--seeds", type=positive_int, help="seeds per agent and task (default 3; 1 with --quick)")
    parser.add_argument("--timesteps", type=positive_int, help="budget of every run (default: each task preset's)")
    parser.add_argument("--scale", type=float, help=f"multiply the presets' budgets (--quick: {QUICK_SCALE})")
    parser.add_argument(
        "--workers", type=positive_int, default=os.cpu_count() or 1, help="processes (default: all cores)"
    )
    parser.add_argument(
        "--vec-env",
        choices=["vector", "dummy", "subproc"],
        help="how every run steps its envs (default vector: the array implementation where a task has one)",
    )
    parser.add_argument("--out", type=Path, help="output folder (default results/benchmark, or _quick)")
    parser.add_argument("--quick", action="store_true", help="1 seed and half of each budget")
    parser.add_argument("--report-only", action="store_true", help="only write the CSV, table and plots")
    add_ray_flag(parser)
    return parser


def make_jobs(args: argparse.Namespace) -> list[Job]:
    """The matrix, every config validated; budgets are scaled per task, since the presets' timesteps differ."""
    for env in args.tasks:
        check_env_id(env)
    if args.scale is not None and not args.scale > 0:
        raise ValueError(f"--scale must be > 0, got {args.scale}")
    count = args.seeds or (1 if args.quick else 3)
    overrides = parse_set(args.set)
    if "device" in overrides:
        raise ConfigError("--set device: use --device, which checks that the device exists")
    overrides["device"] = args.device
    if args.vec_env:
        overrides["vec_env"] = args.vec_env
    scale = args.scale or (QUICK_SCALE if args.quick else 1.0)
    seeds = list(range(args.seed, args.seed + count))
    return plan_matrix(args.tasks, args.agents, seeds, args.out, overrides, args.timesteps, scale)


def run_jobs(jobs: list[Job], args: argparse.Namespace, meta: dict) -> int:
    """Train the unfinished runs; returns the exit status (130 when interrupted)."""
    command = " ".join(sys.argv[1:] if args.argv is None else args.argv)
    meta.update(machine=machine(), workers=args.workers, command=f"python scripts/benchmark.py {command}")
    executor = make_executor(args.workers, args.ray or None, use_ray=args.ray is not None)
    where = f"{executor.slots} Ray workers" if args.ray is not None else f"{args.workers} workers"
    print(f"{len(jobs)} runs -> {args.out} ({where})", flush=True)
    start, status = time.perf_counter(), 0
    try:
        for i, (job, result) in enumerate(run_matrix(jobs, args.workers, executor), 1):
            if result is None:  # stopped by a signal, the parent is stopping too
                continue
            print(
                f"[{i}/{len(jobs)}] {job.name}: return "
                f"{format_return(result['mean_return'], result['std_return'], return_decimals(job.env))}, "
                f"{result['train_time']:.0f} s, {result['fps']:.0f} fps",
                flush=True,
            )
    except KeyboardInterrupt:
        print("Interrupted: run the same command again to continue.", file=sys.stderr)
        status = EXIT_INTERRUPTED
    finally:
        executor.close()
    meta["wall_time"] += time.perf_counter() - start
    return status


def benchmark(args: argparse.Namespace) -> int:
    args.out = args.out or Path("results/benchmark_quick" if args.quick else "results/benchmark")
    jobs = make_jobs(args)
    for job in jobs:  # a folder run with another config is an error before anything starts
        job_state(job)
    args.out.mkdir(parents=True, exist_ok=True)
    meta_path = args.out / META_FILE
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {"wall_time": 0.0, "command": "-"}
    status = 0
    if not args.report_only:
        status = run_jobs(jobs, args, meta)
        meta_path.write_text(json.dumps(meta, indent=2))
    paths = write_report(jobs, args.out, header(jobs, meta))
    print("Wrote " + ", ".join(str(path) for path in paths.values()))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.set_defaults(argv=argv)
    return run_script(parser, benchmark, argv)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _raise_interrupt)  # `kill` stops the workers too, as Ctrl-C does
    sys.exit(main())
