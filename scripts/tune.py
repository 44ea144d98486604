"""Tune a recurrent agent's hyperparameters with Optuna (TPE sampler, median pruning at the evaluations).

    python scripts/tune.py --env pomdp/RepeatPrevious-v0 --cell gru --trials 20     # about 25 min on 2 busy cores
    python scripts/tune.py --env pomdp/TMaze-v0 --cell search --space n_epochs=[4,8] --set gamma=0.99
    python scripts/tune.py --resume studies/RepeatPrevious_gru --trials 40           # continue, up to 40 trials
    python scripts/tune.py --env pomdp/TMaze-v0 --ray                                # trials as Ray tasks
    python scripts/tune.py --env pomdp/TMaze-v0 --storage postgresql://user@db/optuna --ray head-node:6379

Every trial trains the task's preset with the sampled settings for --timesteps steps and is scored by its final
evaluation's mean return (maximised). The search space is agents/experiment/search_space.yaml: narrow it with
--space KEY=SPEC, fix a key with --set KEY=VALUE. The study is stored in <study-dir>/study.db, so the same command
(or --resume) continues it. Writes <study-dir>/trials.csv, best.yaml (a preset: train.py --preset best.yaml),
history.png and importances.png.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from agents.experiment.builders import check_env_id
from agents.experiment.cli import ArgumentParser, make_parser, parse_set, positive_int, run_script
from agents.experiment.errors import ConfigError
from agents.experiment.executors import add_ray_flag, make_executor
from agents.experiment.tuning import (
    SEARCH_SPACE_FILE,
    TuneSettings,
    load_space,
    narrow,
    optimize,
    read_settings,
    trial_config,
)
from agents.experiment.tuning_report import write_study_report

DEFAULTS = TuneSettings.model_fields
STUDY_FLAGS = ("env", "cell", "timesteps", "eval_freq", "eval_episodes", "pruner", "space", "space_file", "set")


def build_parser() -> ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of the sampler and of every trial's run", set_help=(
        "fix a config key for every trial (it leaves the search); repeat for several"))  # fmt: skip
    parser.add_argument("--env", help="task id (its preset is every trial's starting point)")
    parser.add_argument(
        "--cell",
        choices=["rnn", "lstm", "gru", "search"],
        help="recurrent cell, or search over the three (default gru)",
    )
    parser.add_argument("--trials", type=positive_int, help=f"trials in all (default {DEFAULTS['trials'].default})")
    parser.add_argument(
        "--timesteps", type=positive_int, help=f"steps per trial (default {DEFAULTS['timesteps'].default})"
    )
    parser.add_argument(
        "--eval-freq",
        type=positive_int,
        help=f"evaluate and maybe prune every N steps (default {DEFAULTS['eval_freq'].default})",
    )
    parser.add_argument("--eval-episodes", type=positive_int, help="episodes per evaluation (default 20)")
    parser.add_argument("--pruner", choices=["median", "halving", "none"], help="how weak trials stop (default median)")
    parser.add_argument("--space", action="append", default=[], metavar="KEY=SPEC", help=(
        "narrow the search: KEY=[a,b] (choices), KEY={low: L, high: H, log: true}, KEY=VALUE (fixed)"))  # fmt: skip
    parser.add_argument("--space-file", type=Path, help=f"a search space file (default {SEARCH_SPACE_FILE.name})")
    parser.add_argument("--study-dir", type=Path, help="where the study goes (default studies/<Task>_<cell>)")
    parser.add_argument("--resume", type=Path, metavar="STUDY_DIR", help="continue the study in STUDY_DIR as started")
    parser.add_argument("--storage", help="database URL shared by many machines (default: SQLite in the study dir)")
    parser.add_argument("--study-name", default="tune", help="the study's name in the storage (default tune)")
    parser.add_argument(
        "--workers", type=positive_int, default=os.cpu_count() or 1, help="trials at once (default: all cores)"
    )
    add_ray_flag(parser)
    return parser


def settings_from_args(args: argparse.Namespace) -> tuple[TuneSettings, Path]:
    """The study's settings and directory: from the flags, or as saved in the study directory for --resume."""
    if args.resume:
        given = [f"--{flag.replace('_', '-')}" for flag in STUDY_FLAGS if getattr(args, flag) not in (None, [])]
        if given or args.study_dir:
            raise ConfigError(f"--resume continues the study as started: {(given or ['--study-dir'])[0]} cannot change")
        saved = read_settings(args.resume)
        trials = args.trials or saved.trials
        return saved.model_copy(update={"trials": trials}), args.resume
    if not args.env:
        raise ConfigError("--env is required (or --resume STUDY_DIR)")
    check_env_id(args.env)
    fixed = parse_set(args.set)
    if args.device != "cpu":
        fixed["device"] = args.device
    space = narrow(load_space(args.space_file or SEARCH_SPACE_FILE), parse_set(args.space, "--space"))
    values = {
        "env": args.env, "cell": args.cell, "trials": args.trials, "timesteps": args.timesteps, "seed": args.seed,
        "eval_freq": args.eval_freq, "eval_episodes": args.eval_episodes, "pruner": args.pruner,
    }  # fmt: skip
    settings = TuneSettings(space=space, fixed=fixed, **{k: v for k, v in values.items() if v is not None})
    trial_config(settings, {})  # the fixed keys and the budget are checked before anything is written
    task = settings.env.split("/")[-1].removesuffix("-v0")
    return settings, args.study_dir or Path("studies") / f"{task}_{settings.cell}"


def tune(args: argparse.Namespace) -> int:
    settings, study_dir = settings_from_args(args)
    # Workers must not inherit the driver's database connection: they start from a clean, preloaded process.
    executor = make_executor(
        args.workers, args.ray or None, args.ray is not None, fork=False, preload=("agents.experiment.tuning",)
    )
    print(f"Study of {settings.trials} trials on {settings.env} -> {study_dir} ({executor.slots} at once)", flush=True)
    start = time.perf_counter()
    try:
        study = optimize(settings, study_dir, executor, args.storage, args.study_name)
    finally:
        executor.close()
    paths = write_study_report(study, settings, study_dir)
    states = [trial.state.name for trial in study.trials]
    print(
        f"{len(states)} trials ({states.count('COMPLETE')} complete, {states.count('PRUNED')} pruned, "
        f"{states.count('FAIL')} failed) in {(time.perf_counter() - start) / 60:.1f} min"
    )
    if states.count("COMPLETE"):
        print(f"Best: trial {study.best_trial.number}, return {study.best_value:.4g}, {study.best_params}")
    print("Wrote " + ", ".join(str(path) for path in paths))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), tune, argv)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _raise_interrupt)  # `kill` stops the trials too, as Ctrl-C does; run again to go on
    sys.exit(main())
