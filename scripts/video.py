"""Classify video clips with a CNN per frame and a recurrent core, beside baselines that ignore frame order.

Fits the recurrent classifier for each cell type and seed on generated clips (``moving_digits``: a handwritten
digit moving left or right; test clips show digit images never seen in training), prints test accuracy and fit
time beside logistic regression on one frame and on the mean frame, which stay at chance by construction.
The estimator runs with ``lr=3e-4`` and ``max_steps=600`` unless ``--set`` says otherwise.

    python scripts/video.py --seeds 3
    python scripts/video.py --cells gru lstm --data n_train=500 --data T=8 --set max_steps=100
"""

from __future__ import annotations

import argparse
import sys

from agents.experiment.cli import make_parser, parse_set, positive_int, run_script
from agents.experiment.video import VIDEO_SETTINGS, VideoConfig, check_config, video_table
from envs.datasets import VIDEO


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, seed_help="seed of the first run; run i uses seed + i", set_help=(
        "an estimator parameter (e.g. hidden_size=32, max_steps=2000); repeat for several"))  # fmt: skip
    parser.add_argument("--dataset", default=VideoConfig.dataset, choices=sorted(VIDEO), help="clip set")
    parser.add_argument("--cells", nargs="+", default=list(VideoConfig.cells), help="cell types to compare")
    parser.add_argument("--seeds", type=positive_int, default=3, help="runs per cell (default 3)")
    parser.add_argument(
        "--data", action="append", default=[], metavar="KEY=VALUE", help="an argument of the clip generator"
    )
    parser.add_argument("--log-dir", default=VideoConfig.log_dir, help="TensorBoard logs; 'none' disables them")
    return parser


def video(args: argparse.Namespace) -> int:
    config = VideoConfig(
        dataset=args.dataset,
        cells=tuple(args.cells),
        seeds=tuple(range(args.seed, args.seed + args.seeds)),
        estimator={**VIDEO_SETTINGS, **parse_set(args.set)},
        data=parse_set(args.data, "--data"),
        log_dir=None if args.log_dir == "none" else args.log_dir,
        device=args.device,
    )
    check_config(config)
    table = video_table(config)
    print(f"\n{config.dataset}: {len(config.seeds)} seeds, torch threads {args.threads}\n\n{table}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_script(build_parser(), video, argv)


if __name__ == "__main__":
    sys.exit(main())
