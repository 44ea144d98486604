"""Masking and memory: our masked GRU agent, the same agent without masks, and sb3-contrib's memoryless MaskablePPO.

Each agent trains on every seed with the task's preset and is evaluated deterministically (the masked agents with
the env's action masks); prints each result as it comes and a Markdown table of the returns, mean ± std over seeds.

    python scripts/bench_masking.py                                  # pomdp/MaskedRecall-v0, seeds 0 1 2
    python scripts/bench_masking.py --repeats 1 --timesteps 5000     # a quick look
"""

from __future__ import annotations

import argparse
import platform
import sys
from functools import partial

from agents.experiment.builders import check_env_id
from agents.experiment.cli import make_parser, positive_int, run_script
from agents.experiment.masking import compare_masking, masking_table


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of repeat 0; repeat i uses seed + i", set_help=None)
    parser.add_argument("--env", default="pomdp/MaskedRecall-v0", help="env id with action_masks()")
    parser.add_argument("--repeats", type=positive_int, default=3, help="seeds per agent")
    parser.add_argument("--timesteps", type=positive_int, default=None, help="steps per run (default: the preset's)")
    parser.add_argument("--episodes", type=positive_int, default=200, help="evaluation episodes per run")
    return parser


def bench(args: argparse.Namespace) -> int:
    check_env_id(args.env)
    seeds = [args.seed + i for i in range(args.repeats)]
    log = partial(print, flush=True)
    results = compare_masking(args.env, seeds, args.timesteps, args.episodes, args.device, log)
    print(f"\n{args.env}, seeds {seeds}, {args.threads} thread(s), {platform.processor() or platform.machine()}")
    print(masking_table(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), bench, argv)


if __name__ == "__main__":
    sys.exit(main())
