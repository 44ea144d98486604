"""Micro-benchmark: one fused call over a chunk with resets vs a Python loop over time steps.

For each cell, forward + backward over a (T, B, F) chunk with hidden size H, where every sequence has one reset
at a random step. Prints a markdown table of median times and the speed-up.

    python scripts/bench_cores.py --repeats 5
    python scripts/bench_cores.py --T 32 --B 8 --F 2 --H 64     # the sizes of a PPO update
"""

from __future__ import annotations

import argparse
import platform
import sys

from agents.experiment.cli import make_parser, positive_int, run_script
from agents.experiment.speed import core_speed


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of the inputs", set_help=None)
    for name, default, meaning in (
        ("T", 128, "steps"),
        ("B", 64, "sequences"),
        ("F", 64, "features"),
        ("H", 256, "hidden units"),
    ):
        parser.add_argument(f"--{name}", type=positive_int, default=default, help=f"{meaning} (default {default})")
    parser.add_argument("--repeats", type=positive_int, default=5, help="timings per way (median)")
    return parser


def bench(args: argparse.Namespace) -> int:
    print(f"T={args.T} B={args.B} F={args.F} H={args.H}, {args.threads} thread(s), {args.device}, "
          f"{platform.processor() or platform.machine()}")  # fmt: skip
    print(core_speed(args.T, args.B, args.F, args.H, args.repeats, args.seed, args.device))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), bench, argv)


if __name__ == "__main__":
    sys.exit(main())
