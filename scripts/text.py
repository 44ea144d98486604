"""Language on the recurrent cores: a language model beside an n-gram, or names classified by language.

``--dataset python_docs`` trains a character language model on Python's own documentation (shipped with CPython)
and prints its test bits per character beside the best add-k character n-gram, then samples after a few prompts;
``--dataset dyck2`` checks a model's next-symbol predictions against the exact distribution of a bracket language;
``--dataset names`` classifies Faker's names by locale, with a language model per locale and with a classifier on
the characters, beside a bag of character n-grams (extra ``[text]``; ``--set`` keys go to each model that takes them).

    python scripts/text.py --dataset python_docs --seeds 3
    python scripts/text.py --dataset dyck2 --seeds 3
    python scripts/text.py --dataset names --seeds 3 --set hidden_size=64
"""

from __future__ import annotations

import argparse
import sys

from agents.experiment.cli import make_parser, non_negative_int, parse_set, positive_int, run_script
from agents.experiment.text import TextConfig, check_config, text_table
from envs.datasets import TEXT


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of the first run; run i uses seed + i", set_help=(
        "an estimator parameter (e.g. hidden_size=128, max_steps=500); repeat for several"))  # fmt: skip
    parser.add_argument("--dataset", default=TextConfig.dataset, choices=sorted(TEXT), help="data set and its job")
    parser.add_argument("--seeds", type=positive_int, default=3, help="runs, one per seed (default 3)")
    parser.add_argument(
        "--data", action="append", default=[], metavar="KEY=VALUE", help="an argument of the data set's loader"
    )
    parser.add_argument(
        "--samples",
        type=non_negative_int,
        default=TextConfig.samples,
        help=f"characters sampled after each prompt, python_docs only (default {TextConfig.samples}; 0: none)",
    )
    return parser


def text(args: argparse.Namespace) -> int:
    config = TextConfig(
        dataset=args.dataset,
        seeds=tuple(range(args.seed, args.seed + args.seeds)),
        estimator=parse_set(args.set),
        data=parse_set(args.data, "--data"),
        samples=args.samples,
        device=args.device,
    )
    check_config(config)
    table = text_table(config)
    print(f"\n{config.dataset}: {len(config.seeds)} seeds, torch threads {args.threads}\n\n{table}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), text, argv)


if __name__ == "__main__":
    sys.exit(main())
