"""Benchmark: tasks x agents x seeds, each task with one shared preset, in parallel worker processes.

    python scripts/benchmark.py --quick                       # 1 seed, half of each preset's budget
    python scripts/benchmark.py                               # the full matrix, 3 seeds, full budgets
    python scripts/benchmark.py --tasks pomdp/TMaze-v0 --agents ppo_gru ppo_mlp --seeds 5
    python scripts/benchmark.py --report-only                 # redraw table and plots from the runs so far

Calling it again with the same --out skips finished runs and continues cut-off ones from their checkpoints.
Writes <out>/evaluations.csv, <out>/results.md, <out>/curves.png and <out>/curves_<Task>.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from pathlib import Path
from typing import Any

import torch

from agents.experiment.benchmark import DEFAULT_AGENTS, DEFAULT_TASKS, Job, plan, run_matrix
from agents.experiment.builders import check_env_id
from agents.experiment.config import AGENTS, parse_set, resolve_config
from agents.experiment.report import write_report

QUICK_SCALE = 0.5  # --quick: one seed, half of each budget (enough for the memory tasks to learn)
META_FILE = "benchmark.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=list(DEFAULT_TASKS), help="env ids")
    parser.add_argument("--agents", nargs="+", default=list(DEFAULT_AGENTS), help=f"of {', '.join(AGENTS)}")
    parser.add_argument("--seeds", type=int, help="seeds 0..N-1 (default 3; 1 with --quick)")
    parser.add_argument("--timesteps", type=int, help="budget of every run (default: each task preset's)")
    parser.add_argument("--scale", type=float, help=f"multiply the presets' budgets (--quick: {QUICK_SCALE})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override for every run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    parser.add_argument("--out", type=Path, help="output folder (default results/benchmark, or _quick)")
    parser.add_argument("--quick", action="store_true", help="1 seed and half of each budget")
    parser.add_argument("--report-only", action="store_true", help="only write the CSV, table and plots")
    return parser.parse_args(argv)


def make_jobs(args: argparse.Namespace) -> list[Job]:
    """The matrix; budgets are scaled per task, since the presets' timesteps differ."""
    for env in args.tasks:
        check_env_id(env)
    seeds = list(range(args.seeds or (1 if args.quick else 3)))
    scale = args.scale or (QUICK_SCALE if args.quick else 1.0)
    overrides = parse_set(args.set)
    jobs = []
    for env in args.tasks:
        task_overrides: dict[str, Any] = dict(overrides)
        if args.timesteps is not None:
            task_overrides["timesteps"] = args.timesteps
        elif scale != 1.0:
            preset = resolve_config(env, overrides=overrides)
            task_overrides["timesteps"] = max(1, round(preset.timesteps * scale))
            task_overrides.setdefault("eval_freq", max(1, round(preset.eval_freq * scale)))
        jobs += plan([env], args.agents, seeds, args.out, task_overrides)
    return jobs


def machine() -> str:
    """CPU model and count, and versions, for the report header."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__}, Python {platform.python_version()}"


def header(jobs: list[Job], meta: dict[str, Any]) -> str:
    done = sum((job.run_dir / "results.json").is_file() for job in jobs)
    return (
        f"Benchmark: {len(jobs)} runs ({done} finished), {meta.get('workers', '?')} worker processes, on "
        f"{meta.get('machine', machine())}.\n"
        f"Wall time of the benchmark: {meta['wall_time'] / 60:.1f} min.\n"
        f"Command: `{meta['command']}`\n\n"
    )


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out = args.out or Path("results/benchmark_quick" if args.quick else "results/benchmark")
    try:
        jobs = make_jobs(args)
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"benchmark.py: error: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    meta_path = args.out / META_FILE
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {"wall_time": 0.0, "command": "-"}
    status = 0
    if not args.report_only:
        command = " ".join(sys.argv[1:] if argv is None else argv)
        meta.update(machine=machine(), workers=args.workers, command=f"python scripts/benchmark.py {command}")
        print(f"{len(jobs)} runs -> {args.out} ({args.workers} workers)", flush=True)
        start = time.perf_counter()
        try:
            for i, (job, result) in enumerate(run_matrix(jobs, args.workers), 1):
                if result is None:  # stopped by a signal, the parent is stopping too
                    continue
                print(
                    f"[{i}/{len(jobs)}] {job.name}: return {result['mean_return']:.3g}, "
                    f"{result['train_time']:.0f} s, {result['fps']:.0f} fps",
                    flush=True,
                )
        except KeyboardInterrupt:
            print("Interrupted: run the same command again to continue.", file=sys.stderr)
            status = 130
        except (ValueError, TypeError) as error:
            print(f"benchmark.py: error: {error}", file=sys.stderr)
            status = 2
        meta["wall_time"] += time.perf_counter() - start
        meta_path.write_text(json.dumps(meta, indent=2))
    paths = write_report(jobs, args.out, header(jobs, meta))
    print("Wrote " + ", ".join(str(path) for path in paths.values()))
    return status


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _raise_interrupt)  # `kill` stops the workers too, as Ctrl-C does
    sys.exit(main())
