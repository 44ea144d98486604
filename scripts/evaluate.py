"""Evaluate a saved agent: mean ± std return, success rate (where the task defines one) and episode length.

python scripts/evaluate.py runs/pomdp/CartPoleNoVel-v0/ppo_gru_s0_<time>            # a run directory
python scripts/evaluate.py runs/.../checkpoints/step_000020000.zip --episodes 100   # a checkpoint
python scripts/evaluate.py RUN --env pomdp/TMazeMedium-v0                          # another env, same spaces
python scripts/evaluate.py RUN --gif episode.gif --stochastic                       # record one episode
python scripts/evaluate.py RUN --gif episode.gif --plain-frames     # memory tasks: without the observation panel
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agents.experiment.builders import EVAL_SEED_OFFSET, check_env_id, make_env
from agents.experiment.cli import check_free, make_parser, positive_int, run_script
from agents.experiment.evaluation import check_compatible, evaluate_agent, format_return, record_gif, return_decimals
from agents.experiment.run_dir import load_model


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(
        __doc__, set_help=None, seed=None, seed_help="seed of the evaluation envs (default: the run's + 10000)"
    )
    parser.add_argument("path", help="run directory, or a model/checkpoint .zip")
    parser.add_argument("--env", help="evaluate on this id instead of the run's (needed for a bare model file)")
    parser.add_argument("--episodes", type=positive_int, default=50, help="episodes to run (default 50)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--deterministic", dest="deterministic", action="store_true", default=True, help="(default)")
    mode.add_argument("--stochastic", dest="deterministic", action="store_false", help="sample actions")
    parser.add_argument("--gif", metavar="FILE", help="also record one episode to this GIF (a new file)")
    parser.add_argument("--fps", type=positive_int, help="GIF frames per second (default: the env's render_fps)")
    parser.add_argument(
        "--plain-frames", action="store_true", help="GIF of the env's frames only (memory tasks: no observation panel)"
    )
    parser.add_argument("--n-envs", type=positive_int, default=8, help="envs stepped side by side")
    return parser


def evaluate(args: argparse.Namespace) -> int:
    if args.gif:
        gif = check_free(args.gif, "--gif")
        if not gif.parent.is_dir():
            raise FileNotFoundError(f"--gif {args.gif!r}: folder {str(gif.parent)!r} does not exist")
    if args.env:
        check_env_id(args.env)
    model, config, normalize = load_model(args.path, args.env, args.device)
    config = config.model_copy(update={"env": args.env or config.env})
    check_compatible(model, config)
    seed = config.seed + EVAL_SEED_OFFSET if args.seed is None else args.seed
    env = make_env(config, min(args.n_envs, args.episodes), seed, normalize, training=False)
    result = evaluate_agent(model, env, config.env, args.episodes, args.deterministic)
    env.close()
    summary = result.summary()
    table = Table(title=f"{config.agent} on {config.env} ({'deterministic' if args.deterministic else 'stochastic'})")
    for column in ("episodes", "return", "success", "length"):
        table.add_column(column, justify="right")
    success = summary["success_rate"]
    table.add_row(
        str(summary["episodes"]),
        format_return(summary["mean_return"], summary["std_return"], return_decimals(config.env)),
        "-" if success is None else f"{success:.0%}",
        f"{summary['mean_length']:.1f}",
    )
    console = Console()
    console.print(table)
    if args.gif:
        observed = False if args.plain_frames else None
        frames = record_gif(model, config, Path(args.gif), normalize, args.deterministic, args.fps, observed)
        console.print(f"Recorded {frames} frames to {args.gif}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), evaluate, argv)


if __name__ == "__main__":
    sys.exit(main())
