"""Train an agent; with no arguments, a GRU policy on masked CartPole (pomdp/CartPoleNoVel-v0) until it is solved.

python scripts/train.py                                    # the default agent, a few minutes on 2 CPU cores
python scripts/train.py --env pomdp/TMaze-v0 --cell lstm   # another task and cell (the task's preset applies)
python scripts/train.py --policy MlpPolicy                 # the memoryless baseline
python scripts/train.py --set n_steps=64 --set learning_rate=3e-4
python scripts/train.py --env pomdp/TMaze-v0 --env-kwargs corridor_length:10   # the env's constructor arguments
python scripts/train.py --preset ppo_lstm.yml --env pomdp/CartPoleNoVel-v0      # an rl-zoo3 hyperparameter file
python scripts/train.py --resume runs/pomdp/CartPoleNoVel-v0/ppo_gru_s0_<time>   # after Ctrl-C
tensorboard --logdir runs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from agents.experiment.builders import check_env_id
from agents.experiment.cli import EXIT_INTERRUPTED, make_parser, parse_set, positive_int, run_script
from agents.experiment.config import AGENTS, RunConfig, describe_fields, load_yaml, resolve_config, with_overrides
from agents.experiment.errors import ConfigError
from agents.experiment.evaluation import format_return, return_decimals
from agents.experiment.run_dir import RUNS_ROOT, Checkpoint, check_new_run_dir, default_run_dir, find_resume
from agents.experiment.training import TrainResult, run_training
from agents.experiment.zoo import describe, is_zoo_file, read_entry

# Flags that map one to one onto config keys (dest -> key); the rest are handled below.
FLAG_KEYS = ("env", "algo", "policy", "frame_stack", "timesteps", "seed", "n_envs", "vec_env", "device", "threads")
RESUME_FLAGS = ("timesteps", "threads", "device", "vec_env")  # all that may change when a run is continued


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed=None, seed_help="seed of the model and the envs", device=None, threads=None)
    parser.add_argument("--env", help=f"Gymnasium id (default {RunConfig.model_fields['env'].default})")
    parser.add_argument("--agent", choices=list(AGENTS), help="a benchmark agent: sets --algo, --policy, frame stack")
    parser.add_argument(
        "--algo", choices=["ppo", "sb3c"], help="ppo: ours (SB3's PPO if memoryless); sb3c: sb3-contrib"
    )
    parser.add_argument("--policy", help="policy alias, e.g. MlpGruPolicy, MlpLstmPolicy, MlpPolicy (memoryless)")
    parser.add_argument("--cell", choices=["rnn", "lstm", "gru"], help="shorthand for --policy Mlp<Cell>Policy")
    parser.add_argument("--frame-stack", type=int, help="stack N observations (memoryless policies)")
    parser.add_argument("--timesteps", type=positive_int, help="total environment steps (default: the preset's)")
    parser.add_argument("--n-envs", type=positive_int, help="parallel environments (default: the preset's)")
    parser.add_argument(
        "--vec-env",
        choices=["vector", "dummy", "subproc"],
        help="vector: the task's array implementation where it has one (default); dummy: single envs one by one; "
        "subproc: one process each",
    )
    parser.add_argument(
        "--preset",
        help="YAML file of config keys (default: agents/experiment/presets/<Task>.yaml), or an rl-zoo3 "
        "hyperparameter file (its entry for --env)",
    )
    parser.add_argument(
        "--env-kwargs", nargs="+", default=[], metavar="KEY:VALUE", help="env constructor arguments, as in rl-zoo3"
    )
    parser.add_argument("--run-dir", help=f"where the run goes (default {RUNS_ROOT}/<env>/<agent>_s<seed>_<time>)")
    parser.add_argument("--resume", metavar="PATH", help="continue a run directory or one of its checkpoints")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--list-keys", action="store_true", help="list every config key with its type and exit")
    return parser


def flag_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Config keys set by flags, then by --set (a key set both ways is an error)."""
    out = {key: getattr(args, key) for key in FLAG_KEYS if getattr(args, key, None) is not None}
    if args.cell:
        if args.policy:
            raise ConfigError("Give --cell or --policy, not both")
        out["policy"] = f"Mlp{args.cell.capitalize()}Policy"
    if args.agent:
        if {"algo", "policy", "frame_stack"} & set(out):
            raise ConfigError("--agent sets the algorithm, policy and frame stack: drop --algo/--policy/--cell")
        out["algo"], out["policy"], out["frame_stack"] = AGENTS[args.agent]
    if args.env_kwargs:
        out["env_kwargs"] = parse_set(args.env_kwargs, "--env-kwargs", ":", "corridor_length:10")
    settings = parse_set(args.set)
    both = sorted(set(out) & set(settings))
    if both:
        raise ConfigError(f"{both[0]} is set by a flag and by --set: give it once")
    return {**out, **settings}


def start(args: argparse.Namespace) -> tuple[RunConfig, Path, Checkpoint | None]:
    """Config, run directory and checkpoint (None for a new run), all checked before anything is written."""
    overrides = flag_overrides(args)
    if args.resume:
        changed = sorted(set(overrides) - set(RESUME_FLAGS)) + (["--preset"] if args.preset else [])
        if changed or args.run_dir:
            raise ConfigError(f"--resume continues the run as configured: {changed or ['--run-dir']} cannot change")
        run_dir, config, checkpoint = find_resume(args.resume)
        return with_overrides(config, overrides), run_dir, checkpoint
    config = resolve_config(args.env, args.preset, overrides)
    check_env_id(config.env)
    return config, check_new_run_dir(args.run_dir or default_run_dir(config)), None


def threshold_cell(final: dict[str, Any]) -> str:
    """ "25,000" (the first evaluation at or above the threshold), "never", or "-" without a threshold."""
    if final.get("threshold") is None:
        return "-"
    step = final.get("threshold_step")
    return "never" if step is None else f"{step:,}"


def print_result(config: RunConfig, result: TrainResult, console: Console) -> None:
    final = result.final or {}
    threshold = final.get("threshold")
    solved = "" if threshold is None else f", threshold {threshold:g}"
    title = f"{config.agent} on {config.env}, seed {config.seed}, {final['episodes']} episodes{solved}"
    table = Table(title=title)
    for column in ("steps", "train time", "fps", "return", "success", "length", "reached at"):
        table.add_column(column, justify="right", no_wrap=column in ("return", "reached at"))
    success = final.get("success_rate")
    table.add_row(
        f"{result.steps:,}",
        f"{result.train_time:.0f} s",
        f"{result.steps / max(result.train_time, 1e-9):,.0f}",
        format_return(final["mean_return"], final["std_return"], return_decimals(config.env)),
        "-" if success is None else f"{success:.0%}",
        f"{final['mean_length']:.1f}",
        threshold_cell(final),
    )
    console.print(table)
    console.print(f"Run directory: {result.run_dir}")
    console.print(f"Evaluate:      python scripts/evaluate.py {result.run_dir} --gif episode.gif")
    console.print(f"TensorBoard:   tensorboard --logdir {result.run_dir}")


def train(args: argparse.Namespace) -> int:
    console = Console()
    if args.list_keys:
        for name, type_, default, doc in describe_fields():
            console.print(f"[bold]{name}[/bold] ({type_}, default {default!r}): {doc}", highlight=False)
        return 0
    config, run_dir, checkpoint = start(args)
    if args.preset and not args.resume:
        data = load_yaml(args.preset)
        if is_zoo_file(data, set(RunConfig.model_fields)):
            print(describe(read_entry(data, config.env, args.preset), args.preset))
    begin = f"from step {checkpoint.step:,} " if checkpoint else ""
    console.print(f"Training {config.agent} on {config.env} {begin}to {config.timesteps:,} steps -> {run_dir}")
    result = run_training(config, run_dir, checkpoint, progress_bar=not args.no_progress, echo=echo)
    if result.interrupted:
        console.print(f"Interrupted at step {result.steps:,}: checkpoint saved. Continue with")
        console.print(f"  python scripts/train.py --resume {run_dir}")
        return EXIT_INTERRUPTED
    print_result(config, result, console)
    return 0


def echo(line: str) -> None:
    """One evaluation line, flushed at once (above the progress bar, or into a log file)."""
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), train, argv)


if __name__ == "__main__":
    sys.exit(main())
