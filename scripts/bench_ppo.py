"""Speed benchmark: our RecurrentPPO vs sb3-contrib's, same hyperparameters, alternating runs in one invocation.

Uses rl-zoo3's CartPoleNoVel preset (8 envs, n_steps 32, batch 256, 20 epochs, linearly decayed learning rate 1e-3
and clip range 0.2, gamma 0.98, gae_lambda 0.8, VecNormalize, LSTM hidden 64, critic core on, ReLU heads [64]).
Prints the frames per second of each run, their medians and the ratio.

    python scripts/bench_ppo.py --timesteps 20000 --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import sys
from functools import partial

from agents.experiment.builders import check_env_id
from agents.experiment.cli import make_parser, parse_set, positive_int, run_script
from agents.experiment.speed import training_speed
from policies.cores import check_cell


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of repeat 0; repeat i uses seed + i", set_help=(
        "override a PPO argument of the preset (e.g. n_epochs=10) for every agent; repeat for several"))  # fmt: skip
    parser.add_argument("--env", default="pomdp/CartPoleNoVel-v0", help="env id")
    parser.add_argument("--timesteps", type=positive_int, default=20_000, help="steps per run")
    parser.add_argument("--repeats", type=positive_int, default=3, help="runs per agent")
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru", "rnn"], help="our cells beside sb3-contrib's")
    return parser


def bench(args: argparse.Namespace) -> int:
    check_env_id(args.env)
    cells = [check_cell(cell) for cell in args.cells]
    log = partial(print, flush=True)
    table = training_speed(
        args.env, cells, args.timesteps, args.repeats, args.seed, args.device, parse_set(args.set), log
    )
    print(f"\n{args.env}, {args.timesteps} steps x {args.repeats} repeats, {args.threads} thread(s), {args.device}, "
          f"{platform.processor() or platform.machine()}\n{table}")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), bench, argv)


if __name__ == "__main__":
    sys.exit(main())
