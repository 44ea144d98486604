"""Train and evaluate sequence classifiers (or, for the adding problem, regressors) on a named data set.

Trains the default head for each cell type and seed on the data set's standard training split, evaluates it on the
test split, logs TensorBoard scalars, and prints a markdown table beside the baselines (majority class and 1-NN
Euclidean for classification; predicting the training mean for regression).

    python scripts/classify.py --dataset italy_power_demand --cells rnn lstm gru --seeds 3
    python scripts/classify.py --dataset adding --data n_train=2000 --set max_epochs=5
    python scripts/classify.py --dataset all --cells gru --seeds 3    # every UCR/UEA set sktime ships
"""

from __future__ import annotations

import argparse
import sys

from agents.experiment.classify import ALL, ClassifyConfig, check_config, classification_table
from agents.experiment.cli import make_parser, parse_set, positive_int, run_script
from envs.datasets import CLASSIFICATION


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of the first run; run i uses seed + i", set_help=(
        "an estimator parameter (e.g. hidden_size=32, max_epochs=5); repeat for several"))  # fmt: skip
    parser.add_argument(
        "--dataset",
        default=ClassifyConfig.dataset,
        choices=[*sorted(CLASSIFICATION), ALL],
        help="data set, or 'all': every UCR/UEA set sktime ships, one row each",
    )
    parser.add_argument("--cells", nargs="+", default=list(ClassifyConfig.cells), help="cell types to compare")
    parser.add_argument("--seeds", type=positive_int, default=3, help="runs per cell (default 3)")
    parser.add_argument(
        "--data", action="append", default=[], metavar="KEY=VALUE", help="an argument of a synthetic generator"
    )
    parser.add_argument("--log-dir", default=ClassifyConfig.log_dir, help="TensorBoard logs; 'none' disables them")
    return parser


def classify(args: argparse.Namespace) -> int:
    config = ClassifyConfig(
        dataset=args.dataset,
        cells=tuple(args.cells),
        seeds=tuple(range(args.seed, args.seed + args.seeds)),
        estimator=parse_set(args.set),
        data=parse_set(args.data, "--data"),
        log_dir=None if args.log_dir == "none" else args.log_dir,
        device=args.device,
    )
    check_config(config)
    table = classification_table(config)
    print(f"\n{config.dataset}: {len(config.seeds)} seeds, torch threads {args.threads}\n\n{table}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), classify, argv)


if __name__ == "__main__":
    sys.exit(main())
