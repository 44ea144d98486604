"""Environment throughput: array envs vs DummyVecEnv at N envs, and end-to-end training fps at N envs.

Env alone: steps per second of each task's array implementation (Gymnasium API, and inside SB3's VecEnv interface)
against SB3's DummyVecEnv of single envs, at each N. End to end: our RecurrentPPO (GRU) beside sb3-contrib's
RecurrentPPO (LSTM) on the same array VecEnv, with the task's preset and --set overrides. Contestants alternate in
one invocation; figures are medians. Writes <out>/bench_envs.md and <out>/bench_envs.png (log-log).

    python scripts/bench_envs.py                                   # every memory task, N = 1, 64, 1024, 8192
    python scripts/bench_envs.py --tasks pomdp/TMaze-v0 --n-envs 64 1024 --train-n-envs
    python scripts/bench_envs.py --tasks --train-n-envs 8 64 256 --set hidden_size=128 --set n_epochs=1
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

from agents.experiment.builders import check_env_id
from agents.experiment.cli import make_parser, parse_set, positive_int, run_script
from agents.experiment.env_speed import (
    ENV_KINDS,
    TRAIN_AGENTS,
    env_speed,
    markdown_table,
    plot_rates,
    training_speed,
)
from envs.vector import VECTOR_ENVS

DEFAULT_TASKS = [f"pomdp/{task}-v0" for task in VECTOR_ENVS]


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, set_help="override a config key of the training runs (e.g. n_epochs=1)")
    parser.add_argument("--tasks", nargs="*", default=DEFAULT_TASKS, help="env ids timed alone (none: skip)")
    parser.add_argument("--n-envs", nargs="+", type=positive_int, default=[1, 64, 1024, 8192], help="env counts")
    parser.add_argument("--kinds", nargs="+", choices=ENV_KINDS, default=list(ENV_KINDS), help="ways to step envs")
    parser.add_argument("--repeats", type=positive_int, default=3, help="timings per figure (median)")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per env timing")
    parser.add_argument("--train-env", default="pomdp/RepeatPrevious-v0", help="env id of the training runs")
    parser.add_argument("--train-n-envs", nargs="*", type=positive_int, default=[], help="env counts to train at")
    parser.add_argument("--agents", nargs="+", choices=list(TRAIN_AGENTS), default=list(TRAIN_AGENTS))
    parser.add_argument("--rollouts", type=positive_int, default=2, help="rollouts + updates per training timing")
    parser.add_argument("--out", type=Path, default=Path("results/bench_envs"), help="output folder")
    return parser


def bench(args: argparse.Namespace) -> int:
    for env_id in [*args.tasks, args.train_env]:
        check_env_id(env_id)
    if not args.min_time > 0:
        raise ValueError(f"--min-time must be > 0, got {args.min_time}")
    overrides = {"threads": args.threads, "seed": args.seed, **parse_set(args.set)}
    machine = f"{platform.processor() or platform.machine()}, {args.threads} torch thread(s)"
    parts = [f"# Environment throughput\n\n{machine}; medians of {args.repeats} timings.\n"]
    args.out.mkdir(parents=True, exist_ok=True)
    if args.tasks:
        rows = env_speed(args.tasks, args.n_envs, args.kinds, args.repeats, args.min_time)
        ratio = ("vector", "dummy") if {"vector", "dummy"} <= set(args.kinds) else None
        parts.append("## Env alone (steps per second)\n\n" + markdown_table(rows, args.kinds, ratio))
        plot_rates(rows, args.kinds, str(args.out / "bench_envs.png"), "env steps per second, one core")
    if args.train_n_envs:
        rows = training_speed(args.train_env, args.train_n_envs, args.agents, overrides, args.rollouts, args.repeats)
        ratio = ("ours_gru", "sb3c_lstm") if len(args.agents) == 2 else None
        settings = ", ".join(f"{k}={v}" for k, v in parse_set(args.set).items()) or "the preset"
        parts.append(f"## End to end (training fps, {settings})\n\n" + markdown_table(rows, args.agents, ratio))
    text = "\n\n".join(parts) + "\n"
    (args.out / "bench_envs.md").write_text(text)
    print(text, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), bench, argv)


if __name__ == "__main__":
    sys.exit(main())
