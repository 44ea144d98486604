"""Probe what a trained recurrent agent remembers: read the env's hidden state from the agent's frozen memory.

A linear head on the agent's frozen features extractor and actor core reads the env's true state (the T-maze cue
at the junction, or the velocities a masked CartPole hides); the control is the same head with the memory cut.

    python scripts/train.py --env pomdp/TMaze-v0 --cell gru --run-dir runs/tmaze_gru
    python scripts/probe.py runs/tmaze_gru                       # target: the cue
    python scripts/probe.py runs/cartpole_gru --episodes 40      # targets: x_dot, theta_dot
"""

from __future__ import annotations

import argparse
import sys

from agents.experiment.cli import make_parser, positive_int, run_script
from agents.experiment.probe import ProbeConfig, run_probe


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(
        __doc__, set_help=None, seed=ProbeConfig.seed, seed_help="seed of the envs the episodes are played in"
    )
    parser.add_argument("path", help="run directory or model file")
    parser.add_argument("--env", default=None, help="env id, for a model file outside a run directory")
    parser.add_argument(
        "--targets", nargs="+", default=[], help="state entries to read (default: the cue or velocities)"
    )
    parser.add_argument("--episodes", type=positive_int, default=ProbeConfig.episodes, help="episodes to play")
    parser.add_argument(
        "--test-fraction", type=float, default=ProbeConfig.test_fraction, help="share of episodes held out to score"
    )
    return parser


def probe(args: argparse.Namespace) -> int:
    config = ProbeConfig(
        args.path, args.env, tuple(args.targets), args.episodes, args.test_fraction, args.seed, args.device
    )
    print(run_probe(config))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), probe, argv)


if __name__ == "__main__":
    sys.exit(main())
